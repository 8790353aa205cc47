"""The one stream of what happened, written in the transaction that caused it.

New incidents, raised severities, feed changes, breached deadlines, agencies
going down or back up, sources starting to fail or recovering: each is one
row. The incident timeline, the console's alarm and the notifications read
this stream; nothing derives "what happened" a second time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cc_console.store.base import Cache
from cc_console.timefmt import parse_iso

__all__ = ["EVENT_KINDS", "Event", "Events"]

EVENT_KINDS = (
    "incident.new",
    "incident.changed",
    "incident.severity",
    "incident.breach",
    "agency.down",
    "agency.up",
    "source.failing",
    "source.recovered",
    "action.overdue",
    "event.opened",
    "event.impact",
    "event.status",
    "event.status_expiring",
)
# The incident events that put an incident on the console's alarm (at or above
# [alert] severity, while no one has acknowledged it).
ALARMING = ("incident.new", "incident.severity")

_INSERT = "INSERT INTO events(at, kind, target, severity, data) VALUES (?, ?, ?, ?, ?)"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened."""

    seq: int
    at: datetime
    kind: str
    target: str
    severity: str | None
    data: dict[str, Any]


def _event(r: dict[str, Any]) -> Event:
    return Event(
        seq=r["seq"],
        at=parse_iso(r["at"]),  # type: ignore[arg-type]
        kind=r["kind"],
        target=r["target"],
        severity=r["severity"],
        data=json.loads(r["data"]) if r["data"] else {},
    )


class Events:
    """Appends to and reads of ``events``."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    @staticmethod
    def next_seq(c: sqlite3.Connection) -> int:
        """The seq the next event will get (events from here on are this write's)."""
        return int(c.execute("SELECT coalesce(max(seq), 0) + 1 FROM events").fetchone()[0])

    @staticmethod
    def add(
        c: sqlite3.Connection,
        at: str,
        kind: str,
        target: str,
        severity: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        """Record one event in the caller's transaction; its seq."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None
        cur = c.execute(_INSERT, [at, kind, target, severity, text])
        return int(cur.lastrowid or 0)

    @staticmethod
    def add_many(
        c: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str | None, str | None]]
    ) -> None:
        """Record events given as ``(at, kind, target, severity, data JSON)``."""
        c.executemany(_INSERT, rows)

    def for_target(self, target: str) -> list[Event]:
        """Every event of one incident, agency or source, oldest first."""
        return [
            _event(r)
            for r in self.db.rows("SELECT * FROM events WHERE target = ? ORDER BY seq", [target])
        ]

    def since(self, seq: int = 0, limit: int = 1000, kinds: tuple[str, ...] = ()) -> list[Event]:
        """Events after ``seq``, oldest first (at most ``limit``; only ``kinds`` if given)."""
        where = "seq > ?"
        params: list[Any] = [seq]
        if kinds:
            where += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        return [
            _event(r)
            for r in self.db.rows(
                f"SELECT * FROM events WHERE {where} ORDER BY seq LIMIT ?", [*params, limit]
            )
        ]

    def latest(self, limit: int = 100, kinds: tuple[str, ...] = ()) -> list[Event]:
        """The newest ``limit`` events, newest first."""
        where = f"WHERE kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
        return [
            _event(r)
            for r in self.db.rows(
                f"SELECT * FROM events {where} ORDER BY seq DESC LIMIT ?", [*kinds, limit]
            )
        ]
