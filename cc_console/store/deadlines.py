"""Deadlines kept per incident, breaches recorded once, and the console's alarm.

The due times are computed in SQL from the rules (:mod:`cc_console.sla`),
set-based over the rows a write touched: an always-clock rule is date
arithmetic in SQLite's C code; a working-clock rule calls the calendar
(registered as a SQL function) for the rows it matches only. ``next_due``, a
generated column, is the deadline still to meet, indexed: what is late or due
soon is a range of that index, never a scan of the table in Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cc_console.models import Incident
from cc_console.sla import Policy, Rule, Within
from cc_console.store.base import Cache
from cc_console.store.crisis import CrisisEvent
from cc_console.store.events import ALARMING, Events
from cc_console.store.incidents import INCIDENT_COLUMNS, SELECT_INCIDENT, row_to_incident
from cc_console.timefmt import iso_z, parse_iso

__all__ = ["LATE", "Alarm", "Deadlines", "LateCounts"]

_FINGERPRINT = "sla.fingerprint"

LATE = "next_due IS NOT NULL AND next_due <= ?"
"""The one definition of "past a deadline" (bound to now): an active incident with a
deadline still to meet that has passed. The alarm line, ``sla``, the handover and the
Wilayah view all count with it."""


@dataclass(frozen=True)
class LateCounts:
    """Active incidents past a deadline, and how many of them nobody acknowledged yet."""

    late: int
    unacknowledged: int  # what the alarm line counts: no one has taken them up

    @property
    def acknowledged(self) -> int:
        return self.late - self.unacknowledged

    def __add__(self, other: LateCounts) -> LateCounts:
        return LateCounts(self.late + other.late, self.unacknowledged + other.unacknowledged)


@dataclass(frozen=True)
class Alarm:
    """What the alarm line says: unacknowledged new severe incidents and breaches."""

    new: int
    breaches: int
    worst: Incident | None
    keys: frozenset[tuple[str, int]]  # (incident id, alarm event): a new member rings the bell
    items: int = 0  # open action items past their due time
    # Disaster events whose emergency status runs out within 24 h (or has, unrenewed).
    expiring: tuple[CrisisEvent, ...] = ()

    @property
    def count(self) -> int:
        return self.new + self.breaches + self.items + len(self.expiring)

    def with_expiring(self, events: list[CrisisEvent]) -> Alarm:
        """This alarm and the emergency statuses about to end (each rings once per end)."""
        keys = {(f"{e.id}@{iso_z(e.status_until)}", -3) for e in events}
        return replace(self, expiring=tuple(events), keys=self.keys | keys)


def _passed(r: dict[str, Any], at: str) -> list[str]:
    """The breaches of row ``r`` not yet recorded at ``at``, in the order they happened."""

    def passed(due: str | None) -> bool:
        return due is not None and due <= at

    if r["breached"] == "resolve":
        return []
    kinds = []
    if r["status"] == "open" and r["breached"] is None and passed(r["ack_due"]):
        kinds.append("acknowledge")
    if passed(r["resolve_due"]):
        kinds.append("resolve")
    return kinds


class Deadlines:
    """Deadlines, breaches and the alarm, over the incidents of one cache."""

    def __init__(self, db: Cache, policy: Policy | None, alert_rank: int = 1) -> None:
        self.db = db
        self.policy = policy
        self.alert_rank = alert_rank
        if policy is not None and policy.uses_calendar:
            calendar = policy.calendar

            def working_due(reported: str | None, seconds: float) -> str | None:
                start = parse_iso(reported)
                return iso_z(calendar.add(start, seconds)) if start else None

            db.conn.create_function("cc_working_due", 2, working_due, deterministic=True)

    # -- writes (inside the caller's transaction) -----------------------------------

    def _due_sql(self, which: str) -> tuple[str, list[Any]]:
        """A CASE over the rules: the first that matches gives the due time (or NULL)."""
        assert self.policy is not None
        cases: list[str] = []
        params: list[Any] = []
        for rule in self.policy.rules:
            cond, cond_params = rule.match.sql()
            within: Within | None = (
                rule.acknowledge_within if which == "ack" else rule.resolve_within
            )
            expr, expr_params = self._length_sql(rule, within)
            cases.append(f"WHEN {cond} THEN {expr}")
            params += cond_params + expr_params
        return f"CASE {' '.join(cases)} END", params

    def _length_sql(self, rule: Rule, within: Within | None) -> tuple[str, list[Any]]:
        assert self.policy is not None
        if within is None:
            return "NULL", []
        if rule.clock == "working":
            span = self.policy.calendar.span
            return "cc_working_due(reported_at, ?)", [within.days * span + within.seconds]
        seconds = within.days * 86_400 + within.seconds
        return "strftime('%Y-%m-%dT%H:%M:%SZ', reported_at, ?)", [f"+{seconds:g} seconds"]

    def compute(self, c: sqlite3.Connection, where: str, params: Sequence[Any]) -> None:
        """Set the due times of the incidents ``where`` selects (no rules: none)."""
        if self.policy is None:
            return
        if not self.policy.rules:
            c.execute(
                f"UPDATE incidents SET ack_due = NULL, resolve_due = NULL WHERE {where} "
                "AND (ack_due IS NOT NULL OR resolve_due IS NOT NULL)",
                list(params),
            )
            return
        ack, ack_params = self._due_sql("ack")
        res, res_params = self._due_sql("resolve")
        c.execute(
            f"UPDATE incidents SET ack_due = {ack}, resolve_due = {res} WHERE {where}",
            [*ack_params, *res_params, *params],
        )

    def after_write(
        self,
        c: sqlite3.Connection,
        first_new: int | None,
        updated: Sequence[str],
        first_event: int,
    ) -> None:
        """Keep a snapshot's incidents' work times, deadlines and alarm marks.

        ``first_new``: the seq of the first incident inserted (None: none);
        ``updated``: ids of incidents the snapshot changed; ``first_event``:
        the first event seq of this write.
        """
        work = (
            "acknowledged_at = CASE WHEN status IN ('acknowledged', 'resolved') "
            "THEN coalesce(acknowledged_at, op_at, updated_at) END, "
            "resolved_at = CASE WHEN status = 'resolved' "
            "THEN coalesce(resolved_at, op_at, updated_at) END"
        )
        if first_new is not None and self.policy is not None and self.policy.rules:
            # (New rows have their work times from the INSERT, and no deadlines yet.)
            self.compute(c, "seq >= ?", [first_new])
        if updated:
            c.executemany(f"UPDATE incidents SET {work} WHERE id = ?", [(i,) for i in updated])
            for start in range(0, len(updated), 500):
                chunk = updated[start : start + 500]
                self.compute(c, f"id IN ({', '.join('?' * len(chunk))})", chunk)
        kinds = ", ".join(f"'{k}'" for k in ALARMING)
        raised = c.execute(
            f"SELECT max(seq), target FROM events WHERE seq >= ? AND kind IN ({kinds}) "
            "GROUP BY target",
            [first_event],
        ).fetchall()
        # One lookup by id per incident that raised the alarm (a few per refresh).
        c.executemany(
            "UPDATE incidents SET alarm_seq = ? WHERE id = ? AND status = 'open' "
            f"AND severity_rank <= {int(self.alert_rank)}",
            raised,
        )

    # -- keeping them current ---------------------------------------------------------

    def sync(self, now: datetime) -> bool:
        """Redo every incident's deadlines if the rules changed since they were computed.

        Returns whether it did. A breach recorded under the old rules that the
        new ones no longer see is forgotten (it would be recorded again).
        """
        if self.policy is None or self.db.read_only:
            return False
        fingerprint = self.policy.fingerprint()
        if self.db.scalar("SELECT value FROM meta WHERE key = ?", [_FINGERPRINT]) == fingerprint:
            return False
        at = iso_z(now)
        with self.db.big_cache(1_000_000), self.db.tx() as c:
            self.compute(c, "1", [])
            c.execute(
                "UPDATE incidents SET breached = NULL WHERE breached IS NOT NULL AND NOT ("
                "(breached = 'acknowledge' AND ack_due <= ?) OR "
                "(breached = 'resolve' AND resolve_due <= ?))",
                [at, at],
            )
            c.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [_FINGERPRINT, fingerprint]
            )
        return True

    def check(self, now: datetime) -> int:
        """Record each deadline passed since the last check: one event per breach.

        Run on every poll cycle, also when no feed changed. Returns how many.
        """
        if self.db.read_only:
            return 0
        at = iso_z(now) or ""
        found = self.db.rows(
            "SELECT id, severity, status, ack_due, resolve_due, breached FROM incidents "
            "INDEXED BY incidents_by_due WHERE next_due IS NOT NULL AND next_due <= ? AND ("
            "(status = 'open' AND breached IS NULL AND ack_due <= ?) OR "
            "(coalesce(breached, '') != 'resolve' AND resolve_due <= ?))",
            [at, at, at],
        )
        if not found:
            return 0
        recorded = 0
        with self.db.tx() as c:
            for r in found:
                for kind in _passed(r, at):
                    due = r["ack_due"] if kind == "acknowledge" else r["resolve_due"]
                    seq = Events.add(
                        c, due, "incident.breach", r["id"], r["severity"],
                        {"breach": kind, "due": due},
                    )  # fmt: skip
                    c.execute(
                        "UPDATE incidents SET breached = ?, "
                        "alarm_seq = CASE WHEN status = 'open' THEN ? ELSE alarm_seq END "
                        "WHERE id = ?",
                        [kind, seq, r["id"]],
                    )
                    recorded += 1
        return recorded

    # -- reads ---------------------------------------------------------------------------

    def late(self, now: datetime, limit: int | None = None) -> list[Incident]:
        """Active incidents past a deadline (:data:`LATE`), most overdue first."""
        return self._window(LATE, [iso_z(now)], limit)

    def late_counts(self, now: datetime) -> LateCounts:
        """How many incidents are past a deadline at ``now``, and not acknowledged."""
        return sum(self.late_by_source(now).values(), LateCounts(0, 0))

    def late_by_source(self, now: datetime) -> dict[str, LateCounts]:
        """:meth:`late_counts` per source (the Wilayah view sums them per site)."""
        rows = self.db.rows(
            f"SELECT source, count(*) AS n, sum(status = 'open') AS unacked "
            f"FROM incidents INDEXED BY incidents_by_due WHERE {LATE} GROUP BY source",
            [iso_z(now)],
        )
        return {r["source"]: LateCounts(r["n"], int(r["unacked"] or 0)) for r in rows}

    def due_within(self, now: datetime, seconds: float, limit: int | None = None) -> list[Incident]:
        """Active incidents whose next deadline falls in ``(now, now + seconds]``, soonest first."""
        return self._window(
            "next_due > ? AND next_due <= ?",
            [iso_z(now), iso_z(now + timedelta(seconds=seconds))],
            limit,
        )

    def _window(self, cond: str, params: list[Any], limit: int | None) -> list[Incident]:
        sql = (
            f"{SELECT_INCIDENT} INDEXED BY incidents_by_due "
            f"WHERE next_due IS NOT NULL AND {cond} ORDER BY next_due, seq"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row_to_incident(r) for r in self.db.rows(sql, params)]

    def alarm(self, now: datetime, limit: int = 5000) -> Alarm:
        """Unacknowledged incidents that raised the alarm, or are past a deadline.

        The worst: the most severe; among those, the latest to raise the alarm
        (what the operator has not seen yet), then the most overdue.
        """
        at = iso_z(now)
        cols = f"SELECT {', '.join(INCIDENT_COLUMNS)}, alarm_seq, next_due, severity_rank"
        rows = self.db.rows(
            f"SELECT * FROM ({cols} FROM incidents INDEXED BY incidents_on_alarm "
            "WHERE alarm_seq IS NOT NULL AND status = 'open' "
            f"UNION {cols} FROM incidents INDEXED BY incidents_by_due "
            f"WHERE {LATE} AND status = 'open') "
            "ORDER BY severity_rank, coalesce(alarm_seq, 0) DESC, coalesce(next_due, '9'), "
            "reported_at DESC LIMIT ?",
            [at, limit],
        )
        new = breaches = 0
        keys: set[tuple[str, int]] = set()
        for r in rows:
            late = r["next_due"] is not None and r["next_due"] <= at
            breaches += late
            new += not late
            keys.add((r["id"], int(r["alarm_seq"] or 0) if not late else -1))
        worst = row_to_incident(rows[0]) if rows else None
        overdue = self.db.rows(
            "SELECT seq FROM action_items INDEXED BY action_items_open "
            "WHERE status = 'open' AND due <= ?",
            [at],
        )
        keys |= {(f"A-{r['seq']}", -2) for r in overdue}
        return Alarm(new, breaches, worst, frozenset(keys), len(overdue))
