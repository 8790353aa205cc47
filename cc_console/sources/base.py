"""What every format parser shares: its context, its result and text hygiene.

Parsers are pure: bytes and a :class:`ParseContext` in, a :class:`Parsed` out,
or a :class:`~cc_console.errors.ParseError` when the body is not the format at
all.  A malformed item inside a good feed is skipped and counted as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from operator import attrgetter
from typing import Any

from cc_console.errors import ParseError
from cc_console.models import Agency, FeedIncident, Incident, Meeting, SiteEvent
from cc_console.text import clean_line, clean_text

__all__ = [
    "ParseContext",
    "ParseError",
    "Parsed",
    "as_float",
    "as_time",
    "clean_line",
    "clean_text",
    "time_range",
]


def _all_within(
    rows: Sequence[Incident | FeedIncident],
    bounds: tuple[datetime, datetime],
    text_bounds: tuple[str, str],
) -> bool:
    """Whether every time of ``rows`` is inside the bounds: min and max in C, no loop here."""
    for name in ("reported_at", "updated_at"):
        times = list(filter(None, map(attrgetter(name), rows)))
        if not times:
            continue
        lo, hi = text_bounds if isinstance(times[0], str) else bounds
        try:
            if min(times) < lo or max(times) > hi:
                return False
        except TypeError:  # str and datetime mixed: check each record
            return False
    return True


def time_range(now: datetime) -> tuple[datetime, datetime]:
    """The times a record may carry: from 1970 to a year after ``now``."""
    return datetime(1970, 1, 1, tzinfo=UTC), now + timedelta(days=366)


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
    events: list[SiteEvent] = field(default_factory=list)
    """Another command center's disaster events (a native ``events`` feed)."""
    warnings: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    site: tuple[str, str] | None = None
    """The (code, name) of the command center a native feed comes from (None: ours)."""
    generated_at: datetime | None = None
    """When that command center last wrote its cache (a native feed's ``generated_at``)."""

    def drop_out_of_range(self, now: datetime) -> None:
        """Skip, with a warning, each record whose time lies outside :func:`time_range`.

        A year 9999 (or 0001) would sort as newest and overflow every age and
        window computed from it; no real report is that far off.
        """
        lo, hi = time_range(now)
        lo_z, hi_z = lo.strftime("%Y-%m-%dT%H:%M:%SZ"), hi.strftime("%Y-%m-%dT%H:%M:%SZ")

        def bad(value: datetime | str | None) -> bool:
            if value is None:
                return False
            if isinstance(value, str):
                return not lo_z <= value <= hi_z
            return not lo <= value <= hi

        def keep(what: str, ident: str, *times: datetime | str | None) -> bool:
            wrong = next((t for t in times if bad(t)), None)
            if wrong is None:
                return True
            shown = wrong if isinstance(wrong, str) else wrong.isoformat()
            self.warnings.append(
                f"{what} {ident[:60]!r} skipped: time {shown} is outside "
                f"{lo.year}-{hi.date()} (check the feed's clock)"
            )
            return False

        if self.incidents and not _all_within(self.incidents, (lo, hi), (lo_z, hi_z)):
            self.incidents = [
                i
                for i in self.incidents
                if keep("incident", i.external_id, i.reported_at, i.updated_at)
            ]
        if self.agencies:
            self.agencies = [a for a in self.agencies if keep("agency", a.id, a.updated_at)]
        if self.meetings:
            self.meetings = [m for m in self.meetings if keep("event", m.uid, m.start, m.end)]

    def records(self, kind: str) -> list[Any]:
        """The records of ``kind`` ("incidents", "agencies", "agenda" or "events")."""
        if kind == "incidents":
            return self.incidents
        if kind == "agencies":
            return self.agencies
        if kind == "events":
            return self.events
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


def as_time(value: object, tz: tzinfo = UTC) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text, else None (never raises).

    A time without a zone is read in ``tz`` (the site's zone: WIB feeds are not UTC).
    """
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
        dt = dt.replace(tzinfo=tz)
    try:
        return dt.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        return None
