"""BMKG earthquake feeds: autogempa (one quake), gempaterkini and gempadirasakan (lists).

Every value is a string and any key may be missing.  ``DateTime`` (UTC) is
trusted over ``Tanggal``/``Jam`` (WIB, Indonesian month names); ``Coordinates``
over ``Lintang``/``Bujur``.  The feeds carry no id, so one is derived from the
origin time and the rounded epicentre: stable while the quake moves down the
list, and unchanged by BMKG's small revisions of magnitude.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from cc_console.models import Incident
from cc_console.sources._quake import magnitude_severity
from cc_console.sources.base import (
    ParseContext,
    Parsed,
    ParseError,
    as_float,
    as_time,
    clean_line,
    clean_text,
)

FORMAT = "bmkg-gempa"
KINDS = ("incidents",)
SHAKEMAP_BASE = "https://data.bmkg.go.id/DataMKG/TEWS/"

_WIB = timezone(timedelta(hours=7))
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "ags": 8,
    "agt": 8,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "des": 12,
    "dec": 12,
}
_ROMAN = {
    "I": 1,
    "II": 2,
    "III": 3,
    "IV": 4,
    "V": 5,
    "VI": 6,
    "VII": 7,
    "VIII": 8,
    "IX": 9,
    "X": 10,
    "XI": 11,
    "XII": 12,
}
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a BMKG ``{"Infogempa": {"gempa": ...}}`` document."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON ({str(exc)[:80]})") from None
    info = doc.get("Infogempa") if isinstance(doc, dict) else None
    if not isinstance(info, dict) or "gempa" not in info:
        raise ParseError('expected a BMKG document {"Infogempa": {"gempa": ...}}')
    quakes = info["gempa"]
    if isinstance(quakes, dict):
        quakes = [quakes]
    if not isinstance(quakes, list):
        raise ParseError('"gempa" must be an object or a list')
    out = Parsed()
    for index, q in enumerate(quakes):
        try:
            out.incidents.append(_quake(q, ctx))
        except (ValueError, TypeError, KeyError) as exc:
            out.warnings.append(f"quake {index} skipped: {exc}")
    return out


def _s(q: dict[str, Any], key: str) -> str:
    value = q.get(key)
    return value.strip() if isinstance(value, str) else ""


def _time(q: dict[str, Any]) -> datetime:
    dt = as_time(_s(q, "DateTime"))
    if dt is not None:
        return dt
    # "05 Okt 2021" + "18:00:27 WIB": Indonesian months, day not always padded.
    m = re.match(r"(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*[\s-]+(\d{4})", _s(q, "Tanggal"))
    t = re.match(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", _s(q, "Jam"))
    if not m or not t or m.group(2).lower() not in _MONTHS:
        raise ValueError("no usable DateTime or Tanggal/Jam")
    local = datetime(
        int(m.group(3)),
        _MONTHS[m.group(2).lower()],
        int(m.group(1)),
        int(t.group(1)),
        int(t.group(2)),
        int(t.group(3) or 0),
        tzinfo=_WIB,
    )
    return local.astimezone(UTC)


def _coordinate(text: str, negative: str) -> float | None:
    m = _NUM.search(text)
    if not m:
        return None
    value = abs(float(m.group().replace(",", ".")))
    return -value if negative in text.upper() else value


def _position(q: dict[str, Any]) -> tuple[float | None, float | None]:
    parts = _s(q, "Coordinates").split(",")
    if len(parts) == 2:
        lat, lon = as_float(parts[0]), as_float(parts[1])
    else:
        lat, lon = _coordinate(_s(q, "Lintang"), "LS"), _coordinate(_s(q, "Bujur"), "BB")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def tsunami_potential(potensi: str) -> bool:
    """Whether BMKG's ``Potensi`` text says there is a tsunami potential (minding negation)."""
    text = potensi.lower()
    if re.search(r"\btidak\s+(ber)?potensi", text) or "no tsunami" in text:
        return False
    return bool(re.search(r"(ber)?potensi\s+tsunami", text) or "tsunami potential" in text)


def felt_mmi(dirasakan: str) -> int:
    """The highest MMI (Roman numerals) named in ``Dirasakan``, 0 if none."""
    best = 0
    for token in re.findall(r"\b([IVX]{1,4})\b", dirasakan.upper()):
        best = max(best, _ROMAN.get(token, 0))
    return best


def _quake(q: object, ctx: ParseContext) -> Incident:
    if not isinstance(q, dict):
        raise TypeError("not an object")
    when = _time(q)
    lat, lon = _position(q)
    magnitude = as_float(_s(q, "Magnitude").replace(",", "."))
    depth_match = _NUM.search(_s(q, "Kedalaman"))
    depth = float(depth_match.group().replace(",", ".")) if depth_match else None
    potensi = clean_line(_s(q, "Potensi"), 200)
    dirasakan = clean_line(_s(q, "Dirasakan"), 500)
    tsunami = tsunami_potential(potensi)
    mmi = felt_mmi(dirasakan)
    wilayah = clean_line(_s(q, "Wilayah"), 200)
    where = f"{lat:+.1f}{lon:+.1f}" if lat is not None and lon is not None else "nopos"
    ext = f"{when:%Y%m%dT%H%M%SZ}{where}"
    mag_text = f"M{magnitude:.1f}" if magnitude is not None else "M?"
    shakemap = _s(q, "Shakemap")
    shakemap_url = (
        SHAKEMAP_BASE + shakemap if re.fullmatch(r"[A-Za-z0-9._-]{1,100}", shakemap) else None
    )
    lines = [
        x
        for x in (
            potensi,
            f"Dirasakan: {dirasakan}" if dirasakan else "",
            f"Kedalaman: {depth:g} km" if depth is not None else "",
        )
        if x
    ]
    extra: dict[str, Any] = {"magnitude": magnitude, "depth_km": depth, "tsunami": tsunami}
    if potensi:
        extra["potential"] = potensi
    if dirasakan:
        extra["felt"] = dirasakan
        extra["mmi"] = mmi
    if shakemap_url:
        extra["shakemap"] = shakemap_url
    return Incident(
        source=ctx.source,
        external_id=ext,
        title=clean_line(f"Gempa {mag_text} {wilayah}".strip()),
        description=clean_text("\n".join(lines)),
        category="earthquake",
        severity=magnitude_severity(magnitude, tsunami=tsunami, mmi=mmi),
        area=wilayah,
        lat=lat,
        lon=lon,
        reported_at=when,
        updated_at=when,
        url=shakemap_url,
        extra=extra,
    )
