"""Agency performance (kinerja) over a period: figures, a score and a ranking.

Pure over the store's reads (:class:`cc_console.store.kinerja.KinerjaReads`,
counts computed in SQL): no clock is read here, the period is given.

The score (0-100) is a weighted mean of what can be measured for the agency
in the period, each part a share between 0 and 1:

- **resolution, weight 40**: incidents resolved by their deadline, of those
  resolved plus those still open past it;
- **action items, weight 25**: items done by their due time, of those done in
  time plus those overdue (open past due, or done late);
- **KPIs, weight 20**: indicators at or past their target, of those with one;
- **service, weight 15**: the share of the period the agency's service was
  operational (or in planned maintenance), from its status history.

A part with nothing to measure (no incident assigned, no item due) is left
out and the weights of the others count; an agency with no part has no score
and ranks last. An incident counts for the agency it is assigned to now; its
time to resolve runs from the assignment (the last ``assign`` to that agency
in the journal, else the report: assigned by the feed).
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from cc_console.models import Agency
from cc_console.timefmt import in_zone, iso_z, parse_iso, span

__all__ = [
    "WEIGHTS",
    "AgencyFigures",
    "CenterFigures",
    "Kinerja",
    "compute",
    "duration",
    "period",
    "share",
]

WEIGHTS = {"resolution": 40.0, "actions": 25.0, "kpis": 20.0, "service": 15.0}
UP = ("operational", "maintenance")
TREND_WEEKS = 8


def period(now: datetime, days: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now, from a midnight in the site's zone.

    ``(start, end)``: ``end`` is now; ``start`` is the midnight ``days - 1`` days
    before today's (``--days 7`` on a Monday noon: from last Tuesday 00:00).
    """
    local = in_zone(now, tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = (midnight - timedelta(days=days - 1)).astimezone(now.tzinfo)
    return start, now


def share(part: int, whole: int, counts: bool = False) -> str:
    """``78%`` (or ``7/9 (78%)`` with ``counts``); "–" when there is nothing to count."""
    if not whole:
        return "–"
    percent = f"{100 * part / whole:.0f}%"
    return f"{part}/{whole} ({percent})" if counts else percent


def duration(seconds: float | None) -> str:
    """A median as words ("5h 12m"); "–" when there is none."""
    return "–" if seconds is None else span(seconds)


@dataclass(slots=True)
class AgencyFigures:
    """One agency's figures for the period (CONTRACT.md section 10)."""

    id: str
    name: str
    score: float | None = None
    assigned: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    breaches: int = 0
    median_resolve_s: float | None = None
    actions: int = 0
    actions_done_on_time: int = 0
    actions_overdue: int = 0
    kpis_met: int = 0
    kpis_total: int = 0
    status_time: dict[str, float] = field(default_factory=dict)
    late_open: int = 0  # open past the resolve deadline (counts against resolution)
    trend: list[float | None] = field(default_factory=list)  # weekly scores, oldest first

    @property
    def up(self) -> float | None:
        """The share of the period in service (operational or planned maintenance)."""
        return sum(self.status_time.get(s, 0.0) for s in UP) if self.status_time else None

    def parts(self) -> dict[str, float]:
        """The measurable parts of the score, each 0..1."""
        out: dict[str, float] = {}
        judged = self.resolved + self.late_open
        if judged:
            out["resolution"] = self.resolved_on_time / judged
        items = self.actions_done_on_time + self.actions_overdue
        if items:
            out["actions"] = self.actions_done_on_time / items
        if self.kpis_total:
            out["kpis"] = self.kpis_met / self.kpis_total
        if self.up is not None:
            out["service"] = self.up
        return out

    def shown(self, *, counts: bool = False) -> dict[str, str]:
        """The figures as every face shows them: score, on time, items, KPIs, service up.

        ``counts``: the report's form, "7/9 (78%)" and a score to one decimal;
        otherwise the screens', "78%" and a whole score. "–": nothing to measure.
        """
        up = self.up
        return {
            "score": "–" if self.score is None else f"{self.score:.{1 if counts else 0}f}",
            "on_time": share(self.resolved_on_time, self.resolved + self.late_open, counts),
            "items": share(
                self.actions_done_on_time, self.actions_done_on_time + self.actions_overdue, counts
            ),
            "kpis": share(self.kpis_met, self.kpis_total, counts),
            "up": "–" if up is None else f"{100 * up:.0f}%",
        }

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("late_open")
        if d["median_resolve_s"] is not None:
            d["median_resolve_s"] = round(d["median_resolve_s"])
        d["status_time"] = {k: round(v, 4) for k, v in self.status_time.items()}
        return d


@dataclass(slots=True)
class CenterFigures:
    """The command center's own figures: acknowledging on time."""

    incidents: int = 0
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    median_acknowledge_s: float | None = None
    breaches: int = 0

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        if d["median_acknowledge_s"] is not None:
            d["median_acknowledge_s"] = round(d["median_acknowledge_s"])
        return d


@dataclass(slots=True)
class Kinerja:
    """The period, the center, and the agencies ranked by score."""

    start: datetime
    end: datetime
    center: CenterFigures
    agencies: list[AgencyFigures]
    # incidents_by_category, incidents_by_area (top 15), overdue_items_by_owner
    breakdown: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # The province: each site's incidents of the period (see :func:`site_rows`).
    sites: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = {
            "period": {"from": iso_z(self.start), "to": iso_z(self.end)},
            "center": self.center.as_json(),
            "agencies": [a.as_json() for a in self.agencies],
            **{k: [{"name": n, "count": c} for n, c in v] for k, v in self.breakdown.items()},
        }
        if self.sites:
            out["sites"] = self.sites
        return out


SITE_COUNTS = ("incidents", "acknowledged_on_time", "resolved", "resolved_on_time", "breaches")


def site_rows(
    reads: Any,
    read_from: dict[str, tuple[str, str]],
    own: tuple[str, str],
    start: datetime,
    end: datetime,
) -> list[dict[str, Any]]:
    """Each site's incidents reported in ``[start, end)``: ``{code, name, incidents,
    acknowledged_on_time, resolved, resolved_on_time, breaches}``, by code.

    ``read_from``: ``source -> (code, name)`` of the sources read from other sites;
    every other source is ``own``'s. Empty with fewer than two sites (the center's
    figures are then the site's).
    """
    codes = {c for c, _ in read_from.values()}
    if len(codes | {own[0]}) < 2 or not read_from:
        return []
    sites: dict[str, dict[str, Any]] = {}
    for r in reads.by_source(start, end):
        code, name = read_from.get(r["source"], own)
        row = sites.setdefault(code, {"code": code, "name": name, **dict.fromkeys(SITE_COUNTS, 0)})
        for k in SITE_COUNTS:
            row[k] += int(r[k] or 0)
    for code, name in {*read_from.values()}:
        sites.setdefault(code, {"code": code, "name": name, **dict.fromkeys(SITE_COUNTS, 0)})
    return [sites[c] for c in sorted(sites)]


def score(figures: AgencyFigures) -> float | None:
    """The documented weighted mean (module docstring), 0-100; None: nothing to measure."""
    parts = figures.parts()
    if not parts:
        return None
    total = sum(WEIGHTS[k] for k in parts)
    return round(100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()) / total, 1)


def status_shares(
    changes: list[tuple[str, str, str]], start: datetime, end: datetime
) -> dict[str, dict[str, float]]:
    """Per agency, the share of ``[start, end)`` spent in each status.

    ``changes``: ``(agency, at, status)`` sorted by agency and time, the last
    change before the period first. Time before an agency's first known
    status is not counted (the shares are of the time known).
    """
    points: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for agency, text, status in changes:
        when = parse_iso(text)
        if when is not None:
            points[agency].append((when, status, ""))
    out = {agency: _shares(pts, start, end) for agency, pts in points.items()}
    return {agency: shares for agency, shares in out.items() if shares}


def _shares(points: list[tuple[datetime, str, str]], a: datetime, b: datetime) -> dict[str, float]:
    """The share of ``[a, b)`` in each status, from one agency's changes (sorted)."""
    spans: dict[str, float] = defaultdict(float)
    before = bisect.bisect_left([p[0] for p in points], a)
    start = max(before - 1, 0)
    for n in range(start, len(points)):
        began, status, _ = points[n]
        if began >= b:
            break
        until = points[n + 1][0] if n + 1 < len(points) else b
        seconds = (min(until, b) - max(began, a)).total_seconds()
        if seconds > 0:
            spans[status] += seconds
    known = sum(spans.values())
    if known <= 0:
        return {}
    return {s: v / known for s, v in sorted(spans.items(), key=lambda x: -x[1])}


def _kpis_before(
    points: list[tuple[datetime, str, str]], b: datetime, reads: Any
) -> tuple[int, int] | None:
    """``(met, total)`` of the indicators last reported before ``b``, or None."""
    n = bisect.bisect_left([p[0] for p in points], b)
    if n == 0:
        return None
    judged = [k.met for k in reads.kpis(points[n - 1][2]) if k.met is not None]
    return sum(judged), len(judged)


def fixed_offset(tz: tzinfo, around: datetime) -> timedelta | None:
    """The zone's offset from UTC when it is the same all year (no daylight saving:
    Indonesia's WIB, WITA, WIT), else None."""
    offsets = {
        datetime(around.year, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset()
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return offset


def week_starts(end: datetime, tz: tzinfo, weeks: int) -> list[datetime]:
    """The starts of the trend's weeks, latest first: week 0 is the seven site days that
    end with ``end``'s day (a ``--days 7`` period), week 1 the seven before, ..."""
    last = in_zone(end, tz).date()
    return [
        datetime.combine(last - timedelta(days=7 * w + 6), time(0), tzinfo=tz).astimezone(UTC)
        for w in range(weeks)
    ]


def compute(
    reads: Any,
    agencies: list[Agency],
    start: datetime,
    end: datetime,
    *,
    trend: bool = True,
    tz: tzinfo = UTC,
    current: bool = False,
) -> Kinerja:
    """The figures of ``[start, end)`` from ``reads`` (a :class:`KinerjaReads`).

    ``agencies``: the known agencies (their names); an id seen only in
    assignments or items is listed under its id. KPIs are those last reported
    before the period's end (the agency history keeps them). The trend's weeks
    are seven site days each (``tz``), the latest ending with the period.
    Incidents are judged as they stand at the period's end.

    ``current``: the period ends now and starts at a site midnight (a report, the
    console): the counts kept per site day serve it (see
    :mod:`cc_console.store.kinerja`), else they are counted from the incidents.
    """
    weeks = TREND_WEEKS if trend else 0
    starts = week_starts(end, tz, weeks)
    since = min([start, *starts[-1:]])
    names = {a.id: a.name for a in agencies}
    figures: dict[str, AgencyFigures] = {i: AgencyFigures(i, n) for i, n in names.items()}
    weekly: list[dict[str, AgencyFigures]] = [{} for _ in range(weeks)]

    def of(table: dict[str, AgencyFigures], agency: str) -> AgencyFigures:
        return table.setdefault(agency, AgencyFigures(agency, names.get(agency, agency)))

    def targets(agency: str, in_period: bool, week: int) -> list[AgencyFigures]:
        out = [of(figures, agency)] if in_period else []
        if 0 <= week < weeks:
            out.append(of(weekly[week], agency))
        return out

    center = CenterFigures()
    offset = fixed_offset(tz, end) if current else None
    kept = offset is not None and reads.keep(offset)
    if kept:
        assert offset is not None
        first, last, period_first = (in_zone(t, tz).date() for t in (since, end, start))
        for r in reads.kept_days(first, last):
            day = date.fromisoformat(r["day"])
            in_period = day >= period_first
            if in_period:
                center.incidents += r["incidents"]
                center.acknowledged += r["acknowledged"]
                center.acknowledged_on_time += r["acknowledged_on_time"]
                center.breaches += r["breaches"]
            if not r["agency"]:
                continue
            for f in targets(r["agency"], in_period, (last - day).days // 7):
                f.assigned += r["incidents"]
                f.resolved += r["resolved"]
                f.resolved_on_time += r["on_time"]
                f.breaches += r["breaches"]
        for r in reads.late_open(since, end, offset):
            day = date.fromisoformat(r["day"])
            for f in targets(r["agency"], day >= period_first, (last - day).days // 7):
                f.late_open += r["n"]
    else:
        for r in reads.incident_groups(starts, start, end):
            counts = {k: int(r[k] or 0) for k in ("assigned", "resolved", "on_time", "late_open",
                                                  "breaches", "acknowledged",
                                                  "acknowledged_on_time")}  # fmt: skip
            if r["agency"] is None:  # everyone's, in the period: the center's
                center.incidents += counts["assigned"]
                center.acknowledged += counts["acknowledged"]
                center.acknowledged_on_time += counts["acknowledged_on_time"]
                center.breaches += counts["breaches"]
                continue
            for f in targets(r["agency"], bool(r["in_period"]), r["week"]):
                f.assigned += counts["assigned"]
                f.resolved += counts["resolved"]
                f.resolved_on_time += counts["on_time"]
                f.late_open += counts["late_open"]
                f.breaches += counts["breaches"]
    resolve: dict[str, list[float]] = defaultdict(list)
    acks: list[float] = []
    for agency, resolve_s, ack_s in reads.durations(start, end, kept=kept):
        if agency is not None and resolve_s is not None:
            resolve[agency].append(max(float(resolve_s), 0.0))
        if ack_s is not None:
            acks.append(max(float(ack_s), 0.0))
    if kept:  # only those acknowledged after their report were read: the rest are zeros
        acks += [0.0] * (center.acknowledged - len(acks))
    for agency, values in resolve.items():
        of(figures, agency).median_resolve_s = statistics.median(values)
    center.median_acknowledge_s = statistics.median(acks) if acks else None
    for r in reads.item_groups(starts, start, end):
        for f in targets(r["agency"], bool(r["in_period"]), r["week"]):
            f.actions += int(r["actions"] or 0)
            f.actions_done_on_time += int(r["done_on_time"] or 0)
            f.actions_overdue += int(r["overdue"] or 0)
    points: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for agency, at, status, kpis in reads.history(since, end):
        when = parse_iso(at)
        if when is not None:
            points[agency].append((when, status, kpis))
    windows = [(start, end, figures)] + [
        (a, min(end, a + timedelta(days=7)), weekly[w]) for w, a in enumerate(starts)
    ]
    for a, b, table in windows:
        for agency, pts in points.items():
            if agency not in names:
                continue
            f = of(table, agency)
            f.status_time = _shares(pts, a, b)
            met = _kpis_before(pts, b, reads)
            if met is not None:
                f.kpis_met, f.kpis_total = met
    for f in figures.values():
        f.score = score(f)
    ranked = sorted(
        figures.values(), key=lambda f: (f.score is None, -(f.score or 0.0), f.name.casefold())
    )
    if not trend:
        return Kinerja(start, end, center, ranked)
    for f in ranked:
        f.trend = [
            score(weekly[w][f.id]) if f.id in weekly[w] else None for w in reversed(range(weeks))
        ]
    if kept:
        breakdown = reads.kept_breakdown(in_zone(start, tz).date(), in_zone(end, tz).date(), end)
    else:
        breakdown = reads.breakdown(start, end)
    return Kinerja(start, end, center, ranked, breakdown)
