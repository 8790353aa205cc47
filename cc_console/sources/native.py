"""The native format: what ``cc-console serve`` publishes (CONTRACT.md section 6).

``{"format": "cc-console/incidents", "version": 1, "generated_at": ...,
"incidents": [...]}`` and likewise ``cc-console/agencies`` and ``cc-console/events``
(disaster events, as ``event show --json`` prints them).  Items are the
objects of ``incidents --json`` / ``agencies --json``, ``id`` being the
external id.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from cc_console.models import (
    AGENCY_STATUSES,
    INCIDENT_STATUSES,
    SEVERITIES,
    SITE_CODE_RE,
    Agency,
    FeedIncident,
    Kpi,
)
from cc_console.sources.base import (
    ParseContext,
    Parsed,
    ParseError,
    as_float,
    as_time,
    clean_line,
    clean_text,
)
from cc_console.text import MAX_TEXT, MAX_TITLE
from cc_console.timefmt import iso_z

FORMAT = "native"
KINDS = ("incidents", "agencies", "events")
VERSION = 1

_SEVERITIES = frozenset(SEVERITIES)
_STATUSES = frozenset(INCIDENT_STATUSES)
_AGENCY_STATUSES = frozenset(AGENCY_STATUSES)
_new_row = tuple.__new__  # a NamedTuple's own __new__ is one more Python call per item


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a native incidents or agencies document for ``ctx.kind``."""
    if ctx.kind == "incidents":
        parsed = _parse_typed(body, ctx)
        if parsed is not None:
            return parsed
    return _parse_tolerant(body, ctx)


@functools.cache
def _typed_decoder() -> Any:
    """A msgspec decoder of a well-formed incidents document (CONTRACT section 6).

    Built on first use, so that discovering the formats (every command does,
    to check the config) does not import msgspec.
    """
    import msgspec

    text, number = str | None, float | None
    item = msgspec.defstruct(
        "Item",
        [
            ("id", str),
            ("title", str),
            ("description", text, None),
            ("category", text, None),
            ("severity", text, None),
            ("status", text, None),
            ("area", text, None),
            ("lat", number, None),
            ("lon", number, None),
            ("reported_at", text, None),
            ("updated_at", text, None),
            ("url", text, None),
            ("assigned_to", text, None),
            ("exercise", bool | None, None),
            ("extra", dict[str, Any] | None, None),
            ("site", Any, None),
        ],
    )
    document = msgspec.defstruct(
        "Incidents",
        [
            ("format", str),
            ("version", int),
            ("incidents", list[item]),  # type: ignore[valid-type]
            ("site", Any, None),
            ("generated_at", Any, None),
        ],
    )
    return msgspec.json.Decoder(document)


def _parse_typed(body: bytes, ctx: ParseContext) -> Parsed | None:
    """A well-formed incidents document, its types checked in C while decoding.

    Returns None when the document is not of that shape anywhere (a string id,
    a numeric string for a latitude, not JSON at all): :func:`_parse_tolerant`
    then reads it item by item, keeps what it can and names what it skipped.
    """
    import msgspec

    try:
        doc = _typed_decoder().decode(body)
    except (msgspec.DecodeError, ValueError, RecursionError):  # ValueError: bad UTF-8
        return None
    if doc.format != "cc-console/incidents" or doc.version != VERSION:
        return None
    out = Parsed()
    out.site = _site(doc.site, out)
    out.generated_at = as_time(doc.generated_at, ctx.tz)
    rows = out.incidents
    for index, item in enumerate(doc.incidents):
        row = _clean_incident(item, ctx.source)
        if row is None:  # text to clean, a time to convert: the general reading
            try:
                row = _incident(msgspec.structs.asdict(item), ctx)
            except (ValueError, TypeError, KeyError) as exc:
                out.warnings.append(f"item {index} skipped: {_short(exc)}")
                continue
            position = {"lat": item.lat, "lon": item.lon}
            out.warnings.extend(
                _doubts(index, item.reported_at, item.updated_at, row, ctx, position)
            )
        if item.site is not None or (row.extra is not None and '"site"' in row.extra):
            row = _with_site(row, item.site, out.site, index, out)
        rows.append(row)
    return out


def _site(value: object, out: Parsed) -> tuple[str, str] | None:
    """The document's ``"site": {"code", "name"}`` (section 11), or None with a warning
    when it is not that shape."""
    if value is None:
        return None
    code = value.get("code") if isinstance(value, dict) else None
    name = clean_line(value.get("name"), 120) if isinstance(value, dict) else ""
    if not isinstance(code, str) or not SITE_CODE_RE.fullmatch(code):
        out.warnings.append('"site" ignored: expected {"code": "32.05", "name": "..."}')
        return None
    return code, name or code


def _clean_incident(it: Any, source: str) -> FeedIncident | None:
    """``it`` as a row when nothing in it needs cleaning or converting, else None.

    Exactly what :func:`_incident` returns for such an item (a property test
    holds the two to it), at a fraction of the cost: one printable check over
    the one-line fields instead of one call per field.
    """
    ext, title, area, category = it.id, it.title, it.area or "", it.category or "other"
    severity, status, reported, updated = it.severity, it.status, it.reported_at, it.updated_at
    lat, lon = it.lat, it.lon
    if not (
        severity in _SEVERITIES
        and status in _STATUSES
        and 0 < len(ext) <= 200
        and 0 < len(title) <= MAX_TITLE
        and len(area) <= 200
        and len(category) <= 40
        and (ext + title + area + category).isprintable()
        and ext.strip() == ext
        and "  " not in title
        and title[0] != " " != title[-1]
        and "  " not in area
        and area[:1] != " " != area[-1:]
        and "  " not in category
        and category[0] != " " != category[-1]
        and (lat is None or -90 <= lat <= 90)
        and (lon is None or -180 <= lon <= 180)
        and (reported is None or _canonical(reported))
        and (updated == reported or updated is None or _canonical(updated))
    ):
        return None
    if ext.startswith(source + ":"):
        ext = ext[len(source) + 1 :]
    assigned, extra, description = it.assigned_to, it.extra, it.description
    return _new_row(
        FeedIncident,
        (
            ext,
            title,
            description  # clean_text's own fast path, without the call
            if description
            and description.isprintable()
            and description[0] != " " != description[-1]
            and len(description) <= MAX_TEXT
            else clean_text(description),
            category if category.islower() else category.lower(),
            severity,
            status,
            area,
            lat,
            lon,
            reported,
            updated,
            None if it.url is None else _url(it.url),
            None if assigned is None else (clean_line(assigned, 60) or None),
            it.exercise is True,
            json.dumps(extra, sort_keys=True, ensure_ascii=False) if extra else None,
        ),
    )


def _canonical(value: str) -> bool:
    """Whether ``value`` is a valid time already in the cache's ``YYYY-MM-DDTHH:MM:SSZ``."""
    if len(value) != 20 or value[19] != "Z" or value[10] != "T" or not value.isascii():
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _parse_tolerant(body: bytes, ctx: ParseContext) -> Parsed:
    """Any native document: what is readable is kept, each skipped item is named."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON ({_short(exc)})") from None
    expected = f"cc-console/{ctx.kind}"
    if not isinstance(doc, dict):
        raise ParseError(f"expected a {expected} JSON object, got {type(doc).__name__}")
    if doc.get("format") != expected:
        raise ParseError(f'expected "format": "{expected}", got {doc.get("format")!r:.60}')
    if doc.get("version") != VERSION:
        raise ParseError(f"unsupported {expected} version {doc.get('version')!r:.20}")
    items = doc.get(ctx.kind)
    if not isinstance(items, list):
        raise ParseError(f'"{ctx.kind}" must be a list')
    out = Parsed()
    out.site = _site(doc.get("site"), out)
    out.generated_at = as_time(doc.get("generated_at"), ctx.tz)
    if ctx.kind == "events":
        from cc_console.sources._events import site_event

        for index, item in enumerate(items):
            try:
                out.events.append(site_event(item, ctx.tz, out.warnings, index))
            except (ValueError, TypeError) as exc:
                out.warnings.append(f"item {index} skipped: {_short(exc)}")
        return out
    convert = _incident if ctx.kind == "incidents" else _agency
    target = out.incidents if ctx.kind == "incidents" else out.agencies
    for index, item in enumerate(items):
        try:
            target.append(convert(item, ctx))  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError) as exc:
            out.warnings.append(f"item {index} skipped: {_short(exc)}")
            continue
        row = target[-1]
        if isinstance(row, FeedIncident):
            out.warnings.extend(
                _doubts(index, item.get("reported_at"), item.get("updated_at"), row, ctx, item)
            )
            out.incidents[-1] = _with_site(row, item.get("site"), out.site, index, out)
    return out


def _with_site(
    row: FeedIncident, claim: object, doc_site: tuple[str, str] | None, index: int, out: Parsed
) -> FeedIncident:
    """``row`` with the site its item names kept in ``extra["site"]`` when that site lies
    under the document's (a province's feed re-publishing a regency's items: "32.05"
    under "32"), so a reader further up still knows each item's regency.

    The document's own code needs nothing kept. Any other claim is ignored (and
    said): a feed speaks for its own site and the sites under it, no other. A
    ``"site"`` the feed put in ``extra`` itself is never taken for one.
    """
    extra = json.loads(row.extra) if row.extra else {}
    had = isinstance(extra, dict) and extra.pop("site", None) is not None
    ok = (
        isinstance(claim, str)
        and doc_site is not None
        and SITE_CODE_RE.fullmatch(claim) is not None
        and claim.startswith(doc_site[0] + ".")
    )
    if ok:
        extra["site"] = claim
    elif claim is not None and (doc_site is None or claim != doc_site[0]):
        out.warnings.append(
            f"item {index}: site {str(claim)[:24]!r} is not under the document's site; "
            "the document's is kept"
        )
    if not ok and not had:
        return row
    text = json.dumps(extra, sort_keys=True, ensure_ascii=False) if extra else None
    return row._replace(extra=text)


def _off_earth(value: object, limit: float) -> bool:
    """Whether a given coordinate is not a finite number within ``±limit``."""
    if value is None:
        return False
    number = as_float(value)
    return number is None or not -limit <= number <= limit


def _doubts(
    index: int,
    reported: object,
    updated: object,
    row: FeedIncident,
    ctx: ParseContext,
    raw: Any = None,
) -> list[str]:
    """What was read differently from what the item said: a zone-less time, a bad position."""
    doubts = []
    if _zoneless(reported, updated):
        zone = ctx.now.astimezone(ctx.tz).tzname() or str(ctx.tz)
        doubts.append(f"item {index}: a time without a zone was read as {zone} (the site's zone)")
    lat, lon = (raw.get("lat"), raw.get("lon")) if isinstance(raw, dict) else (None, None)
    if row.lat is None and (_off_earth(lat, 90) or _off_earth(lon, 180)):
        where = ", ".join(
            repr(float(v))
            if isinstance(v, int | float) and not isinstance(v, bool)
            else str(v)[:20]
            for v in (lat, lon)
        )
        doubts.append(f"item {index}: position {where} is not on Earth; left out")
    return doubts


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _ident(item: dict[str, Any], key: str) -> str:
    value = item[key]
    if (
        type(value) is str
        and 0 < len(value) <= 200
        and value.isprintable()
        and value.strip() == value
    ):
        return value  # the common case, checked in one pass
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise ValueError(f"{key!r} must be a non-empty string")
    text = clean_line(value, 200)
    if not text:
        raise ValueError(f"{key!r} must be a non-empty string")
    return text


def _incident(item: dict[str, Any], ctx: ParseContext) -> FeedIncident:
    """The general reading of one item: anything :func:`_clean_incident` declines."""
    if not isinstance(item, dict):
        raise TypeError("not an object")
    get = item.get
    ext = _ident(item, "id")
    if ext.startswith(ctx.source + ":"):  # tolerate a re-published full id
        ext = ext[len(ctx.source) + 1 :]
    title = clean_line(get("title"))
    if not title:
        raise ValueError(f"incident {ext!r} has no title")
    severity = str(get("severity") or "unknown").lower()
    status = str(get("status") or "open").lower()
    lat, lon = as_float(get("lat")), as_float(get("lon"))
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        lat = lon = None
    reported_text, updated_text = get("reported_at"), get("updated_at")
    reported = _iso(reported_text, ctx)
    # Most feeds repeat the report time as the update time: convert it once.
    updated = reported if updated_text == reported_text else _iso(updated_text, ctx)
    for text, value in ((reported_text, reported), (updated_text, updated)):
        if text and value is None:
            raise ValueError(f"incident {ext!r}: {str(text)[:40]!r} is not a time it can read")
    extra = get("extra")
    return FeedIncident(
        ext,
        title,
        clean_text(get("description")),
        clean_line(get("category") or "other", 40).lower(),
        severity if severity in _SEVERITIES else "unknown",
        status if status in _STATUSES else "open",
        clean_line(get("area"), 200),
        lat,
        lon,
        reported,
        updated,
        _url(get("url")),
        clean_line(get("assigned_to"), 60) or None,
        get("exercise") is True,
        json.dumps(extra, sort_keys=True, ensure_ascii=False)
        if extra and isinstance(extra, dict)
        else None,
    )


def _iso(value: object, ctx: ParseContext) -> str | None:
    """An ISO 8601 time as the cache's ``YYYY-MM-DDTHH:MM:SSZ`` (None if it is not one).

    A time without a zone is read in the site's zone.
    """
    if type(value) is str and _canonical(value):
        return value  # checked, not rebuilt
    return iso_z(as_time(value, ctx.tz))


def _zoneless(*values: object) -> bool:
    """Whether one of ``values`` is an ISO time without a zone (read in the site's zone)."""
    for value in values:
        if isinstance(value, str) and len(value) >= 16 and "T" in value:
            tail = value[value.index("T") :]
            if not (tail.endswith(("Z", "z")) or "+" in tail or "-" in tail):
                return True
    return False


def _url(value: object) -> str | None:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return clean_line(value, 2000)
    return None


def _agency(item: dict[str, Any], ctx: ParseContext) -> Agency:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    ident = _ident(item, "id")
    status = str(item.get("status") or "unknown").lower()
    kpis = []
    for k in item.get("kpis") or []:
        if isinstance(k, dict) and k.get("name"):
            kpis.append(
                Kpi(
                    name=clean_line(k["name"], 80),
                    value=as_float(k.get("value")),
                    target=as_float(k.get("target")),
                    unit=clean_line(k.get("unit"), 12),
                    higher_is_better=k.get("higher_is_better") is not False,
                )
            )
    return Agency(
        id=ident,
        name=clean_line(item.get("name")) or ident,
        status=status if status in _AGENCY_STATUSES else "unknown",
        summary=clean_text(item.get("summary"), 2000) or None,
        kpis=tuple(kpis),
        updated_at=as_time(item.get("updated_at"), ctx.tz),
        source=ctx.source,
        url=_url(item.get("url")),
        kind="service" if str(item.get("kind") or "").lower() == "service" else "agency",
    )
