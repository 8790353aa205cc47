"""GeoJSON earthquake feeds (USGS summary feeds): [lon, lat, depth], millisecond times.

``tsunami`` is USGS's flag for large oceanic events, not a warning: it is kept
but does not raise the severity.  The PAGER ``alert`` colour, when present,
sets the severity; otherwise the magnitude does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cc_console.models import Incident
from cc_console.sources._quake import magnitude_severity
from cc_console.sources.base import ParseContext, Parsed, ParseError, as_float, clean_line

FORMAT = "geojson"
KINDS = ("incidents",)
_ALERT = {"red": "extreme", "orange": "severe", "yellow": "moderate", "green": "minor"}


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a GeoJSON FeatureCollection of earthquakes."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ParseError('expected a GeoJSON {"type": "FeatureCollection"}')
    features = doc.get("features")
    if not isinstance(features, list):
        raise ParseError('"features" must be a list')
    out = Parsed()
    for index, f in enumerate(features):
        try:
            out.incidents.append(_feature(f, ctx))
        except (ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            out.warnings.append(f"feature {index} skipped: {exc}")
    return out


def _ms(value: object) -> datetime | None:
    number = as_float(value)
    if number is None:
        return None
    return datetime.fromtimestamp(number / 1000, tz=UTC).replace(microsecond=0)


def _feature(f: object, ctx: ParseContext) -> Incident:
    if not isinstance(f, dict):
        raise TypeError("not an object")
    ident = f.get("id")
    if not isinstance(ident, str | int) or isinstance(ident, bool) or not str(ident).strip():
        raise ValueError("feature without an id")
    props: dict[str, Any] = f.get("properties") if isinstance(f.get("properties"), dict) else {}  # type: ignore[assignment]
    geometry = f.get("geometry") if isinstance(f.get("geometry"), dict) else {}
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    lat = lon = depth = None
    if isinstance(coords, list) and len(coords) >= 2:
        lon, lat = as_float(coords[0]), as_float(coords[1])
        depth = as_float(coords[2]) if len(coords) > 2 else None
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
    mag = as_float(props.get("mag"))
    place = clean_line(props.get("place"), 200)
    alert = props.get("alert") if props.get("alert") in _ALERT else None
    severity = _ALERT[alert] if alert else magnitude_severity(mag)
    time = _ms(props.get("time"))
    if time is None:
        raise ValueError(f"feature {ident!r} has no time")
    mag_text = f"M {mag:g}" if mag is not None else "M ?"
    title = clean_line(props.get("title")) or (
        f"{mag_text} - {place}" if place else f"{mag_text} earthquake"
    )
    depth_text = f"depth {depth:g} km" if depth is not None else ""
    url = props.get("url")
    kind = props.get("type") or "earthquake"
    return Incident(
        source=ctx.source,
        external_id=clean_line(ident, 120),
        title=title,
        description=clean_line("; ".join(x for x in (place, depth_text) if x), 400),
        category="earthquake" if kind == "earthquake" else "other",
        severity=severity,
        area=place,
        lat=lat,
        lon=lon,
        reported_at=time,
        updated_at=_ms(props.get("updated")) or time,
        url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
        extra={
            "magnitude": mag,
            "depth_km": depth,
            "alert": alert,
            "tsunami": props.get("tsunami") == 1,
        },
    )
