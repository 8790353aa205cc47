"""The reads behind agency performance (kinerja): counts per agency over a period, in SQL.

Two ways to the same counts:

- **Kept per day** (``kinerja_days``, ``kinerja_areas``, schema v12): the
  incidents reported on each site day, counted per assignee and per category
  and area, as they stand now. New incidents are folded in by their ``seq``
  (past the ``kinerja.seq`` mark) by :meth:`KinerjaReads.keep`, in one write
  transaction on the first read after they arrive; a change (or deletion) of
  one already folded in moves its counts from what it was to what it is, by
  triggers, in the transaction that changes it. A read-only cache reads them
  when they are up to date. They serve a period that ends now and starts at a
  site midnight, in a zone with a fixed offset (WIB, WITA, WIT).
- **Counted from the incidents** for any other period (an end in the past,
  where "resolved" means "resolved before the end"), or when the kept counts
  cannot be used.

Either way only the durations the medians need come back to Python (read from
partial indexes), never the incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cc_console.models import Kpi
from cc_console.store.agencies import _kpis
from cc_console.store.base import Cache
from cc_console.timefmt import iso_z

__all__ = ["KinerjaReads"]


def _week_case(column: str, starts: list[datetime]) -> tuple[str, dict[str, str]]:
    """A CASE giving the trend week of ``column`` (0: the latest; ``starts``, latest
    first, are the weeks' first instants), by text comparison (no date parsing per
    row); -1 with no weeks, ``len(starts)`` before the first."""
    if not starts:
        return "-1", {}
    bounds = {f"w{n}": iso_z(at) or "" for n, at in enumerate(starts)}
    whens = " ".join(f"WHEN {column} >= :w{n} THEN {n}" for n in range(len(starts)))
    return f"CASE {whens} ELSE {len(starts)} END", bounds


_MARK = "kinerja.seq"
_OFFSET = "kinerja.offset"
# When an incident was resolved: a feed that resolves one without saying when is
# dated at its update (the schema's triggers count it the same way).
RESOLVED_AT = "coalesce(resolved_at, updated_at, reported_at)"
# Each figure is 0 or 1 whatever is missing (IS 1: a NULL comparison is no).
_ON_TIME = f"(status = 'resolved' AND (resolve_due IS NULL OR {RESOLVED_AT} <= resolve_due)) IS 1"
_ACK_ON_TIME = (
    "(acknowledged_at IS NOT NULL AND (ack_due IS NULL OR acknowledged_at <= ack_due)) IS 1"
)
# The counts of a day's incidents per assignee ('' for none), as they stand now.
_DAY_COUNTS = (
    f"count(*), sum(status = 'resolved'), sum({_ON_TIME}), "
    f"sum(breached IS NOT NULL), sum(acknowledged_at IS NOT NULL), sum({_ACK_ON_TIME})"
)
_DAY_COLUMNS = ("incidents", "resolved", "on_time", "breaches", "acknowledged",
                "acknowledged_on_time")  # fmt: skip


def _modifier(offset: timedelta) -> str:
    """SQLite's date modifier for ``offset`` ("+420 minutes")."""
    return f"{int(offset.total_seconds() // 60):+d} minutes"


class KinerjaReads:
    """The per-period reads of :mod:`cc_console.kinerja`."""

    def __init__(self, db: Cache) -> None:
        self.db = db

    # -- counts kept per day -----------------------------------------------------------

    def keep(self, offset: timedelta) -> bool:
        """Bring the counts kept per site day (``offset`` from UTC) up to date.

        False when they cannot be kept here and are not up to date (a read-only
        cache whose writer has not kept them since new incidents came): then read
        the incidents instead.
        """
        modifier = _modifier(offset)
        if self._fresh(modifier):
            return True
        if self.db.read_only:
            return False
        with self.db.tx() as c:
            meta = dict(c.execute("SELECT key, value FROM meta WHERE key IN (?, ?)",
                                  [_MARK, _OFFSET]).fetchall())  # fmt: skip
            mark = int(meta.get(_MARK, 0))
            if meta.get(_OFFSET) != modifier:
                # A first keeping, or the site's zone changed: count every day anew.
                c.execute("DELETE FROM kinerja_days")
                c.execute("DELETE FROM kinerja_areas")
                mark = 0
            (last,) = c.execute("SELECT coalesce(max(seq), 0) FROM incidents").fetchone()
            if last > mark:
                self._fold(c, modifier, mark, last)
            for key, value in ((_MARK, str(last)), (_OFFSET, modifier)):
                c.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )
        return True

    def _fresh(self, modifier: str) -> bool:
        row = self.db.tuples(
            "SELECT (SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?), "
            "(SELECT coalesce(max(seq), 0) FROM incidents)",
            [_MARK, _OFFSET],
        )[0]
        return row[0] is not None and int(row[0]) == row[2] and row[1] == modifier

    @staticmethod
    def _fold(c: Any, modifier: str, mark: int, last: int) -> None:
        """Add the incidents that arrived after ``mark`` (up to ``last``) to their days."""
        # (A row whose day cannot be computed is counted nowhere, as by the triggers.)
        where = (
            "FROM incidents WHERE seq > ? AND seq <= ? AND reported_at IS NOT NULL "
            f"AND status != 'cancelled' AND date(reported_at, '{modifier}') IS NOT NULL"
        )
        sums = ", ".join(f"{k} = {k} + excluded.{k}" for k in _DAY_COLUMNS)
        c.execute(
            f"INSERT INTO kinerja_days SELECT date(reported_at, '{modifier}'), source, "
            f"coalesce(assigned_to, ''), {_DAY_COUNTS} {where} GROUP BY 1, 2, 3 "
            f"ON CONFLICT(day, source, agency) DO UPDATE SET {sums}",
            [mark, last],
        )
        c.execute(
            f"INSERT INTO kinerja_areas SELECT date(reported_at, '{modifier}'), category, area, "
            f"count(*) {where} GROUP BY 1, 2, 3 "
            "ON CONFLICT(day, category, area) DO UPDATE SET n = n + excluded.n",
            [mark, last],
        )

    def kept_areas(self, first: date, last: date) -> list[dict[str, Any]]:
        """The kept counts per category and area over the site days ``[first, last]``."""
        return self.db.rows(
            "SELECT category, area, sum(n) AS n FROM kinerja_areas "
            "WHERE day >= ? AND day <= ? GROUP BY 1, 2 HAVING sum(n) > 0",
            [first.isoformat(), last.isoformat()],
        )

    def breakdown(
        self,
        start: datetime,
        end: datetime,
        admits: Callable[[str], bool] | None = None,
        *,
        owners: bool = True,
    ) -> dict[str, list[tuple[str, int]]]:
        """The period's incidents by category and by area (most first), and the open
        action items past due at ``end`` by owner.

        ``admits``: only the incidents of the sources it admits (one site's);
        ``owners``: False leaves the items out (they are this site's own, not another's).
        """
        span = {"a": iso_z(start), "b": iso_z(end)}
        where = (
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at <= :b AND status != 'cancelled'"
        )
        # One pass: by category and area together, split here (a few hundred groups).
        by_category: dict[str, int] = {}
        by_area: dict[str, int] = {}
        by = "source, category, area" if admits else "'', category, area"
        for r in self.db.rows(f"SELECT {by}, count(*) AS n {where} GROUP BY 1, 2, 3", span):
            if admits is not None and not admits(r["source"]):
                continue
            by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
            if r["area"]:
                by_area[r["area"]] = by_area.get(r["area"], 0) + r["n"]
        return self._breakdown(by_category, by_area, end, owners)

    def kept_breakdown(self, first: date, last: date, end: datetime) -> dict[str, Any]:
        """:meth:`breakdown` of the site days ``[first, last]`` from the kept counts."""
        by_category: dict[str, int] = {}
        by_area: dict[str, int] = {}
        for r in self.kept_areas(first, last):
            by_category[r["category"]] = by_category.get(r["category"], 0) + r["n"]
            if r["area"]:
                by_area[r["area"]] = by_area.get(r["area"], 0) + r["n"]
        return self._breakdown(by_category, by_area, end)

    def _breakdown(
        self,
        by_category: dict[str, int],
        by_area: dict[str, int],
        end: datetime,
        owners: bool = True,
    ) -> dict[str, list[tuple[str, int]]]:
        def most(counts: dict[str, int], limit: int | None = None) -> list[tuple[str, int]]:
            return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

        overdue = self.db.rows(
            "SELECT owner AS k, count(*) AS n FROM action_items INDEXED BY action_items_open "
            "WHERE status = 'open' AND due < :b GROUP BY 1 ORDER BY 2 DESC, 1",
            {"b": iso_z(end)},
        )
        return {
            "incidents_by_category": most(by_category),
            "incidents_by_area": most(by_area, 15),
            "overdue_items_by_owner": [(r["k"], r["n"]) for r in overdue] if owners else [],
        }

    def by_source(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The period's incidents per source: reported, acknowledged on time, resolved,
        resolved on time, breaches (what the province's report sums per site)."""
        return self.db.rows(
            "SELECT source, count(*) AS incidents, "
            "sum(acknowledged_at IS NOT NULL AND (ack_due IS NULL OR acknowledged_at <= ack_due))"
            "    AS acknowledged_on_time, "
            "sum(status = 'resolved') AS resolved, "
            f"sum({_ON_TIME}) AS resolved_on_time, "
            "sum(breached IS NOT NULL) AS breaches "
            "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE reported_at >= :a AND reported_at <= :b AND status != 'cancelled' GROUP BY 1",
            {"a": iso_z(start), "b": iso_z(end)},
        )

    # -- one pass each (the period and the eight weeks of the trend together) ----------

    def incident_counts(
        self,
        starts: list[datetime],
        start: datetime,
        end: datetime,
        previous: datetime | None = None,
        *,
        kept: timedelta | None = None,
    ) -> list[dict[str, Any]]:
        """Counts of the incidents reported from the earliest of ``start``, ``previous``
        and the trend's week ``starts`` (latest first) to ``end``, as they stand at ``end``.

        Every row has the same columns, whichever way it was counted: ``source``,
        ``agency``,
        ``in_period`` (1: in the period ``[start, end)``, 2: in the previous one
        ``[previous, start)``, 0: neither), ``week`` (of the trend, 0 the latest; out of
        range: none), and the sums ``incidents``, ``resolved``, ``on_time``,
        ``late_open``, ``breaches``, ``acknowledged``, ``acknowledged_on_time``. The
        rows with ``agency`` None are everyone's incidents of the period (the
        centre's); the others are per current assignee. Per source: the province
        counts each site's agencies apart.

        ``kept``: the site's offset from UTC; the counts kept per site day serve (the
        period starts at a site midnight and ends now; see :meth:`keep`), else they
        are counted from the incidents.
        """
        if kept is not None:
            return self._kept_counts(starts, start, end, previous, kept)
        return self._counted(starts, start, end, previous)

    def _kept_counts(
        self,
        starts: list[datetime],
        start: datetime,
        end: datetime,
        previous: datetime | None,
        offset: timedelta,
    ) -> list[dict[str, Any]]:
        def day(at: datetime) -> str:
            return (at.astimezone(UTC) + offset).date().isoformat()

        since = min([start, *starts[-1:], *([previous] if previous else [])])
        span = {"first": day(since), "last": day(end), "pf": day(start),
                "qf": day(previous or start), "b": iso_z(end)}  # fmt: skip
        # The same day's place in the period and the trend as _week_case's (site days).
        where = "CASE WHEN day >= :pf THEN 1 WHEN day >= :qf THEN 2 ELSE 0 END"
        week = "CAST((julianday(:last) - julianday(day)) / 7 AS INTEGER)"
        sums = ("sum(incidents) AS incidents, sum(resolved) AS resolved, sum(on_time) AS on_time, "
                "0 AS late_open, sum(breaches) AS breaches, sum(acknowledged) AS acknowledged, "
                "sum(acknowledged_on_time) AS acknowledged_on_time")  # fmt: skip
        assigned = self.db.rows(
            f"SELECT source, agency, {where} AS in_period, {week} AS week, {sums} "
            "FROM kinerja_days WHERE day >= :first AND day <= :last AND agency != '' "
            "GROUP BY 1, 2, 3, 4",
            span,
        )
        everyone = self.db.rows(
            f"SELECT source, NULL AS agency, 1 AS in_period, -1 AS week, {sums} "
            "FROM kinerja_days WHERE day >= :pf AND day <= :last GROUP BY 1",
            span,
        )
        # Open past the resolve deadline at the end: not a count kept (it moves with the
        # clock), read from a partial index that holds just the open assigned ones.
        late = self.db.rows(
            f"SELECT source, agency, {where} AS in_period, {week} AS week, 0 AS incidents, "
            "0 AS resolved, 0 AS on_time, sum(n) AS late_open, 0 AS breaches, "
            "0 AS acknowledged, 0 AS acknowledged_on_time FROM ("
            "  SELECT source, assigned_to AS agency, "
            f"  date(reported_at, '{_modifier(offset)}') AS day, "
            "  count(*) AS n FROM incidents INDEXED BY incidents_late_assigned "
            "  WHERE status IN ('open', 'acknowledged') AND assigned_to IS NOT NULL "
            "  AND resolve_due IS NOT NULL AND resolve_due <= :b "
            "  AND reported_at >= :s AND reported_at <= :b GROUP BY 1, 2, 3"
            ") WHERE day >= :first AND day <= :last GROUP BY 1, 2, 3, 4",
            {**span, "s": iso_z(since)},
        )
        return [*assigned, *[r for r in everyone if r["incidents"]], *late]

    def _counted(
        self,
        starts: list[datetime],
        start: datetime,
        end: datetime,
        previous: datetime | None,
    ) -> list[dict[str, Any]]:
        since = min([start, *starts[-1:], *([previous] if previous else [])])
        weeks, params = _week_case("reported_at", starts)
        counts = (
            "count(*) AS incidents, "
            f"sum(status = 'resolved' AND {RESOLVED_AT} <= :b) AS resolved, "
            f"sum(status = 'resolved' AND {RESOLVED_AT} <= :b "
            f"    AND (resolve_due IS NULL OR {RESOLVED_AT} <= resolve_due)) AS on_time, "
            "sum(status != 'resolved' AND resolve_due IS NOT NULL AND resolve_due <= :b) "
            "    AS late_open, "
            "sum(breached IS NOT NULL) AS breaches, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at <= :b) AS acknowledged, "
            "sum(acknowledged_at IS NOT NULL AND acknowledged_at <= :b "
            "    AND (ack_due IS NULL OR acknowledged_at <= ack_due)) AS acknowledged_on_time "
            "FROM incidents INDEXED BY incidents_by_reported "
        )
        span = {"s": iso_z(since), "a": iso_z(start), "b": iso_z(end),
                "p": iso_z(previous or start), **params}  # fmt: skip
        # Two passes: the assigned ones grouped (a share of the rows), and everyone's of
        # the period per source (the centre's; a site's when one is asked for).
        assigned = self.db.rows(
            f"SELECT source, assigned_to AS agency, "
            "CASE WHEN reported_at >= :a THEN 1 WHEN reported_at >= :p THEN 2 ELSE 0 END "
            f"AS in_period, {weeks} AS week, "
            f"{counts} WHERE reported_at >= :s AND reported_at <= :b AND status != 'cancelled' "
            "AND assigned_to IS NOT NULL GROUP BY 1, 2, 3, 4",
            span,
        )
        everyone = self.db.rows(
            f"SELECT source, NULL AS agency, 1 AS in_period, -1 AS week, {counts} "
            "WHERE reported_at >= :a AND reported_at <= :b AND status != 'cancelled' GROUP BY 1",
            span,
        )
        return [*assigned, *[r for r in everyone if r["incidents"]]]

    def durations(
        self, start: datetime, end: datetime, *, kept: bool = False
    ) -> list[tuple[str, str | None, float | None, float | None]]:
        """``(source, assignee, seconds to resolve from the assignment, seconds to acknowledge)``
        of the period's incidents resolved or acknowledged by ``end``.

        The resolved assigned ones come from a partial index that holds just them (the
        journal gives the time of the assignment). With ``kept``, only the
        acknowledgements that came after the report are read (a partial index holds
        them): the others are zeros, as many as the kept count of acknowledged
        incidents has beyond them.
        """
        span = {"a": iso_z(start), "b": iso_z(end)}
        resolved = self.db.tuples(
            "SELECT i.source, i.assigned_to, (julianday(i.resolved_at) - julianday(coalesce("
            "  (SELECT max(j.at) FROM journal j INDEXED BY journal_by_target "
            "   WHERE j.target = i.id AND j.action = 'assign' AND j.agency = i.assigned_to "
            "   AND j.at <= i.resolved_at), i.reported_at))) * 86400.0 "
            "FROM incidents i INDEXED BY incidents_resolved_assigned "
            "WHERE i.status = 'resolved' AND i.assigned_to IS NOT NULL "
            "AND i.reported_at >= :a AND i.reported_at <= :b AND i.resolved_at <= :b",
            span,
        )
        acks = (
            "FROM incidents INDEXED BY incidents_acknowledged WHERE acknowledged_at > reported_at "
            if kept
            else "FROM incidents INDEXED BY incidents_by_reported "
            "WHERE acknowledged_at IS NOT NULL "
        )
        acknowledged = self.db.tuples(
            "SELECT source, (julianday(acknowledged_at) - julianday(reported_at)) * 86400.0 "
            f"{acks} AND reported_at >= :a AND reported_at <= :b "
            "AND acknowledged_at <= :b AND status != 'cancelled'",
            span,
        )
        return [(src, a, s, None) for src, a, s in resolved] + [
            (src, None, None, s) for src, s in acknowledged
        ]

    def items(self, since: datetime, end: datetime) -> list[dict[str, Any]]:
        """The action items that can count in a window inside ``[since, end)``: done from
        ``since`` on, or open (or done after) past their due time at ``end``. Cancelled
        ones never count. (Items are typed by people: a few hundred, not millions.)"""
        return self.db.rows(
            "SELECT seq, text, owner, due, status, done_at, meeting_title FROM action_items "
            "WHERE (status = 'done' AND done_at >= :s) OR (status = 'open' AND due < :b) "
            "ORDER BY seq",
            {"s": iso_z(since), "b": iso_z(end)},
        )

    def late_incidents(self, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
        """The incidents reported in ``[start, end)``, assigned and still open past their
        resolve deadline at ``end``: per source and assignee the ``limit`` longest past it, with the
        seconds past (a partial index holds just the open assigned ones with a deadline)."""
        return self.db.rows(
            "SELECT source, agency, id, title, overdue_s FROM ("
            "  SELECT source, assigned_to AS agency, id, title, "
            "  (julianday(:b) - julianday(resolve_due)) * 86400.0 AS overdue_s, "
            "  row_number() OVER (PARTITION BY source, assigned_to ORDER BY resolve_due, id) AS n "
            "  FROM incidents INDEXED BY incidents_late_assigned "
            "  WHERE status IN ('open', 'acknowledged') AND assigned_to IS NOT NULL "
            "  AND resolve_due IS NOT NULL AND resolve_due <= :b "
            "  AND reported_at >= :a AND reported_at < :b"
            ") WHERE n <= :limit ORDER BY source, agency, n",
            {"a": iso_z(start), "b": iso_z(end), "limit": limit},
        )

    def history(self, since: datetime, end: datetime) -> list[tuple[str, str, str, str, str]]:
        """``(source, agency, at, status, kpis JSON)`` of ``[since, end)``, each agency's
        last change before it first, by source, agency and time."""
        rows = self.db.rows(
            "SELECT source, agency_id, at, status, kpis FROM ("
            "  SELECT source, agency_id, max(at) AS at, status, kpis FROM agency_history "
            "  WHERE at < :s GROUP BY source, agency_id"
            ") UNION ALL "
            "SELECT source, agency_id, at, status, kpis FROM agency_history "
            "WHERE at >= :s AND at < :b ORDER BY 1, 2, 3",
            {"s": iso_z(since), "b": iso_z(end)},
        )
        return [(r["source"], r["agency_id"], r["at"], r["status"], r["kpis"]) for r in rows]

    @staticmethod
    def kpis(text: str) -> tuple[Kpi, ...]:
        """The indicators of one history row."""
        return _kpis(text)
