"""The cache: the only package that speaks SQL.

:class:`Store` is composed of one object per table family, all sharing one
connection (:class:`Cache`): ``sources``, ``incidents``, ``agencies``,
``agenda`` and ``journal``.  They answer the questions of the CLI and the
console with typed records; :meth:`Store.apply` writes each refresh of a
source as one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_console.errors import StoreError
from cc_console.sla import Policy
from cc_console.store.agencies import Agencies
from cc_console.store.agenda import Agenda
from cc_console.store.base import Cache
from cc_console.store.crisis import Crises, CrisisEvent
from cc_console.store.deadlines import Alarm, Deadlines
from cc_console.store.events import EVENT_KINDS, Event, Events
from cc_console.store.followup import ActionItem, Decision, FollowUps
from cc_console.store.incident_writes import apply_snapshot
from cc_console.store.incidents import (
    ACTIVE_STATUSES,
    IncidentQuery,
    Incidents,
    SiteFilter,
    fts_query,
)
from cc_console.store.journal import ACTIONS, Journal, JournalVerdict
from cc_console.store.kinerja import KinerjaReads
from cc_console.store.minutes import Closure, MeetingRecords, Note
from cc_console.store.outbox import Message, Outbox, OutboxState, Silence
from cc_console.store.schema import SCHEMA_VERSION
from cc_console.store.site_events import SiteEvents
from cc_console.store.sources import PollRecord, SourceState
from cc_console.timefmt import utcnow

if TYPE_CHECKING:
    from cc_console.config import Config, NotifyRoute

__all__ = [
    "ACTIONS",
    "ACTIVE_STATUSES",
    "EVENT_KINDS",
    "SCHEMA_VERSION",
    "ActionItem",
    "Alarm",
    "Cache",
    "Closure",
    "CrisisEvent",
    "Decision",
    "Event",
    "IncidentQuery",
    "JournalVerdict",
    "MeetingRecords",
    "Message",
    "Note",
    "OutboxState",
    "PollRecord",
    "Silence",
    "SiteFilter",
    "Store",
    "fts_query",
]


class Store:
    """The SQLite cache of one console: its table families over one connection."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        operator: str = "operator",
        sla: Policy | None = None,
        alert_rank: int = 1,
        notify: Sequence[NotifyRoute] = (),
        fresh: float = 0.0,
    ):
        """Open the cache at ``path``.

        ``sla``: the deadline rules new and changed incidents get (None: this
        process leaves deadlines as they are); when they differ from the
        rules the cache's deadlines were computed with, all are redone now.
        ``alert_rank``: the severity rank at or above which a new incident
        raises the alarm. ``notify``: the routes whose messages this
        process's writes put in the outbox (none: the events wait for a
        process that has them). ``fresh``: seconds before a source's first
        snapshot within which its incidents' reports are news, not baseline.
        """
        self.db = Cache(path, read_only=read_only)
        self.sources = SourceState(self.db)
        self.incidents = Incidents(self.db)
        self.agencies = Agencies(self.db)
        self.agenda = Agenda(self.db)
        self.events = Events(self.db)
        self.deadlines = Deadlines(self.db, sla, alert_rank)
        self.journal = Journal(self.db, self.incidents, self.agencies, operator)
        self.followups = FollowUps(self.db, self.journal)
        self.meetings = MeetingRecords(self.db, self.journal)
        self.crisis = Crises(self.db, self.journal)
        self.outbox = Outbox(self.db, self.journal, notify)
        self.kinerja = KinerjaReads(self.db)
        self.site_events = SiteEvents(self.db)
        self.fresh = fresh
        self._writers: dict[str, Callable[..., int]] = {
            "incidents": self._apply_incidents,
            "agencies": self.agencies.apply,
            "agenda": self.agenda.apply,
            "events": self.site_events.apply,
        }
        if sla is not None and not read_only:
            self.deadlines.sync(utcnow())

    @classmethod
    def for_config(cls, config: Config, path: Path | None = None, **options: Any) -> Store:
        """The cache of ``config`` (or at ``path``) with its deadline rules, alert level
        and notification routes."""
        options.setdefault("notify", config.notify)
        options.setdefault("fresh", config.alert.fresh)
        return cls(
            path or config.cache.path, sla=config.sla, alert_rank=config.alert.rank, **options
        )

    @property
    def path(self) -> Path:
        """The cache file."""
        return self.db.path

    @property
    def read_only(self) -> bool:
        """Whether operator writes are refused."""
        return self.db.read_only

    @property
    def operator(self) -> str:
        """Who the journal names for this store's actions."""
        return self.journal.operator

    def apply(self, kind: str, poll: PollRecord, records: Sequence[Any]) -> int:
        """Store one snapshot of ``kind`` with its poll, atomically; returns rows changed.

        Raises:
            StoreError: ``kind`` is not one the cache holds.
        """
        writer = self._writers.get(kind)
        if writer is None:
            raise StoreError(
                f"unknown kind of records {kind!r} (known: {', '.join(self._writers)})"
            )
        with self.db.big_cache(len(records)), self.db.tx() as c:
            changed = writer(c, poll, records)
            self.sources.save(c, poll)
        return changed

    def _apply_incidents(self, c: Any, poll: PollRecord, records: Sequence[Any]) -> int:
        first_event = Events.next_seq(c)
        written = apply_snapshot(c, poll, records, self.fresh)
        self.deadlines.after_write(c, written.first_new, written.updated, first_event)
        return written.changed

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
