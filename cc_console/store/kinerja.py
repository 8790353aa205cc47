"""The reads behind agency performance (kinerja): counts per agency over a period, in SQL.

Each read is one statement over an index (incidents by report time, the
journal by target, action items, the agency history by agency); only the
durations a median needs come back to Python, never the incidents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cc_console.models import Kpi
from cc_console.store.agencies import _kpis
from cc_console.store.base import Cache
from cc_console.timefmt import iso_z

__all__ = ["KinerjaReads"]


class KinerjaReads:
    """The per-period reads of :mod:`cc_console.kinerja`."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    def incidents_by_agency(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per current assignee, the incidents reported in ``[start, end)``.

        ``resolved`` by ``end``; ``on_time`` resolved by their resolve deadline (or
        without one); ``late_open`` unresolved past their resolve deadline at ``end``.
        """
        a, b = iso_z(start), iso_z(end)
        return self.db.rows(
            "SELECT assigned_to AS agency, count(*) AS assigned, "
            "sum(status = 'resolved' AND resolved_at < :b) AS resolved, "
            "sum(status = 'resolved' AND resolved_at < :b "
            "    AND (resolve_due IS NULL OR resolved_at <= resolve_due)) AS on_time, "
            "sum(status != 'resolved' AND resolve_due IS NOT NULL AND resolve_due <= :b) "
            "    AS late_open, "
            "sum(breached IS NOT NULL) AS breaches "
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND assigned_to IS NOT NULL "
            "AND status != 'cancelled' GROUP BY assigned_to",
            {"a": a, "b": b},
        )

    def resolve_seconds(self, start: datetime, end: datetime) -> list[tuple[str, float]]:
        """``(agency, seconds)`` from the assignment to the resolution of each incident
        reported in the period and resolved by its end (assigned by the feed: from the
        report)."""
        rows = self.db.rows(
            "SELECT i.assigned_to AS agency, (julianday(i.resolved_at) - julianday(coalesce("
            "  (SELECT max(j.at) FROM journal j INDEXED BY journal_by_target "
            "   WHERE j.target = i.id AND j.action = 'assign' AND j.agency = i.assigned_to "
            "   AND j.at <= i.resolved_at), i.reported_at))) * 86400.0 AS seconds "
            "FROM incidents i INDEXED BY incidents_by_reported "
            "WHERE i.reported_at >= :a AND i.reported_at < :b AND i.assigned_to IS NOT NULL "
            "AND i.status = 'resolved' AND i.resolved_at < :b",
            {"a": iso_z(start), "b": iso_z(end)},
        )
        return [
            (r["agency"], max(float(r["seconds"]), 0.0)) for r in rows if r["seconds"] is not None
        ]

    def center(self, start: datetime, end: datetime) -> dict[str, Any]:
        """The center's own figures for incidents reported in the period."""
        (row,) = self.db.rows(
            "SELECT count(*) AS incidents, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at < :b) AS acknowledged, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at < :b "
            "    AND (ack_due IS NULL OR acknowledged_at <= ack_due)) AS acknowledged_on_time, "
            "sum(breached IS NOT NULL) AS breaches "
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND status != 'cancelled'",
            {"a": iso_z(start), "b": iso_z(end)},
        )
        return {k: int(v or 0) for k, v in row.items()}

    def acknowledge_seconds(self, start: datetime, end: datetime) -> list[float]:
        """Seconds from report to acknowledgement of the period's acknowledged incidents."""
        rows = self.db.rows(
            "SELECT (julianday(acknowledged_at) - julianday(reported_at)) * 86400.0 AS s "
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND acknowledged_at IS NOT NULL "
            "AND acknowledged_at < :b AND status != 'cancelled'",
            {"a": iso_z(start), "b": iso_z(end)},
        )
        return [max(float(r["s"]), 0.0) for r in rows if r["s"] is not None]

    def actions_by_owner(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Per owner, the action items due in the period: done by their due time, and
        overdue (open past it at ``end``, or done after it)."""
        return self.db.rows(
            "SELECT owner AS agency, count(*) AS actions, "
            "sum(status = 'done' AND done_at <= due) AS done_on_time, "
            "sum(status = 'done' AND done_at > due) AS done_late, "
            "sum((status = 'open' AND due < :b) OR (status = 'done' AND done_at > due)) "
            "    AS overdue "
            "FROM action_items WHERE due >= :a AND due < :b AND status != 'cancelled' "
            "GROUP BY owner",
            {"a": iso_z(start), "b": iso_z(end)},
        )

    def status_changes(self, start: datetime, end: datetime) -> list[tuple[str, str, str]]:
        """``(agency, at, status)`` of the period, each agency's last change before it first."""
        a, b = iso_z(start), iso_z(end)
        rows = self.db.rows(
            "SELECT agency_id, at, status FROM ("
            "  SELECT agency_id, max(at) AS at, status FROM agency_history "
            "  WHERE at < :a GROUP BY agency_id"
            ") UNION ALL "
            "SELECT agency_id, at, status FROM agency_history WHERE at >= :a AND at < :b "
            "ORDER BY 1, 2",
            {"a": a, "b": b},
        )
        return [(r["agency_id"], r["at"], r["status"]) for r in rows]

    def kpis_at(self, end: datetime) -> dict[str, tuple[Kpi, ...]]:
        """Each agency's indicators as last reported before ``end`` (from its history)."""
        rows = self.db.rows(
            "SELECT agency_id, kpis, max(at) AS at FROM agency_history WHERE at < ? "
            "GROUP BY agency_id",
            [iso_z(end)],
        )
        return {r["agency_id"]: _kpis(r["kpis"]) for r in rows}

    def breakdown(self, start: datetime, end: datetime) -> dict[str, list[tuple[str, int]]]:
        """The period's incidents by category and by area (most first), and the open
        action items past due at ``end`` by owner."""
        span = {"a": iso_z(start), "b": iso_z(end)}
        where = (
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND status != 'cancelled'"
        )
        categories = self.db.rows(
            f"SELECT category AS k, count(*) AS n {where} GROUP BY 1 ORDER BY 2 DESC, 1", span
        )
        areas = self.db.rows(
            f"SELECT area AS k, count(*) AS n {where} AND area != '' GROUP BY 1 "
            "ORDER BY 2 DESC, 1 LIMIT 15",
            span,
        )
        owners = self.db.rows(
            "SELECT owner AS k, count(*) AS n FROM action_items INDEXED BY action_items_open "
            "WHERE status = 'open' AND due < :b GROUP BY 1 ORDER BY 2 DESC, 1",
            span,
        )
        return {
            "incidents_by_category": [(r["k"], r["n"]) for r in categories],
            "incidents_by_area": [(r["k"], r["n"]) for r in areas],
            "overdue_items_by_owner": [(r["k"], r["n"]) for r in owners],
        }
