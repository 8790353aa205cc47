"""The native format: what ``cc-console serve`` publishes (CONTRACT.md section 6).

``{"format": "cc-console/incidents", "version": 1, "generated_at": ...,
"incidents": [...]}`` and likewise ``cc-console/agencies``.  Items are the
objects of ``incidents --json`` / ``agencies --json``, ``id`` being the
external id.
"""

from __future__ import annotations

import json
from typing import Any

from cc_console.models import AGENCY_STATUSES, INCIDENT_STATUSES, SEVERITIES, Agency, Incident, Kpi
from cc_console.sources.base import (
    ParseContext,
    Parsed,
    ParseError,
    as_float,
    as_time,
    clean_line,
    clean_text,
)

FORMAT = "native"
KINDS = ("incidents", "agencies")
VERSION = 1

_SEVERITIES = frozenset(SEVERITIES)
_STATUSES = frozenset(INCIDENT_STATUSES)
_AGENCY_STATUSES = frozenset(AGENCY_STATUSES)


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a native incidents or agencies document for ``ctx.kind``."""
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
    convert = _incident if ctx.kind == "incidents" else _agency
    target = out.incidents if ctx.kind == "incidents" else out.agencies
    for index, item in enumerate(items):
        try:
            target.append(convert(item, ctx))  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError) as exc:
            out.warnings.append(f"item {index} skipped: {_short(exc)}")
    return out


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


def _incident(item: dict[str, Any], ctx: ParseContext) -> Incident:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    ext = _ident(item, "id")
    if ext.startswith(ctx.source + ":"):  # tolerate a re-published full id
        ext = ext[len(ctx.source) + 1 :]
    title = clean_line(item.get("title"))
    if not title:
        raise ValueError(f"incident {ext!r} has no title")
    severity = str(item.get("severity") or "unknown").lower()
    status = str(item.get("status") or "open").lower()
    lat, lon = as_float(item.get("lat")), as_float(item.get("lon"))
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        lat = lon = None
    extra = item.get("extra")
    reported_text, updated_text = item.get("reported_at"), item.get("updated_at")
    reported = as_time(reported_text)
    # Most feeds repeat the report time as the update time: parse it once.
    updated = reported if updated_text == reported_text else as_time(updated_text)
    return Incident(
        source=ctx.source,
        external_id=ext,
        title=title,
        description=clean_text(item.get("description")),
        category=clean_line(item.get("category") or "other", 40).lower(),
        severity=severity if severity in _SEVERITIES else "unknown",
        status=status if status in _STATUSES else "open",
        area=clean_line(item.get("area"), 200),
        lat=lat,
        lon=lon,
        reported_at=reported,
        updated_at=updated,
        url=_url(item.get("url")),
        assigned_to=clean_line(item.get("assigned_to"), 60) or None,
        exercise=item.get("exercise") is True,
        extra=extra if isinstance(extra, dict) else {},
    )


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
        updated_at=as_time(item.get("updated_at")),
        source=ctx.source,
        url=_url(item.get("url")),
    )
