"""OASIS CAP 1.2 (and 1.1) alerts, alone or behind an Atom/RSS index.

- Parsed with defusedxml only: entity expansion and external entities are refused.
- ``status`` Test, System and Draft are not incidents; Exercise is marked.
- ``msgType`` Update supersedes the alerts its ``references`` name, Cancel
  cancels them (the store folds a thread into one incident); Ack and Error are
  not incidents.
- The ``info`` block in the site's language is preferred.
- An expired alert resolves, and so does one whose ``responseType`` is AllClear;
  an ``expires`` earlier than ``sent`` is ignored.
- Area: areaDesc, polygons (``lat,lon`` pairs: latitude first) and circles are
  kept; the incident's point is a zero-radius circle's centre (a point), else inside
  the first polygon, else a circle's centre.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cc_console.models import CATEGORIES, SITE_CODE_RE, Incident
from cc_console.sources.base import (
    ParseContext,
    Parsed,
    ParseError,
    as_time,
    clean_line,
    clean_text,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

FORMAT = "cap"
KINDS = ("incidents",)

CAP_NAMESPACES = {
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
}
_NOT_INCIDENTS = {"test", "system", "draft"}
_SEVERITY = {"extreme", "severe", "moderate", "minor", "unknown"}
_CATEGORY_WORDS = (
    ("earthquake", ("gempa", "earthquake", "seismic")),
    ("flood", ("banjir", "flood", "rob ")),
    ("landslide", ("longsor", "landslide", "tanah bergerak")),
    ("fire", ("kebakaran", "fire", "karhutla")),
    ("weather", ("hujan", "angin", "cuaca", "rain", "storm", "wind", "thunder", "petir", "puting")),
)
_CATEGORY_CAP = {
    "geo": "earthquake", "met": "weather", "fire": "fire", "health": "health",
    "infra": "infrastructure", "transport": "traffic", "security": "security",
    "safety": "other", "rescue": "other", "env": "other", "cbrne": "security",
}  # fmt: skip


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _kids(el: Element, name: str) -> Iterator[Element]:
    return (c for c in el if _local(c.tag) == name)


def _text(el: Element, name: str) -> str:
    for c in _kids(el, name):
        return (
            " ".join((c.text or "").split())
            if name not in ("description", "instruction")
            else (c.text or "").strip()
        )
    return ""


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a CAP alert, or an Atom/RSS index of CAP alerts (links go to ``follow``)."""
    root = _xml(body)
    kind = _local(root.tag)
    out = Parsed()
    if kind == "alert" and _ns(root.tag) in CAP_NAMESPACES:
        _alert(root, ctx, out)
    elif kind == "feed":
        for entry in _kids(root, "entry"):
            _index_entry(entry, ctx, out, atom=True)
    elif kind == "rss":
        for channel in _kids(root, "channel"):
            for item in _kids(channel, "item"):
                _index_entry(item, ctx, out, atom=False)
    else:
        raise ParseError(f"expected a CAP alert or an Atom/RSS index, got <{kind[:40]}>")
    return out


def _xml(body: bytes) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError as XmlError
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(body)
    except DefusedXmlException as exc:
        raise ParseError(f"refused unsafe XML ({type(exc).__name__})") from None
    except (XmlError, ValueError, TypeError, LookupError, UnicodeError) as exc:
        raise ParseError(f"not well-formed XML ({str(exc)[:80]})") from None


def _index_entry(entry: Element, ctx: ParseContext, out: Parsed, *, atom: bool) -> None:
    embedded = [
        el for el in entry.iter() if _local(el.tag) == "alert" and _ns(el.tag) in CAP_NAMESPACES
    ]
    if embedded:
        for alert in embedded:
            _alert(alert, ctx, out)
        return
    link = _cap_link(entry, atom)
    if link:
        from urllib.parse import urljoin

        out.follow.append(urljoin(ctx.url, link))
    else:
        out.warnings.append("index entry without a CAP link skipped")


def _cap_link(entry: Element, atom: bool) -> str | None:
    links: list[tuple[str, str]] = []  # (type, href)
    for el in entry:
        name = _local(el.tag)
        if name == "link":
            href = (el.get("href") if atom else (el.text or el.get("href"))) or ""
            links.append(((el.get("type") or "").lower(), href.strip()))
        elif name == "enclosure":
            links.append(((el.get("type") or "").lower(), (el.get("url") or "").strip()))
    links = [(t, h) for t, h in links if h]
    for t, h in links:
        if t == "application/cap+xml":
            return h
    if len(links) == 1:
        return links[0][1]
    for _, h in links:
        if h.lower().endswith((".xml", ".cap")):
            return h
    return None


def _references(text: str) -> tuple[str, ...]:
    ids = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) >= 2 and parts[1].strip():
            ids.append(clean_line(parts[1], 200))
    return tuple(ids)


def _first_sent(text: str, ctx: ParseContext) -> datetime | None:
    """The earliest ``sent`` of the messages ``references`` names: when the thread began."""
    times = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) >= 3:
            when = as_time(parts[2], ctx.tz)
            if when is not None:
                times.append(when)
    return min(times, default=None)


def _pick_info(infos: list[Element], language: str) -> Element | None:
    if not infos:
        return None
    wanted = ("id", "in") if language == "id" else ("en",)

    def lang(i: Element) -> str:
        return (_text(i, "language") or "en-US").lower()

    for info in infos:
        if lang(info).split("-")[0] in wanted:
            return info
    return infos[0]


def _category(info: Element) -> str:
    for param in _kids(info, "parameter"):  # a cc-console sender names ours exactly
        if _text(param, "valueName") == "cc-console:category":
            value = _text(param, "value")
            if value in CATEGORIES:
                return value
    haystack = f" {_text(info, 'event')} {_text(info, 'headline')} ".lower()
    for category, words in _CATEGORY_WORDS:
        if any(w in haystack for w in words):
            return category
    for c in _kids(info, "category"):
        mapped = _CATEGORY_CAP.get((c.text or "").strip().lower())
        if mapped:
            return mapped
    return "other"


def _site_parameter(info: Element) -> str | None:
    """The ``cc-console:site`` parameter of a cc-console alert: the code of the site the
    incident belongs to, kept through re-publishing (None when absent or not a code)."""
    for param in _kids(info, "parameter"):
        if _text(param, "valueName") == "cc-console:site":
            value = _text(param, "value")
            return value if SITE_CODE_RE.fullmatch(value) else None
    return None


def _alert(alert: Element, ctx: ParseContext, out: Parsed) -> None:
    identifier = clean_line(_text(alert, "identifier"), 200)
    if not identifier:
        out.warnings.append("alert without identifier skipped")
        return
    status = _text(alert, "status").lower()
    msg_type = _text(alert, "msgType").lower() or "alert"
    if status in _NOT_INCIDENTS or msg_type in ("ack", "error"):
        return
    sent = as_time(_text(alert, "sent"), ctx.tz)
    if sent is None:
        out.warnings.append(f"alert {identifier!r} skipped: no valid <sent> time")
        return
    info = _pick_info(list(_kids(alert, "info")), ctx.language)
    refs = _references(_text(alert, "references")) if msg_type in ("update", "cancel") else ()
    reported = sent
    if refs:
        began = _first_sent(_text(alert, "references"), ctx)
        if began is not None and began < sent:
            reported = began
    extra: dict[str, Any] = {
        "sender": clean_line(_text(alert, "sender"), 200),
        "msg_type": msg_type,
    }
    note = clean_text(_text(alert, "note"), 2000)
    title, description, category, severity, url = "", note, "other", "unknown", None
    area, lat, lon = "", None, None
    feed_status = "cancelled" if msg_type == "cancel" else "open"
    if info is not None:
        title = clean_line(_text(info, "headline")) or clean_line(_text(info, "event"))
        parts = [_text(info, "description"), _text(info, "instruction"), note]
        description = clean_text("\n\n".join(p for p in parts if p))
        category = _category(info)
        sev = _text(info, "severity").lower()
        severity = sev if sev in _SEVERITY else "unknown"
        web = _text(info, "web")
        url = web if web.startswith(("http://", "https://")) else None
        area, lat, lon, shapes = _area(info)
        if shapes:
            extra["shapes"] = shapes
        site = _site_parameter(info) if extra["sender"].startswith("cc-console") else None
        if site:  # the site a cc-console sender says the alert belongs to (a regency's)
            extra["site"] = site
        for key in ("event", "urgency", "certainty", "senderName"):
            value = clean_line(_text(info, key), 200)
            if value:
                extra[key] = value
        if any((r.text or "").strip().lower() == "allclear" for r in _kids(info, "responseType")):
            feed_status = "resolved" if feed_status == "open" else feed_status
        expires = as_time(_text(info, "expires"), ctx.tz)
        if expires is not None and expires > sent:
            extra["expires"] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
            if expires <= ctx.now and feed_status == "open":
                feed_status = "resolved"
    out.incidents.append(
        Incident(
            source=ctx.source,
            external_id=identifier,
            title=title or clean_line(f"CAP {msg_type} {identifier}"),
            description=description,
            category=category,
            severity=severity,
            status=feed_status,
            area=area,
            lat=lat,
            lon=lon,
            reported_at=reported,
            updated_at=sent,
            url=url,
            exercise=status == "exercise",
            supersedes=refs,
            extra=extra,
        )
    )


def _area(info: Element) -> tuple[str, float | None, float | None, list[dict[str, Any]]]:
    names: list[str] = []
    shapes: list[dict[str, Any]] = []
    point: tuple[float, float] | None = None
    exact: tuple[float, float] | None = None
    centre: tuple[float, float] | None = None
    for area in _kids(info, "area"):
        desc = clean_line(_text(area, "areaDesc"), 200)
        if desc and desc not in names:
            names.append(desc)
        for p in _kids(area, "polygon"):
            ring = _ring(p.text or "")
            if len(ring) >= 3:
                shapes.append({"polygon": [[round(a, 5), round(b, 5)] for a, b in ring[:500]]})
                if point is None:
                    point = inside_point(ring)
        for c in _kids(area, "circle"):
            m = re.match(
                r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)", c.text or ""
            )
            if m:
                lat, lon, radius = float(m.group(1)), float(m.group(2)), float(m.group(3))
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    shapes.append({"circle": [lat, lon, radius]})
                    if radius == 0 and exact is None:
                        exact = (lat, lon)  # a circle of radius 0 is a point: the point
                    if centre is None:
                        centre = (lat, lon)
    # A point the sender stated (a circle's centre) before one derived from a polygon.
    point = exact or centre or point
    if point is None:
        return "; ".join(names)[:300], None, None, shapes
    return "; ".join(names)[:300], point[0], point[1], shapes


def _ring(text: str) -> list[tuple[float, float]]:
    ring = []
    for pair in text.split():
        parts = pair.split(",")
        if len(parts) != 2:
            continue
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            ring.append((lat, lon))
    return ring


def _contains(ring: list[tuple[float, float]], lat: float, lon: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside_point(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """A point inside the polygon ``ring`` of (lat, lon): the centroid when it is inside,
    else the middle of the widest inside stretch along the centroid's latitude."""
    lat = sum(p[0] for p in ring) / len(ring)
    lon = sum(p[1] for p in ring) / len(ring)
    if _contains(ring, lat, lon):
        return lat, lon
    crossings = []
    for i in range(len(ring)):
        (y1, x1), (y2, x2) = ring[i - 1], ring[i]
        if (y1 > lat) != (y2 > lat):
            crossings.append(x1 + (lat - y1) * (x2 - x1) / (y2 - y1))
    crossings.sort()
    spans = [(crossings[k], crossings[k + 1]) for k in range(0, len(crossings) - 1, 2)]
    if spans:
        a, b = max(spans, key=lambda s: s[1] - s[0])
        return lat, (a + b) / 2
    return ring[0]
