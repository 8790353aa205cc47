"""Symbols and styles of statuses, shared by the CLI tables and the console.

A status is always a word and a symbol; colour is only a third cue.
"""

from __future__ import annotations

__all__ = ["AGENCY_LOOK", "SEVERITY_LOOK", "SPARK"]

SEVERITY_LOOK: dict[str, tuple[str, str]] = {
    "extreme": ("▲▲", "bold red"),
    "severe": ("▲ ", "red"),
    "moderate": ("■ ", "yellow"),
    "minor": ("· ", "green"),
    "unknown": ("? ", "dim"),
}
AGENCY_LOOK: dict[str, tuple[str, str]] = {
    "operational": ("●", "green"),
    "degraded": ("◐", "yellow"),
    "partial_outage": ("◑", "dark_orange"),
    "major_outage": ("✖", "bold red"),
    "maintenance": ("◆", "blue"),
    "unknown": ("?", "dim"),
}
# Sparkline level per status: higher is healthier.
SPARK_LEVEL = {
    "major_outage": 0,
    "partial_outage": 2,
    "degraded": 4,
    "unknown": 3,
    "maintenance": 5,
    "operational": 7,
}
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(statuses: list[str]) -> str:
    """A one-line history of statuses, healthiest highest."""
    return "".join(SPARK[SPARK_LEVEL.get(s, 3)] for s in statuses)
