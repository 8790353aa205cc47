"""Policy (SLA): which rule holds for an incident, and when its deadlines fall.

Pure: rules, a working calendar and Indonesia's national public holidays (the
``holidays`` package) in, due times out. No clock is read here; the store
keeps the results per incident (CONTRACT.md section 7).

Rules are tried in order and the first whose ``match`` holds applies. A
``working`` clock counts only ``[site] working_hours`` on ``working_days``
that are not public holidays, and there a day (``"3d"``) is one working-hours
span: three working days, as SP4N-LAPOR! counts them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "BREACHES",
    "DAYS",
    "Calendar",
    "Match",
    "Policy",
    "Rule",
    "Within",
    "breach_of",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BREACHES = ("acknowledge", "resolve")
MATCH_KEYS = ("severity", "category", "source", "area")
_MAX_DAYS = 3660  # a working-time walk never looks further than ten years ahead


@dataclass(frozen=True)
class Within:
    """A deadline's length: whole days and seconds ("3d" is ``Within(3, 0)``).

    With the ``always`` clock a day is 24 hours; with ``working`` it is one
    working-hours span.
    """

    days: float = 0.0
    seconds: float = 0.0

    def label(self) -> str:
        """As written in the config (``3d``, ``90m``)."""
        parts = [f"{self.days:g}d"] if self.days else []
        s = int(self.seconds)
        for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
            if s >= size:
                parts.append(f"{s // size}{unit}")
                s %= size
        return "".join(parts) or "0s"


@dataclass(frozen=True)
class Match:
    """What a rule applies to; empty keys match anything. ``area`` matches as a substring."""

    severity: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    area: tuple[str, ...] = ()

    def holds(self, severity: str, category: str, source: str, area: str) -> bool:
        """Whether an incident with these fields is matched."""
        if self.severity and severity not in self.severity:
            return False
        if self.category and category not in self.category:
            return False
        if self.source and source not in self.source:
            return False
        if self.area:
            folded = (area or "").casefold()
            return any(part.casefold() in folded for part in self.area)
        return True

    def sql(self, table: str = "") -> tuple[str, list[Any]]:
        """The same test as a SQL condition over ``incidents`` (``1`` when it matches all).

        ``table``: the name or alias to qualify the columns with, in a join.
        """
        at = f"{table}." if table else ""
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("severity", "category", "source"):
            values = getattr(self, column)
            if values:
                clauses.append(f"{at}{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.area:
            # SQLite's lower() folds ASCII only; Indonesian place names are ASCII.
            test = f"instr(lower({at}area), ?) > 0"
            clauses.append("(" + " OR ".join(test for _ in self.area) + ")")
            params.extend(part.lower() for part in self.area)
        return (" AND ".join(clauses) or "1"), params

    def as_dict(self) -> dict[str, list[str]]:
        """The non-empty keys (for JSON and the fingerprint)."""
        return {k: list(getattr(self, k)) for k in MATCH_KEYS if getattr(self, k)}


@dataclass(frozen=True)
class Rule:
    """One ``[[sla]]`` table."""

    match: Match = field(default_factory=Match)
    acknowledge_within: Within | None = None
    resolve_within: Within | None = None
    clock: str = "always"  # or "working"


@dataclass(frozen=True)
class Calendar:
    """The site's working time: hours in its zone, week days, minus national holidays."""

    timezone: str = "Asia/Jakarta"
    start: time = time(8, 0)
    end: time = time(16, 0)
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    country: str = "ID"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def span(self) -> float:
        """Seconds of one working day."""
        return (
            datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)
        ).total_seconds()

    def holiday(self, day: date) -> str | None:
        """The name of the national public holiday on ``day``, if it is one."""
        return _holidays(self.country).get(day)

    def is_working_day(self, day: date) -> bool:
        """A working week day that is not a public holiday."""
        return DAYS[day.weekday()] in self.days and self.holiday(day) is None

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of working time after ``start`` (aware; UTC out).

        Time outside working hours, on days off and on public holidays does not
        count; a start outside working hours begins at the next working hour.
        """
        tz = self.tz
        cursor = start.astimezone(UTC)
        remaining = max(0.0, seconds)
        day = cursor.astimezone(tz).date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                opens = datetime.combine(day, self.start, tz).astimezone(UTC)
                closes = datetime.combine(day, self.end, tz).astimezone(UTC)
                cursor = max(cursor, opens)
                if cursor < closes:
                    available = (closes - cursor).total_seconds()
                    if remaining <= available:
                        return cursor + timedelta(seconds=remaining)
                    remaining -= available
            day += timedelta(days=1)
            cursor = max(cursor, datetime.combine(day, time(0), tz).astimezone(UTC))
        return cursor  # a calendar with (almost) no working days: as far as we looked

    def as_dict(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "hours": f"{self.start:%H:%M}-{self.end:%H:%M}",
            "days": list(self.days),
            "holidays": self.country,
        }


@functools.cache
def _holidays(country: str) -> Mapping[date, str]:
    """National public holidays, years filled in as asked (imported on first use)."""
    import holidays

    return holidays.country_holidays(country)


@dataclass(frozen=True)
class Policy:
    """The rules of a site over its calendar."""

    rules: tuple[Rule, ...] = ()
    calendar: Calendar = field(default_factory=Calendar)

    def rule_for(self, severity: str, category: str, source: str, area: str) -> Rule | None:
        """The first rule that matches, or None (then the incident has no deadline)."""
        for rule in self.rules:
            if rule.match.holds(severity, category, source, area):
                return rule
        return None

    def due(self, rule: Rule, within: Within | None, reported: datetime) -> datetime | None:
        """When a deadline of ``within`` under ``rule``'s clock falls, counted from ``reported``."""
        if within is None:
            return None
        if rule.clock == "working":
            return self.calendar.add(reported, within.days * self.calendar.span + within.seconds)
        return reported.astimezone(UTC) + timedelta(days=within.days, seconds=within.seconds)

    def dues(
        self, severity: str, category: str, source: str, area: str, reported: datetime | None
    ) -> tuple[datetime | None, datetime | None]:
        """``(acknowledge_due, resolve_due)`` of one incident."""
        rule = self.rule_for(severity, category, source, area)
        if rule is None or reported is None:
            return None, None
        return (
            self.due(rule, rule.acknowledge_within, reported),
            self.due(rule, rule.resolve_within, reported),
        )

    def fingerprint(self) -> str:
        """Changes whenever any rule or the calendar does (stored deadlines are then redone)."""
        doc = {
            "rules": [
                {
                    "match": r.match.as_dict(),
                    "ack": r.acknowledge_within and r.acknowledge_within.label(),
                    "resolve": r.resolve_within and r.resolve_within.label(),
                    "clock": r.clock,
                }
                for r in self.rules
            ],
            "calendar": self.calendar.as_dict() if self.uses_calendar else None,
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def uses_calendar(self) -> bool:
        return any(r.clock == "working" for r in self.rules)


def breach_of(
    status: str,
    acknowledge_due: datetime | None,
    resolve_due: datetime | None,
    now: datetime,
) -> str | None:
    """The deadline an incident is past while its work is still undone, or None.

    ``resolve`` wins over ``acknowledge`` when both have passed.
    """
    if status not in ("open", "acknowledged"):
        return None
    if resolve_due is not None and resolve_due <= now:
        return "resolve"
    if status == "open" and acknowledge_due is not None and acknowledge_due <= now:
        return "acknowledge"
    return None


def pending_due(
    status: str, acknowledge_due: datetime | None, resolve_due: datetime | None
) -> tuple[str, datetime] | None:
    """The next deadline still to meet: ``("acknowledge"|"resolve", when)`` or None."""
    if status == "open":
        options = [
            (d, k)
            for d, k in ((acknowledge_due, "acknowledge"), (resolve_due, "resolve"))
            if d is not None
        ]
        if not options:
            return None
        when, kind = min(options)
        return kind, when
    if status == "acknowledged" and resolve_due is not None:
        return "resolve", resolve_due
    return None
