"""The cache: the only package that speaks SQL.

:class:`Store` answers the questions of the CLI and the console with typed
records and applies each refresh of a source as one transaction.
"""

from collections.abc import Sequence
from typing import Any

from cc_console.store.incidents import IncidentQuery, fts_query
from cc_console.store.journal import ACTIONS, JournalMixin, JournalVerdict
from cc_console.store.schema import SCHEMA_VERSION
from cc_console.store.sources import PollRecord

__all__ = [
    "ACTIONS",
    "SCHEMA_VERSION",
    "IncidentQuery",
    "JournalVerdict",
    "PollRecord",
    "Store",
    "fts_query",
]


class Store(JournalMixin):
    """The SQLite cache of one console (see the mixins for each kind of data)."""

    def apply(self, kind: str, poll: PollRecord, records: Sequence[Any]) -> int:
        """Store one snapshot of ``kind`` with its poll, atomically; returns rows changed."""
        if kind == "incidents":
            return self.apply_incidents(poll, records)
        if kind == "agencies":
            return self.apply_agencies(poll, records)
        return self.apply_agenda(poll, records)
