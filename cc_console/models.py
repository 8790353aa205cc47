"""Typed records that flow from ``sources`` into the store and from the store to the UI.

Feed records (what a parser produces) and view records (what the store returns
to widgets and the CLI) are plain frozen dataclasses: no SQL, no Textual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from cc_console.timefmt import iso_z

__all__ = [
    "AGENCY_STATUSES",
    "CATEGORIES",
    "INCIDENT_STATUSES",
    "MEETING_STATUSES",
    "SEVERITIES",
    "Agency",
    "FeedIncident",
    "Incident",
    "IncidentEvent",
    "JournalEntry",
    "Kpi",
    "Meeting",
    "SiteEvent",
    "SourceHealth",
    "feed_incident",
]

# A site's code as a native feed claims it and a source pins it (Kemendagri: "32.06").
SITE_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,19}")
SEVERITIES = ("extreme", "severe", "moderate", "minor", "unknown")
INCIDENT_STATUSES = ("open", "acknowledged", "resolved", "cancelled")
AGENCY_STATUSES = (
    "operational",
    "degraded",
    "partial_outage",
    "major_outage",
    "maintenance",
    "unknown",
)
MEETING_STATUSES = ("confirmed", "tentative", "cancelled")
# The categories parsers map feeds to (each has a word in data/i18n).
CATEGORIES = (
    "earthquake", "flood", "landslide", "fire", "weather", "complaint", "health",
    "infrastructure", "traffic", "security", "other",
)  # fmt: skip

# Worst first: lower rank sorts first in the console.
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
AGENCY_STATUS_RANK = {
    "major_outage": 0,
    "partial_outage": 1,
    "degraded": 2,
    "unknown": 3,
    "maintenance": 4,
    "operational": 5,
}


@dataclass(slots=True)  # not frozen: a feed brings 10^5 of these, and frozen init costs 3x
class Incident:
    """One incident as a feed reports it (or as the store returns it).

    ``supersedes`` lists external ids this record replaces (a CAP Update or
    Cancel names the alerts of its thread); the store folds them into one
    incident.  ``extra`` holds format-specific facts (magnitude, depth, ...).
    """

    source: str
    external_id: str
    title: str
    description: str = ""
    category: str = "other"
    severity: str = "unknown"
    status: str = "open"
    area: str = ""
    lat: float | None = None
    lon: float | None = None
    reported_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None
    assigned_to: str | None = None
    exercise: bool = False
    supersedes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # What the store adds: when work was done, and the deadlines (CONTRACT.md 7).
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    acknowledge_due: datetime | None = None
    resolve_due: datetime | None = None
    seq: int = 0  # the cache's insertion order (what arrived after what)

    @property
    def id(self) -> str:
        """``<source name>:<external id>``, stable across refreshes."""
        return f"{self.source}:{self.external_id}"


class FeedIncident(NamedTuple):
    """One incident as a feed reports it, in the cache's own terms.

    What the store compares and writes: times as ``...Z`` text, ``extra`` as
    JSON text (None when empty).  Parsers that read many thousands of items
    (the native format) build these directly; the others build an
    :class:`Incident` and :func:`feed_incident` converts it.  Without
    ``supersedes``: a record of a CAP thread stays an :class:`Incident`.
    """

    external_id: str
    title: str
    description: str
    category: str
    severity: str
    status: str
    area: str
    lat: float | None
    lon: float | None
    reported_at: str | None
    updated_at: str | None
    url: str | None
    assigned_to: str | None
    exercise: bool
    extra: str | None


def feed_incident(rec: Incident) -> FeedIncident:
    """``rec`` in the store's terms (see :class:`FeedIncident`)."""
    return FeedIncident(
        rec.external_id,
        rec.title,
        rec.description,
        rec.category,
        rec.severity,
        rec.status,
        rec.area,
        rec.lat,
        rec.lon,
        iso_z(rec.reported_at),
        iso_z(rec.updated_at),
        rec.url,
        rec.assigned_to,
        rec.exercise,
        json.dumps(rec.extra, sort_keys=True, ensure_ascii=False) if rec.extra else None,
    )


@dataclass(frozen=True, slots=True)
class Kpi:
    """A performance indicator of an agency, against its target."""

    name: str
    value: float | None
    target: float | None = None
    unit: str = ""
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        """Whether the value reaches the target (None when either is missing)."""
        if self.value is None or self.target is None:
            return None
        if self.higher_is_better:
            return self.value >= self.target
        return self.value <= self.target


@dataclass(frozen=True, slots=True)
class Agency:
    """A perangkat daerah (or a service of one) and its current status."""

    id: str
    name: str
    status: str = "unknown"
    summary: str | None = None
    kpis: tuple[Kpi, ...] = ()
    updated_at: datetime | None = None
    source: str = ""
    url: str | None = None
    kind: str = "agency"  # or "service": an IT service, reported by availability


@dataclass(frozen=True, slots=True)
class Meeting:
    """One occurrence of an agenda item (recurring series are expanded).

    Timed occurrences carry aware UTC ``start``/``end``; all-day ones carry
    ``start_date``/``end_date`` (end exclusive) and a ``start`` at the site's
    midnight for sorting.
    """

    source: str
    uid: str
    title: str
    start: datetime
    end: datetime | None = None
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    location: str = ""
    status: str = "confirmed"
    organizer: str | None = None
    participants: tuple[str, ...] = ()
    description: str = ""
    # An occurrence of a recurring series: its RECURRENCE-ID (the original start,
    # ``2026-11-02T01:00:00Z`` or a date for all-day), None for a single event.
    recurrence: str | None = None

    @property
    def id(self) -> str:
        """``<source>:<uid>`` (``:<recurrence>`` for an occurrence of a series).

        Built from what names the event in its calendar, never from its current
        start: a meeting moved to another time keeps its id, and with it its
        decisions, action items and minutes.
        """
        base = f"{self.source}:{self.uid}"
        return f"{base}:{self.recurrence}" if self.recurrence else base

    @staticmethod
    def recurrence_of(meeting_id: str, source: str, uid: str) -> str | None:
        """The recurrence part of ``meeting_id`` (None when it names a single event)."""
        base = f"{source}:{uid}:"
        return meeting_id[len(base) :] or None if meeting_id.startswith(base) else None


@dataclass(frozen=True, slots=True)
class SiteEvent:
    """A disaster event of another command center, as its ``/events.json`` serves it.

    ``totals`` is the sum over ``doc["impact"]["by_area"]`` (the same sum the site
    made of its own areas); ``doc`` is the event as served, its text cleaned, kept
    for the province's view of it.
    """

    id: str
    title: str
    category: str
    status: str | None
    status_until: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    totals: dict[str, int]
    doc: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    """One line of an incident's timeline: a feed change or an operator action."""

    at: datetime
    kind: str  # "feed" or a journal action
    text: str
    operator: str | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """An operator action, append-only, chained by hash to the one before."""

    seq: int
    at: datetime
    operator: str
    action: str
    target: str
    note: str | None
    agency: str | None
    hash: str

    @property
    def summary(self) -> str:
        """The note, with the agency first for an assignment (``→ bpbd · note``)."""
        note = self.note or ""
        if self.agency:
            return f"→ {self.agency}" + (f" · {note}" if note else "")
        return note


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """What the store knows of one source's recent polls."""

    name: str
    kind: str
    format: str
    url: str
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    consecutive_failures: int
    records: int
    stale: bool
    next_attempt: datetime | None = None
    http_status: int | None = None
    warnings: int = 0
    insecure: bool = False  # TLS verification is off for this source (config ``insecure``)
    # A site's feed: when the site last wrote its cache, as its feed said (None: not a site).
    data_at: datetime | None = None

    @property
    def data_time(self) -> datetime | None:
        """How recent this source's data is: the site's last write, else the last success."""
        if self.data_at is not None and self.last_success is not None:
            return min(self.data_at, self.last_success)
        return self.last_success
