"""The outbox of notifications, the silences, and the lease of the one sender.

Messages are written in the transaction of the events that cause them: a hook
runs before every write transaction of a store with ``[[notify]]`` routes
commits, and turns the events after ``notify.cursor`` into one outbox row per
event per route (set-based SQL for incidents: a refresh with 10,000 new ones
writes 10,000 rows in one statement, and they go out as one message). A crash
between the write and the send loses nothing; a row marked ``sent`` is never
picked again. Only the holder of the ``sender`` lease sends.

The outages and breaches a route was told of stay in ``notify_open`` until
they end: :meth:`Outbox.check` repeats what still stands (``repeat``) and
writes the all-clear for what ended.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_console.errors import NotFoundError, RefusedError, StoreError
from cc_console.models import SEVERITIES
from cc_console.store.base import Cache, read_old
from cc_console.store.sources import FAILING_AFTER
from cc_console.text import clean_line, without_paths
from cc_console.timefmt import iso_z, parse_iso, utcnow

if TYPE_CHECKING:
    from cc_console.config import NotifyRoute
    from cc_console.store.journal import Journal

__all__ = [
    "GROUP_LINES",
    "SILENCE_KEYS",
    "STANDING",
    "WAITING_BOUND",
    "Group",
    "Message",
    "Outbox",
    "OutboxState",
    "Silence",
    "backoff",
    "matches",
    "me",
    "shown_count",
]

_CURSOR = "notify.cursor"
SILENCE_KEYS = ("event", "severity", "category", "source", "area", "agency")
# The events that describe a state that can last (and so be repeated and cleared).
STANDING = ("incident.breach", "agency.down", "source.failing")
# The condition of the partial index outbox_by_target, written as its queries
# must repeat it (SQLite uses a partial index only for a query with its terms).
STANDING_SQL = "event IN ('incident.breach', 'agency.down', 'source.failing')"
_INCIDENT_EVENTS = ("incident.new", "incident.severity", "incident.breach")
# The source that caused an outbox row ``o``: an agency's outage written before
# its event named its source is the source that reports that agency.
_SOURCE_OF = (
    "coalesce(o.source, CASE WHEN o.event = 'agency.down' THEN "
    "(SELECT min(a.source) FROM agencies a WHERE a.id = o.agency) END)"
)
_COLUMNS = (
    "route, event, phase, target, event_seq, at, severity, category, source, area, agency, "
    "title, detail, created_at, status"
)
LEASE_S = 120.0  # a sender renews before each message; a dead one's lease lapses


WAITING_BOUND = 1000  # the console counts waiting (and failed) messages up to this many


def shown_count(n: int, bound: int = WAITING_BOUND) -> str:
    """``n`` as the console says it: ``999+`` once a bounded count reached its bound."""
    return f"{bound - 1}+" if n >= bound else str(n)


def backoff(attempts: int) -> float:
    """Seconds before a failed message is tried again: 30 s doubling, at most an hour."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))


def _start_ticks(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def me() -> str:
    """This process as a lease holder: host, pid and start time (a reused pid is another)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or '?'}"


def _gone(holder: str) -> bool:
    """Whether ``holder`` is a process of this host that no longer runs."""
    host, _, rest = holder.partition(":")
    pid, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit() or ticks == "?":
        return False
    return _start_ticks(int(pid)) != ticks


@dataclass(frozen=True, slots=True)
class Message:
    """One outbox row: one event for one route."""

    id: int
    route: str
    event: str
    phase: str  # alert | repeat | clear
    target: str
    at: datetime
    severity: str | None
    category: str | None
    source: str | None
    area: str | None
    agency: str | None
    title: str
    detail: str | None
    created_at: datetime
    status: str  # pending | sent | failed | silenced | dropped (its route was removed)
    attempts: int
    next_try: datetime | None
    sent_at: datetime | None
    error: str | None
    silence_id: int | None

    def fields(self) -> dict[str, str]:
        """What a silence matches against."""
        return {
            "event": self.event,
            "severity": self.severity or "",
            "category": self.category or "",
            "source": self.source or "",
            "area": self.area or "",
            "agency": self.agency or "",
        }

    def as_json(self) -> dict[str, Any]:
        """The CONTRACT's object (section 8), plus ``phase``, ``severity`` and ``silence``."""
        return {
            "id": self.id,
            "route": self.route,
            "event": self.event,
            "phase": self.phase,
            "target": self.target,
            "title": self.title,
            "severity": self.severity,
            "created_at": iso_z(self.created_at),
            "sent_at": iso_z(self.sent_at),
            "attempts": self.attempts,
            "status": self.status,
            "error": self.error,
            "silence": self.silence_id,
        }


def _message(r: Mapping[str, Any]) -> Message:
    """A row, its state taken from the delivery that covers it (``d_*`` columns), if any."""
    covered = r.get("d_first") is not None and r["d_first"] <= r["id"]
    if r["status"] in ("silenced", "dropped") or not covered:
        state = {"status": r["status"], "attempts": 0, "next_try": None, "sent_at": None,
                 "error": r["error"] if r["status"] == "dropped" else None}  # fmt: skip
    else:
        state = {"status": r["d_status"], "attempts": r["d_attempts"],
                 "next_try": r["d_next_try"], "sent_at": r["d_sent_at"], "error": r["d_error"]}  # fmt: skip
    r = {**r, **state}
    return Message(
        id=r["id"],
        route=r["route"],
        event=r["event"],
        phase=r["phase"],
        target=r["target"],
        at=parse_iso(r["at"]),  # type: ignore[arg-type]
        severity=r["severity"],
        category=r["category"],
        source=r["source"],
        area=r["area"],
        agency=r["agency"],
        title=r["title"],
        detail=r["detail"],
        created_at=parse_iso(r["created_at"]),  # type: ignore[arg-type]
        status=r["status"],
        attempts=r["attempts"],
        next_try=parse_iso(r["next_try"]),
        sent_at=parse_iso(r["sent_at"]),
        error=r["error"],
        silence_id=r["silence_id"],
    )


GROUP_ORDER = (
    "incident.breach",
    "incident.severity",
    "incident.new",
    "agency.down",
    "source.failing",
    "action.overdue",
    "event.status_expiring",
    "event.status",
    "event.opened",
    "event.impact",
)
GROUP_LINES = 20  # a message lists the worst this many; the rest are counted


@dataclass(frozen=True, slots=True)
class Group:
    """A route's waiting messages, as one message will tell them.

    ``tally``: ``(event, phase, severity, how many distinct targets)``;
    ``top``: the rows to list, worst first, one per event, target and phase.
    Every waiting row of the route with ``id <= last_id`` is this group's.
    """

    route: str
    last_id: int
    count: int
    attempts: int
    tally: list[tuple[str, str, str, int]]
    top: list[Message]
    first_id: int = 0
    delivery: int | None = None  # the failed delivery this one retries (and extends)

    @property
    def listed(self) -> int:
        """How many lines the group holds in all (one per event, target and phase)."""
        return sum(n for *_, n in self.tally)


@dataclass(frozen=True, slots=True)
class Silence:
    """Planned quiet: messages whose fields match all ``matchers`` are kept, not sent."""

    id: int
    matchers: dict[str, str]
    reason: str
    created_by: str
    starts_at: datetime
    ends_at: datetime

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def holds(self, fields: Mapping[str, str]) -> bool:
        """Whether a message with these fields is silenced (see :func:`matches`)."""
        return matches(self.matchers, fields)

    def as_json(self, now: datetime, hits: int = 0) -> dict[str, Any]:
        """The silence; ``hits``: how many messages it has held."""
        return {
            "id": self.id,
            "matchers": self.matchers,
            "reason": self.reason,
            "created_by": self.created_by,
            "starts_at": iso_z(self.starts_at),
            "ends_at": iso_z(self.ends_at),
            "active": self.active(now),
            "hits": hits,
        }


def matches(matchers: Mapping[str, str], fields: Mapping[str, str]) -> bool:
    """Whether a message with ``fields`` has every value of ``matchers`` (``area``: a
    substring, in any case)."""
    for key, want in matchers.items():
        have = fields.get(key, "")
        if key == "area":
            if want.casefold() not in have.casefold():
                return False
        elif have != want:
            return False
    return True


def _silence(r: Mapping[str, Any]) -> Silence:
    return Silence(
        id=r["id"],
        matchers=json.loads(r["matchers"]),
        reason=r["reason"],
        created_by=r["created_by"],
        starts_at=parse_iso(r["starts_at"]),  # type: ignore[arg-type]
        ends_at=parse_iso(r["ends_at"]),  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class OutboxState:
    """The outbox at a glance (top line, feed health view, ``status --json``).

    Read from indexes only: the outbox grows by a row per event per route.
    """

    pending: int
    failed: int
    silences: int  # active now
    last_sent_at: datetime | None
    last_error: str | None
    sender: str | None  # the lease holder, while one sends

    def as_json(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "failed": self.failed,
            "active_silences": self.silences,
            "last_sent_at": iso_z(self.last_sent_at),
            "last_error": self.last_error,
            "sender": self.sender,
        }


class Outbox:
    """Writes and reads of ``outbox``, ``notify_open``, ``silences`` and ``leases``."""

    def __init__(self, db: Cache, journal: Journal, routes: Sequence[NotifyRoute] = ()) -> None:
        self.db = db
        self.journal = journal
        self.routes = {r.name: r for r in routes}
        # Whether a route listens to something that can stand (and be repeated, cleared).
        self._standing = any(k in STANDING for r in routes for k in r.events)
        if self.routes and not db.read_only:
            if db.scalar("SELECT 1 FROM meta WHERE key = ?", [_CURSOR]) is None:
                with db.tx() as c:  # from now on: what happened before is not news
                    c.execute(
                        "INSERT OR IGNORE INTO meta(key, value) "
                        "SELECT ?, coalesce(max(seq), 0) FROM events",
                        [_CURSOR],
                    )
            db.before_commit.append(self.enqueue)

    # -- writing messages (inside the caller's transaction) -----------------------

    def enqueue(self, c: sqlite3.Connection) -> int:
        """Turn the events after the cursor into outbox rows; how many."""
        (cursor,) = c.execute("SELECT value FROM meta WHERE key = ?", [_CURSOR]).fetchone() or (
            None,
        )
        (last,) = c.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
        start = int(cursor) if cursor is not None else last
        if last <= start:
            return 0
        now = iso_z(utcnow()) or ""
        first_id = c.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]
        for route in self.routes.values():
            self._enqueue_incidents(c, route, start, last, now)
        self._enqueue_others(c, start, last, now)
        c.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [_CURSOR, str(int(last))]
        )
        if self._standing:
            c.execute(
                "INSERT OR REPLACE INTO notify_open(route, event, target, last_at) "
                f"SELECT route, event, target, created_at FROM outbox WHERE id > ? "
                f"AND {STANDING_SQL}",
                [first_id],
            )
        return int(c.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0] - first_id)

    def _enqueue_incidents(
        self, c: sqlite3.Connection, route: NotifyRoute, start: int, last: int, now: str
    ) -> None:
        kinds = [k for k in route.events if k in _INCIDENT_EVENTS]
        if not kinds:
            return
        cond, params = route.match.sql("i")
        if route.agency:
            cond += f" AND i.assigned_to IN ({', '.join('?' * len(route.agency))})"
            params = [*params, *route.agency]
        c.execute(
            f"INSERT INTO outbox({_COLUMNS}) "
            "SELECT ?, e.kind, 'alert', e.target, e.seq, coalesce(i.reported_at, e.at), "
            "i.severity, i.category, i.source, i.area, i.assigned_to, i.title, "
            "json_extract(e.data, '$.breach'), ?, 'pending' "
            "FROM events e JOIN incidents i ON i.id = e.target "
            f"WHERE e.seq > ? AND e.seq <= ? AND e.kind IN ({', '.join('?' * len(kinds))}) "
            f"AND {cond} ORDER BY e.seq",
            [route.name, now, start, last, *kinds, *params],
        )

    def _enqueue_others(self, c: sqlite3.Connection, start: int, last: int, now: str) -> None:
        kinds = sorted(
            {k for r in self.routes.values() for k in r.events if k not in _INCIDENT_EVENTS}
        )
        if not kinds:
            return
        rows = c.execute(
            "SELECT seq, at, kind, target, data FROM events "
            f"WHERE seq > ? AND seq <= ? AND kind IN ({', '.join('?' * len(kinds))}) ORDER BY seq",
            [start, last, *kinds],
        ).fetchall()
        out: list[tuple[Any, ...]] = []
        for seq, at, kind, target, data in rows:
            d = json.loads(data) if data else {}
            agency = source = None
            if kind == "agency.down":
                agency, title = target, clean_line(d.get("name") or target, 120)
                # The source that reported it (a silence by source holds it too).
                source = (
                    d.get("source")
                    or c.execute(
                        "SELECT min(source) FROM agencies WHERE id = ?", [target]
                    ).fetchone()[0]
                )
                detail = clean_line(d.get("summary") or (d.get("status") or [None, ""])[-1], 200)
            elif kind == "source.failing":
                source, title = target, target
                # The error goes to phones outside this machine: no local paths.
                detail = clean_line(without_paths(d.get("error") or ""), 200)
            elif kind.startswith("event."):  # a crisis event: its title, what changed
                title, detail = clean_line(d.get("title"), 120), clean_line(d.get("detail"), 200)
            else:  # action.overdue
                agency, title = clean_line(d.get("owner") or "", 64), clean_line(d.get("text"), 120)
                detail = str(d.get("due") or "")
            for route in self.routes.values():
                if kind not in route.events:
                    continue
                if agency is not None and route.agency and agency not in route.agency:
                    continue
                if (
                    kind == "source.failing"
                    and route.match.source
                    and source not in route.match.source
                ):
                    continue
                out.append(
                    (route.name, kind, "alert", target, seq, at, None, None, source, None,
                     agency, title, detail, now, "pending")
                )  # fmt: skip
        if out:
            c.executemany(f"INSERT INTO outbox({_COLUMNS}) VALUES ({', '.join('?' * 15)})", out)

    def check(self, now: datetime) -> int:
        """Repeat what still stands past its route's ``repeat``; all-clear what ended.

        Run on every poll cycle (with the deadline check). Returns rows written.
        """
        if not self.routes or self.db.read_only:
            return 0
        opened = self.db.rows("SELECT route, event, target, last_at FROM notify_open")
        if not opened:
            return 0
        at = iso_z(now) or ""
        written = 0
        with self.db.tx() as c:
            for r in opened:
                key = [r["route"], r["event"], r["target"]]
                route = self.routes.get(r["route"])
                stands = self._stands(c, r["event"], r["target"])
                if route is None or not stands:
                    told = c.execute(
                        "SELECT 1 FROM outbox INDEXED BY outbox_by_target WHERE route = ? "
                        f"AND event = ? AND target = ? AND {STANDING_SQL} "
                        "AND status != 'silenced' LIMIT 1",
                        key,
                    ).fetchone()
                    if route is not None and told:
                        written += self._copy(c, key, "clear", at)
                    c.execute(
                        "DELETE FROM notify_open WHERE route = ? AND event = ? AND target = ?", key
                    )
                elif (
                    route.repeat
                    and (parse_iso(r["last_at"]) or now) + timedelta(seconds=route.repeat) <= now
                ):
                    written += self._copy(c, key, "repeat", at)
                    c.execute(
                        "UPDATE notify_open SET last_at = ? "
                        "WHERE route = ? AND event = ? AND target = ?",
                        [at, *key],
                    )
        return written

    @staticmethod
    def _stands(c: sqlite3.Connection, event: str, target: str) -> bool:
        if event == "incident.breach":
            row = c.execute(
                "SELECT 1 FROM incidents WHERE id = ? AND status != 'resolved' "
                "AND breached IS NOT NULL",
                [target],
            ).fetchone()
        elif event == "agency.down":
            row = c.execute(
                "SELECT 1 FROM agencies WHERE id = ? AND status IN ('partial_outage', "
                "'major_outage')",
                [target],
            ).fetchone()
        else:
            row = c.execute(
                "SELECT 1 FROM source_state WHERE name = ? AND consecutive_failures >= ?",
                [target, FAILING_AFTER],
            ).fetchone()
        return row is not None

    @staticmethod
    def _copy(c: sqlite3.Connection, key: list[str], phase: str, at: str) -> int:
        cols = _COLUMNS.replace("phase", "?").replace("created_at, status", "?, 'pending'")
        c.execute(
            f"INSERT INTO outbox({_COLUMNS}) SELECT {cols} FROM outbox "
            "INDEXED BY outbox_by_target WHERE route = ? AND event = ? AND target = ? "
            f"AND {STANDING_SQL} AND phase = 'alert' ORDER BY id DESC LIMIT 1",
            [phase, at, *key],
        )
        return c.execute("SELECT changes()").fetchone()[0]

    # -- the lease: one sender at a time ----------------------------------------------

    def acquire(self, holder: str, now: datetime, seconds: float = LEASE_S) -> str | None:
        """Take (or renew) the sender lease; None when taken, else who holds it."""
        at = iso_z(now) or ""
        until = iso_z(now + timedelta(seconds=seconds))
        with self.db.tx() as c:
            row = c.execute(
                "SELECT holder, expires_at FROM leases WHERE name = 'sender'"
            ).fetchone()
            if row is not None and row[0] != holder and row[1] > at and not _gone(row[0]):
                return str(row[0])
            c.execute(
                "INSERT OR REPLACE INTO leases(name, holder, expires_at) VALUES ('sender', ?, ?)",
                [holder, until],
            )
        return None

    def release(self, holder: str) -> None:
        """Give the lease back (only if still ours)."""
        try:
            with self.db.tx() as c:
                c.execute("DELETE FROM leases WHERE name = 'sender' AND holder = ?", [holder])
        except StoreError:
            pass  # it lapses on its own

    def sender(self, now: datetime) -> str | None:
        """Who holds the lease now, if anyone."""
        row = self.db.rows("SELECT holder, expires_at FROM leases WHERE name = 'sender'")
        if row and row[0]["expires_at"] > (iso_z(now) or "") and not _gone(row[0]["holder"]):
            return str(row[0]["holder"])
        return None

    # -- sending (by the lease holder) ------------------------------------------------

    # A delivery covers the ids ``first_id..last_id`` of one route's rows: sending a
    # group writes one row here, not one per message. A route's rows after its last
    # sent delivery wait; a failed delivery at their head is retried (and extended).

    def _marks(self, route: str) -> tuple[int, dict[str, Any] | None]:
        """The last id sent on ``route``, and the failed delivery after it (if any)."""
        sent = int(
            self.db.scalar(
                "SELECT coalesce(max(last_id), 0) FROM deliveries INDEXED BY deliveries_by_status "
                "WHERE route = ? AND status = 'sent'",
                [route],
            )
            or 0
        )
        failed = self.db.rows(
            "SELECT * FROM deliveries INDEXED BY deliveries_by_status WHERE route = ? "
            "AND status = 'failed' AND last_id > ? ORDER BY last_id DESC LIMIT 1",
            [route, sent],
        )
        return sent, (failed[0] if failed else None)

    def waiting_count(self) -> int:
        """How many messages wait to go out (pending, or failed and to be retried)."""
        total = 0
        for route in self.routes:
            sent, _ = self._marks(route)
            total += int(
                self.db.scalar(
                    "SELECT count(*) FROM outbox INDEXED BY outbox_by_route WHERE route = ? "
                    "AND id > ? AND status = 'pending'",
                    [route, sent],
                )
                or 0
            )
        return total

    def has_waiting(self) -> bool:
        """Whether any message waits (the sender's cheap first question)."""
        for route in self.routes:
            sent, _ = self._marks(route)
            if self.db.scalar(
                "SELECT 1 FROM outbox INDEXED BY outbox_by_route WHERE route = ? AND id > ? "
                "AND status = 'pending' LIMIT 1",
                [route, sent],
            ):
                return True
        return False

    def drop_removed(self) -> int:
        """Mark ``dropped`` the unsent messages of routes no longer in the config (they
        would wait forever: no route sends them); how many. Run by the sender."""
        if self.db.read_only:
            return 0
        names = list(self.routes)
        others = "" if not names else f"AND route NOT IN ({', '.join('?' * len(names))})"
        find = f"SELECT DISTINCT route FROM outbox WHERE status = 'pending' {others}"
        if not self.db.tuples(find, names):  # (the common case: no write at all)
            return 0
        with self.db.tx() as c:
            gone = c.execute(find, names).fetchall()
            dropped = 0
            for (route,) in gone:
                (sent,) = c.execute(
                    "SELECT coalesce(max(last_id), 0) FROM deliveries INDEXED BY "
                    "deliveries_by_status WHERE route = ? AND status = 'sent'",
                    [route],
                ).fetchone()
                dropped += c.execute(
                    "UPDATE outbox SET status = 'dropped', error = ? WHERE route = ? AND id > ? "
                    "AND status = 'pending'",
                    [f"route {route} was removed from the config", route, sent],
                ).rowcount
        return dropped

    def apply_silences(self, now: datetime) -> int:
        """Mark each waiting message an active silence matches ``silenced``; how many."""
        silences = [s for s in self.silences(now) if s.active(now)]
        if not silences:
            return 0
        marks: list[tuple[int, int]] = []
        for route in self.routes:
            sent, _ = self._marks(route)
            for r in self.db.rows(
                f"SELECT id, event, severity, category, {_SOURCE_OF} AS source, area, agency "
                "FROM outbox o INDEXED BY outbox_by_route WHERE route = ? AND id > ? "
                "AND status = 'pending'",
                [route, sent],
            ):
                fields = {key: r[key] or "" for key in SILENCE_KEYS}
                for s in silences:
                    if s.holds(fields):
                        marks.append((s.id, r["id"]))
                        break
        if marks:
            with self.db.tx() as c:
                c.executemany(
                    "UPDATE outbox SET status = 'silenced', silence_id = ? WHERE id = ? "
                    "AND status = 'pending'",
                    marks,
                )
        return len(marks)

    def due_groups(self, now: datetime, force: bool = False) -> list[Group]:
        """The routes whose waiting messages may go out now, each as one :class:`Group`.

        A route's group goes when its oldest message has waited ``group_wait``
        and its last failure's backoff is over (``force``: now, regardless).
        Counted in SQL: ten thousand waiting rows are not loaded.
        """
        groups: list[Group] = []
        for name, route in self.routes.items():
            sent, failed = self._marks(name)
            where = (
                "FROM outbox INDEXED BY outbox_by_route WHERE route = ? AND id > ? "
                "AND status = 'pending'"
            )
            tally: list[tuple[str, str, str, int]] = []
            rows = first = last = 0
            for r in self.db.rows(
                "SELECT event, phase, coalesce(severity, 'unknown') AS severity, "
                f"count(*) AS n, min(id) AS first, max(id) AS last {where} GROUP BY 1, 2, 3",
                [name, sent],
            ):
                n = r["n"]
                if r["event"] in STANDING and n > 1:
                    # Told twice in one group (both deadlines of an incident): once.
                    n = self.db.scalar(
                        "SELECT count(DISTINCT target) FROM outbox INDEXED BY outbox_by_target "
                        f"WHERE route = ? AND event = ? AND {STANDING_SQL} AND phase = ? "
                        "AND coalesce(severity, 'unknown') = ? AND id > ? AND status = 'pending'",
                        [name, r["event"], r["phase"], r["severity"], sent],
                    )
                tally.append((r["event"], r["phase"], r["severity"], n))
                rows += r["n"]
                first = min(first or r["first"], r["first"])
                last = max(last, r["last"])
            if not rows:
                continue
            oldest = parse_iso(
                self.db.scalar("SELECT created_at FROM outbox WHERE id = ?", [first])
            )
            retry = parse_iso(failed["next_try"]) if failed else None
            if not force and (
                (oldest or now) + timedelta(seconds=route.group_wait) > now
                or (retry is not None and retry > now)
            ):
                continue
            groups.append(
                Group(
                    name, last, rows, failed["attempts"] if failed else 0, tally,
                    self._top(name, sent, last), first_id=first,
                    delivery=failed["id"] if failed else None,
                )
            )  # fmt: skip
        return groups

    def _top(self, route: str, sent: int, last: int) -> list[Message]:
        """The worst waiting rows of ``route`` to list, one per event, target and phase."""
        kinds = " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(GROUP_ORDER))
        ranks = " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(SEVERITIES))
        rows = self.db.rows(
            "SELECT * FROM outbox INDEXED BY outbox_by_route WHERE route = ? AND id > ? "
            "AND id <= ? AND status = 'pending' "
            f"ORDER BY phase = 'clear', CASE event {kinds} ELSE 9 END, "
            f"CASE coalesce(severity, 'unknown') {ranks} ELSE 9 END, at DESC, id DESC LIMIT ?",
            [route, sent, last, 3 * GROUP_LINES],  # (room for an incident told twice)
        )
        seen: set[tuple[str, str, str]] = set()
        top: list[Message] = []
        for r in rows:
            key = (r["event"], r["target"], r["phase"])
            if key not in seen and len(top) < GROUP_LINES:
                seen.add(key)
                top.append(_message(r))
        return top

    def _deliver(self, group: Group, status: str, now: datetime, error: str | None = None) -> None:
        at = iso_z(now)
        retry = iso_z(now + timedelta(seconds=backoff(group.attempts + 1))) if error else None
        with self.db.tx() as c:
            if group.delivery is not None:  # the retry of a failed one: it covers more now
                c.execute(
                    "UPDATE deliveries SET status = ?, last_id = ?, attempts = attempts + 1, "
                    "sent_at = ?, next_try = ?, error = ? WHERE id = ?",
                    [status, group.last_id, at if status == "sent" else None, retry, error,
                     group.delivery],
                )  # fmt: skip
            else:
                c.execute(
                    "INSERT INTO deliveries(route, first_id, last_id, status, attempts, sent_at, "
                    "next_try, error) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                    [group.route, group.first_id, group.last_id, status,
                     at if status == "sent" else None, retry, error],
                )  # fmt: skip

    def mark_sent(self, group: Group, now: datetime) -> None:
        """Record that ``group`` went out: one delivery row, whatever its size."""
        self._deliver(group, "sent", now)

    def mark_failed(self, group: Group, now: datetime, error: str) -> None:
        """Record a failed send: ``failed``, the error, and when to try again."""
        self._deliver(group, "failed", now, clean_line(error, 400))

    # -- silences ------------------------------------------------------------------

    def silence(
        self, matchers: Mapping[str, str], seconds: float, reason: str, now: datetime
    ) -> Silence:
        """Add a silence from ``now`` for ``seconds`` (journaled)."""
        at = iso_z(now) or ""
        text = json.dumps(dict(matchers), ensure_ascii=False, sort_keys=True)
        with self.db.tx() as c:
            cur = c.execute(
                "INSERT INTO silences(matchers, reason, created_by, starts_at, ends_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [text, reason, self.journal.operator, at,
                 iso_z(now + timedelta(seconds=seconds))],
            )  # fmt: skip
            sid = int(cur.lastrowid or 0)
            said = " ".join(f"{k}={v}" for k, v in sorted(matchers.items()))
            self.journal.record(c, at, "silence.add", f"S-{sid}", f"{said}: {reason}")
        return self.get(sid)

    def expire(self, sid: int, now: datetime) -> Silence:
        """End silence ``sid`` now (journaled).

        Raises:
            NotFoundError: no such silence.
            RefusedError: it has already ended.
        """
        current = self.get(sid)
        if current.ends_at <= now:
            raise RefusedError(
                f"silence {sid} already ended at {iso_z(current.ends_at)}",
                "silence_ended",
                id=f"S-{sid}",
                at=current.ends_at,
            )
        at = iso_z(now) or ""
        with self.db.tx() as c:
            c.execute("UPDATE silences SET ends_at = ? WHERE id = ?", [at, sid])
            self.journal.record(c, at, "silence.expire", f"S-{sid}")
        return self.get(sid)

    def get(self, sid: int) -> Silence:
        """Silence ``sid``.

        Raises:
            NotFoundError: there is none.
        """
        rows = self.db.rows("SELECT * FROM silences WHERE id = ?", [sid])
        if not rows:
            raise NotFoundError(
                f"no silence {sid} (see `cc-console silence list`)",
                key="unknown_silence",
                id=f"S-{sid}",
            )
        return _silence(rows[0])

    def silences(self, now: datetime, active_only: bool = False) -> list[Silence]:
        """Silences, newest first (only those active at ``now`` if asked)."""
        if active_only:
            at = iso_z(now)
            rows = self.db.rows(
                "SELECT * FROM silences WHERE starts_at <= ? AND ends_at > ? ORDER BY id DESC",
                [at, at],
            )
        else:
            rows = self.db.rows("SELECT * FROM silences ORDER BY id DESC")
        return [_silence(r) for r in rows]

    def hits(self) -> dict[int, int]:
        """How many messages each silence has held, by silence id (a partial index)."""
        return dict(
            self.db.tuples(
                "SELECT silence_id, count(*) FROM outbox INDEXED BY outbox_silenced "
                "WHERE silence_id IS NOT NULL GROUP BY 1"
            )
        )

    def would_hold(
        self, matchers: Mapping[str, str], since: datetime, limit: int = 1000
    ) -> list[Message]:
        """The messages written since ``since`` that a silence of ``matchers`` would have
        held, newest first (what ``silence add --dry-run`` shows)."""
        rows = (
            f"(SELECT *, {_SOURCE_OF} AS caused_by FROM outbox o "
            "WHERE created_at >= :since ORDER BY id DESC)"
        )
        found: list[Message] = []
        for r in self.db.rows(self._WITH_DELIVERY.format(rows=rows), {"since": iso_z(since)}):
            fields = {key: r[key] or "" for key in SILENCE_KEYS}
            fields["source"] = r["caused_by"] or ""
            if matches(matchers, fields):
                found.append(_message(r))
                if len(found) >= limit:
                    break
        return found

    def active_silences(self, now: datetime) -> int:
        """How many silences hold at ``now``."""
        at = iso_z(now)
        return int(
            self.db.scalar(
                "SELECT count(*) FROM silences WHERE starts_at <= ? AND ends_at > ?", [at, at]
            )
            or 0
        )

    # -- reads ---------------------------------------------------------------------

    _WITH_DELIVERY = (
        "SELECT o.*, d.first_id AS d_first, d.status AS d_status, d.attempts AS d_attempts, "
        "d.next_try AS d_next_try, d.sent_at AS d_sent_at, d.error AS d_error FROM {rows} o "
        "LEFT JOIN deliveries d ON d.id = (SELECT id FROM deliveries INDEXED BY deliveries_by_end "
        "WHERE route = o.route AND last_id >= o.id ORDER BY last_id LIMIT 1)"
    )

    def messages(self, limit: int = 100, status: str | None = None) -> list[Message]:
        """Outbox rows, newest first (only those in ``status`` if given, filtered in SQL)."""
        if status is None:
            rows = f"(SELECT * FROM outbox ORDER BY id DESC LIMIT {int(limit)})"
            return [
                _message(r)
                for r in self.db.rows(self._WITH_DELIVERY.format(rows=rows) + " ORDER BY o.id DESC")
            ]
        derived = (
            "CASE WHEN o.status IN ('silenced', 'dropped') THEN o.status "
            "WHEN d.first_id IS NOT NULL AND d.first_id <= o.id THEN d.status ELSE 'pending' END"
        )
        sql = self._WITH_DELIVERY.format(rows="outbox")
        return [
            _message(r)
            for r in self.db.rows(
                f"{sql} WHERE {derived} = ? ORDER BY o.id DESC LIMIT ?", [status, int(limit)]
            )
        ]

    def state(self, now: datetime, bound: int | None = None) -> OutboxState:
        """What waits, what failed (and why, last), the last send, the active silences.

        ``bound``: count the waiting and the failed messages up to this many each
        (the console's top line, read on its UI thread, must stay cheap under a
        flood of 100,000 waiting rows: see :func:`shown_count`).
        """
        pending = failed_count = 0
        last_error: str | None = None
        for route in self.routes:
            sent, failed = self._marks(route)
            upto = failed["last_id"] if failed else sent
            if bound is None:
                counts = self.db.rows(
                    "SELECT id <= ? AS retried, count(*) AS n FROM outbox "
                    "INDEXED BY outbox_by_route WHERE route = ? AND id > ? "
                    "AND status = 'pending' GROUP BY 1",
                    [upto, route, sent],
                )
                for r in counts:
                    if r["retried"]:
                        failed_count += r["n"]
                    else:
                        pending += r["n"]
            else:
                bounded = (
                    "SELECT count(*) FROM (SELECT 1 FROM outbox INDEXED BY outbox_by_route "
                    "WHERE route = ? AND id > ? AND id <= ? AND status = 'pending' LIMIT ?)"
                )
                if upto > sent:
                    failed_count += int(self.db.scalar(bounded, [route, sent, upto, bound]))
                pending += int(self.db.scalar(bounded, [route, upto, 2**62, bound]))
            if failed:
                last_error = failed["error"]
        if bound is not None:
            pending, failed_count = min(pending, bound), min(failed_count, bound)
        last_sent = self.db.scalar("SELECT max(sent_at) FROM deliveries WHERE status = 'sent'")
        return OutboxState(
            pending=pending,
            failed=failed_count,
            silences=self.active_silences(now),
            last_sent_at=parse_iso(last_sent),
            last_error=last_error,
            sender=self.sender(now),
        )

    def import_from(self, c: sqlite3.Connection, old_path: Path) -> int:
        """Copy the outbox, open states and silences of the cache at ``old_path`` (a rebuild).

        The cursor moves to the new cache's last event: what the rebuild's own
        refresh found is the baseline, not news.
        """
        copied = 0
        for table in ("outbox", "deliveries", "notify_open", "silences"):
            cols, rows = read_old(old_path, table)
            if rows:
                c.executemany(
                    f"INSERT OR REPLACE INTO {table}({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    rows,
                )
            copied += len(rows)
        c.execute(
            "INSERT OR REPLACE INTO meta(key, value) SELECT ?, coalesce(max(seq), 0) FROM events",
            [_CURSOR],
        )
        return copied
