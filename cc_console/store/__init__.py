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
from typing import Any

from cc_console.errors import StoreError
from cc_console.store.agencies import Agencies
from cc_console.store.agenda import Agenda
from cc_console.store.base import Cache
from cc_console.store.incident_writes import apply_snapshot
from cc_console.store.incidents import ACTIVE_STATUSES, IncidentQuery, Incidents, fts_query
from cc_console.store.journal import ACTIONS, Journal, JournalVerdict
from cc_console.store.schema import SCHEMA_VERSION
from cc_console.store.sources import PollRecord, SourceState

__all__ = [
    "ACTIONS",
    "ACTIVE_STATUSES",
    "SCHEMA_VERSION",
    "Cache",
    "IncidentQuery",
    "JournalVerdict",
    "PollRecord",
    "Store",
    "fts_query",
]


class Store:
    """The SQLite cache of one console: its table families over one connection."""

    def __init__(self, path: Path, *, read_only: bool = False, operator: str = "operator"):
        self.db = Cache(path, read_only=read_only)
        self.sources = SourceState(self.db)
        self.incidents = Incidents(self.db)
        self.agencies = Agencies(self.db)
        self.agenda = Agenda(self.db)
        self.journal = Journal(self.db, self.incidents, self.agencies, operator)
        self._writers: dict[str, Callable[..., int]] = {
            "incidents": apply_snapshot,
            "agencies": self.agencies.apply,
            "agenda": self.agenda.apply,
        }

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

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
