"""The reads behind agency performance (kinerja): counts per agency over a period, in SQL.

Each read is one statement over an index (incidents by report time, the
journal by target, action items, the agency history by agency); only the
durations a median needs come back to Python, never the incidents.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cc_console.models import Kpi
from cc_console.store.agencies import _kpis
from cc_console.store.base import Cache
from cc_console.timefmt import iso_z

__all__ = ["KinerjaReads"]


def _week_case(column: str, since: datetime, end: datetime) -> tuple[str, dict[str, str]]:
    """A CASE giving the week back from ``end`` of ``column`` (0: its last 7 days), by
    text comparison with the week boundaries (no date parsing per row)."""
    bounds: dict[str, str] = {}
    whens = []
    n = 0
    while end - timedelta(days=7 * n) > since:
        key = f"w{n}"
        bounds[key] = iso_z(end - timedelta(days=7 * (n + 1))) or ""
        whens.append(f"WHEN {column} >= :{key} THEN {n}")
        n += 1
    return f"CASE {' '.join(whens)} ELSE {n} END", bounds


class KinerjaReads:
    """The per-period reads of :mod:`cc_console.kinerja`."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    def breakdown(self, start: datetime, end: datetime) -> dict[str, list[tuple[str, int]]]:
        """The period's incidents by category and by area (most first), and the open
        action items past due at ``end`` by owner."""
        span = {"a": iso_z(start), "b": iso_z(end)}
        where = (
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND status != 'cancelled'"
        )
        # One pass: by category and area together, split here (a few hundred groups).
        by_category: dict[str, int] = {}
        by_area: dict[str, int] = {}
        for r in self.db.rows(f"SELECT category, area, count(*) AS n {where} GROUP BY 1, 2", span):
            by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
            if r["area"]:
                by_area[r["area"]] = by_area.get(r["area"], 0) + r["n"]

        def most(counts: dict[str, int], limit: int | None = None) -> list[tuple[str, int]]:
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

        owners = self.db.rows(
            "SELECT owner AS k, count(*) AS n FROM action_items INDEXED BY action_items_open "
            "WHERE status = 'open' AND due < :b GROUP BY 1 ORDER BY 2 DESC, 1",
            span,
        )
        return {
            "incidents_by_category": most(by_category),
            "incidents_by_area": most(by_area, 15),
            "overdue_items_by_owner": [(r["k"], r["n"]) for r in owners],
        }

    def by_source(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The period's incidents per source: reported, acknowledged on time, resolved,
        resolved on time, breaches (what the province's report sums per site)."""
        return self.db.rows(
            "SELECT source, count(*) AS incidents, "
            "sum(acknowledged_at IS NOT NULL AND (ack_due IS NULL OR acknowledged_at <= ack_due))"
            "    AS acknowledged_on_time, "
            "sum(status = 'resolved') AS resolved, "
            "sum(status = 'resolved' AND (resolve_due IS NULL OR resolved_at <= resolve_due)) "
            "    AS resolved_on_time, "
            "sum(breached IS NOT NULL) AS breaches "
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at < :b AND status != 'cancelled' GROUP BY 1",
            {"a": iso_z(start), "b": iso_z(end)},
        )

    # -- one pass each (the period and the eight weeks of the trend together) ----------

    def incident_groups(
        self, since: datetime, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """Counts of the incidents reported in ``[since, end)``: per current assignee, by
        week back from ``end`` (0: its last 7 days) and by whether they fall in the
        period ``[start, end)``; plus one row with ``agency`` None and ``week`` -1: the
        period's incidents of everyone (the center's). As they stand at ``end``."""
        weeks, params = _week_case("reported_at", since, end)
        counts = (
            "count(*) AS assigned, "
            "sum(status = 'resolved' AND resolved_at < :b) AS resolved, "
            "sum(status = 'resolved' AND resolved_at < :b "
            "    AND (resolve_due IS NULL OR resolved_at <= resolve_due)) AS on_time, "
            "sum(status != 'resolved' AND resolve_due IS NOT NULL AND resolve_due <= :b) "
            "    AS late_open, "
            "sum(breached IS NOT NULL) AS breaches, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at < :b) AS acknowledged, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at < :b "
            "    AND (ack_due IS NULL OR acknowledged_at <= ack_due)) AS acknowledged_on_time "
            "FROM incidents INDEXED BY incidents_by_reported "
        )
        span = {"s": iso_z(since), "a": iso_z(start), "b": iso_z(end), **params}
        # Two passes that sort little: the assigned ones grouped (a share of the rows),
        # and everyone's of the period in one row, without a GROUP BY.
        assigned = self.db.rows(
            f"SELECT assigned_to AS agency, {weeks} AS week, reported_at >= :a AS in_period, "
            f"{counts} WHERE reported_at >= :s AND reported_at < :b AND status != 'cancelled' "
            "AND assigned_to IS NOT NULL GROUP BY 1, 2, 3",
            span,
        )
        everyone = self.db.rows(
            f"SELECT NULL AS agency, -1 AS week, 1 AS in_period, {counts} "
            "WHERE reported_at >= :a AND reported_at < :b AND status != 'cancelled'",
            span,
        )
        return [*assigned, *everyone]

    def durations(
        self, start: datetime, end: datetime
    ) -> list[tuple[str | None, float | None, float | None]]:
        """``(assignee, seconds to resolve from the assignment, seconds to acknowledge)``
        of the period's incidents resolved or acknowledged by ``end`` (one pass)."""
        rows = self.db.rows(
            "SELECT i.assigned_to AS agency, "
            "CASE WHEN i.assigned_to IS NOT NULL AND i.status = 'resolved' "
            "     AND i.resolved_at < :b THEN "
            "  (julianday(i.resolved_at) - julianday(coalesce("
            "    (SELECT max(j.at) FROM journal j INDEXED BY journal_by_target "
            "     WHERE j.target = i.id AND j.action = 'assign' AND j.agency = i.assigned_to "
            "     AND j.at <= i.resolved_at), i.reported_at))) * 86400.0 END AS resolve_s, "
            "CASE WHEN i.acknowledged_at IS NOT NULL AND i.acknowledged_at < :b THEN "
            "  (julianday(i.acknowledged_at) - julianday(i.reported_at)) * 86400.0 END AS ack_s "
            "FROM incidents i INDEXED BY incidents_by_reported "
            "WHERE i.reported_at >= :a AND i.reported_at < :b AND i.status != 'cancelled' "
            "AND ((i.assigned_to IS NOT NULL AND i.status = 'resolved' AND i.resolved_at < :b) "
            "     OR (i.acknowledged_at IS NOT NULL AND i.acknowledged_at < :b))",
            {"a": iso_z(start), "b": iso_z(end)},
        )
        return [(r["agency"], r["resolve_s"], r["ack_s"]) for r in rows]

    def item_groups(self, since: datetime, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Action items due in ``[since, end)`` by owner, week back from ``end`` and period:
        done by their due time, and overdue (open past it at ``end``, or done after it)."""
        weeks, params = _week_case("due", since, end)
        return self.db.rows(
            f"SELECT owner AS agency, {weeks} AS week, due >= :a AS in_period, "
            "count(*) AS actions, "
            "sum(status = 'done' AND done_at <= due) AS done_on_time, "
            "sum((status = 'open' AND due < :b) OR (status = 'done' AND done_at > due)) "
            "    AS overdue "
            "FROM action_items WHERE due >= :s AND due < :b AND status != 'cancelled' "
            "GROUP BY 1, 2, 3",
            {"s": iso_z(since), "a": iso_z(start), "b": iso_z(end), **params},
        )

    def history(self, since: datetime, end: datetime) -> list[tuple[str, str, str, str]]:
        """``(agency, at, status, kpis JSON)`` of ``[since, end)``, each agency's last
        change before it first, by agency and time."""
        rows = self.db.rows(
            "SELECT agency_id, at, status, kpis FROM ("
            "  SELECT agency_id, max(at) AS at, status, kpis FROM agency_history "
            "  WHERE at < :s GROUP BY agency_id"
            ") UNION ALL "
            "SELECT agency_id, at, status, kpis FROM agency_history WHERE at >= :s AND at < :b "
            "ORDER BY 1, 2",
            {"s": iso_z(since), "b": iso_z(end)},
        )
        return [(r["agency_id"], r["at"], r["status"], r["kpis"]) for r in rows]

    @staticmethod
    def kpis(text: str) -> tuple[Kpi, ...]:
        """The indicators of one history row."""
        return _kpis(text)
