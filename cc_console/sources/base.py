"""What every format parser shares: its context, its result and text hygiene.

Parsers are pure: bytes and a :class:`ParseContext` in, a :class:`Parsed` out,
or a :class:`~cc_console.errors.ParseError` when the body is not the format at
all.  A malformed item inside a good feed is skipped and counted as a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from cc_console.errors import ParseError
from cc_console.models import Agency, FeedIncident, Incident, Meeting
from cc_console.text import clean_line, clean_text

__all__ = [
    "ParseContext",
    "ParseError",
    "Parsed",
    "as_float",
    "as_time",
    "clean_line",
    "clean_text",
]


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What a parser may know besides the bytes: no clock reads inside parsers."""

    source: str
    kind: str
    url: str
    now: datetime
    language: str = "id"
    tz: tzinfo = UTC
    expired: Callable[[], bool] = field(default=lambda: False)
    """True once the source's time is up: a parser that can run long stops then."""


@dataclass(slots=True)
class Parsed:
    """The records of one body, the warnings of skipped items, links to follow."""

    incidents: list[Incident | FeedIncident] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)

    def records(self, kind: str) -> list[Any]:
        """The records of ``kind`` ("incidents", "agencies" or "agenda")."""
        if kind == "incidents":
            return self.incidents
        if kind == "agencies":
            return self.agencies
        return self.meetings

    def extend(self, other: Parsed) -> None:
        """Merge ``other`` (e.g. a CAP document linked from an index) into this one."""
        self.incidents.extend(other.incidents)
        self.agencies.extend(other.agencies)
        self.meetings.extend(other.meetings)
        self.warnings.extend(other.warnings)


def as_float(value: object) -> float | None:
    """A finite float from a number or numeric string, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if f == f and abs(f) != float("inf") else None


def as_time(value: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text, else None (never raises)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value)  # 3.11 reads "Z" and offsets
    except ValueError:
        try:
            dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            return None
    if dt.tzinfo is UTC:
        return dt.replace(microsecond=0) if dt.microsecond else dt
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        return None
