"""Earthquake facts shared by the BMKG and GeoJSON parsers."""

from __future__ import annotations

__all__ = ["magnitude_severity"]


def magnitude_severity(magnitude: float | None, *, tsunami: bool = False, mmi: int = 0) -> str:
    """CAP severity for a quake: grows with magnitude, felt intensity and tsunami potential.

    M>=7 or a tsunami potential is extreme; M>=6 or felt at MMI VI+ severe;
    M>=5 or MMI IV+ moderate; anything weaker minor.
    """
    if tsunami:
        return "extreme"
    if magnitude is None and not mmi:
        return "unknown"
    m = magnitude or 0.0
    if m >= 7.0:
        return "extreme"
    if m >= 6.0 or mmi >= 6:
        return "severe"
    if m >= 5.0 or mmi >= 4:
        return "moderate"
    return "minor"
