"""Agency performance (kinerja) over a period: figures, a score and a ranking.

Pure over the store's reads (:class:`cc_console.store.kinerja.KinerjaReads`,
counts computed in SQL): no clock is read here, the period is given.

The score (0-100) is a weighted mean of what can be measured for the agency
in the period, each part a share between 0 and 1:

- **resolution, weight 40**: incidents resolved by their deadline, of those
  resolved plus those still open past it;
- **items, weight 25**: action items closed on time, of those closed in the
  period (on time or late) plus those open and past due at its end;
- **KPIs, weight 20**: the share of the period each indicator was at or past
  its target, time weighted over the agency's history (not the last reading,
  which moves minute to minute);
- **service, weight 15**: the share of the period the agency's service was
  operational (or in planned maintenance), from its status history.

A part with nothing to measure is left out and the weights of the others
count; ``parts`` are each part's points, which add up to the score. Only a
perangkat daerah (``kind`` "agency") with at least ``min_events`` counted
events in the period (assigned incidents plus counted action items) is
scored and ranked: nothing without data ranks above something with data.
The others are listed after the ranked ones ("data tidak cukup"); IT
services (``kind`` "service") are reported by availability alone.

An incident counts for the agency it is assigned to now; its time to resolve
runs from the assignment (the last ``assign`` to that agency in the journal,
else the report: assigned by the feed). The previous period (as long as this
one, just before it) and the trend's weeks are judged the same way, as they
stand at this period's end.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from cc_console.models import Agency, Kpi
from cc_console.timefmt import in_zone, iso_z, parse_iso, span

__all__ = [
    "WEIGHTS",
    "AgencyFigures",
    "CenterFigures",
    "Kinerja",
    "KinerjaSource",
    "Period",
    "compute",
    "dates_period",
    "duration",
    "part_text",
    "period",
    "report",
    "share",
    "signed_change",
    "site_choice",
    "week_period",
]

WEIGHTS = {"resolution": 40.0, "items": 25.0, "kpis": 20.0, "service": 15.0}
UP = ("operational", "maintenance")
TREND_WEEKS = 8
MIN_EVENTS = 3
LISTED = 10  # overdue items and late incidents listed per agency (the worst first)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` and the previous period ``[previous, start)`` of the same days."""

    start: datetime
    end: datetime
    previous: datetime
    current: bool = False  # ends now, starts at a site midnight (the kept counts serve it)


def period(now: datetime, days: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The last ``days`` days up to now, from a midnight in the site's zone.

    ``(start, end)``: ``end`` is now; ``start`` is the midnight ``days - 1`` days
    before today's (``--days 7`` on a Monday noon: from last Tuesday 00:00).
    """
    local = in_zone(now, tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = (midnight - timedelta(days=days - 1)).astimezone(now.tzinfo)
    return start, now


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def days_period(now: datetime, days: int, tz: tzinfo) -> Period:
    """``--days N``: :func:`period`, and the ``days`` site days before it."""
    start, end = period(now, days, tz)
    return Period(start, end, _midnight(in_zone(start, tz).date() - timedelta(days=days), tz), True)


def week_period(week: str | None, now: datetime, tz: tzinfo) -> Period:
    """``--week [YYYY-Www]``: an ISO week, Monday 00:00 to Monday 00:00 in the site's zone;
    without a value the last complete week. The previous period is the week before.

    Raises:
        ValueError: not a week such as ``2026-W48``.
    """
    if week is None:
        today = in_zone(now, tz).date()
        monday = today - timedelta(days=today.weekday() + 7)
    else:
        text = week.strip().upper()
        try:
            year, _, number = text.partition("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            raise ValueError(f"--week: expected YYYY-Www such as 2026-W48, got {week!r}") from None
    start = _midnight(monday, tz)
    return Period(start, _midnight(monday + timedelta(days=7), tz),
                  _midnight(monday - timedelta(days=7), tz))  # fmt: skip


def dates_period(first: str, last: str, tz: tzinfo) -> Period:
    """``--from DATE --to DATE``: the site days ``first`` to ``last``, both included; the
    previous period is as many days before.

    Raises:
        ValueError: not ``YYYY-MM-DD``, or ``last`` before ``first``.
    """
    try:
        a, b = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise ValueError(f"--from/--to: expected YYYY-MM-DD, got {first!r} and {last!r}") from None
    if b < a:
        raise ValueError(f"--to {last} is before --from {first}")
    days = (b - a).days + 1
    return Period(_midnight(a, tz), _midnight(b + timedelta(days=1), tz),
                  _midnight(a - timedelta(days=days), tz))  # fmt: skip


def share(part: int, whole: int, counts: bool = False) -> str:
    """``78%`` (or ``7/9 (78%)`` with ``counts``); "–" when there is nothing to count."""
    if not whole:
        return "–"
    percent = f"{100 * part / whole:.0f}%"
    return f"{part}/{whole} ({percent})" if counts else percent


def signed_change(value: float | None, previous: float | None) -> str:
    """``▲ 3.5`` / ``▼ 2.0`` / ``= 0.0``; "–" without both."""
    if value is None or previous is None:
        return "–"
    change = round(value - previous, 1)
    return f"▲ {change:.1f}" if change > 0 else f"▼ {-change:.1f}" if change < 0 else "= 0.0"


def part_text(value: float | None) -> str:
    """A score's part to a tenth; "–" when it has nothing to measure."""
    return "–" if value is None else f"{value:.1f}"


def duration(seconds: float | None) -> str:
    """A median as words ("5h 12m"); "–" when there is none."""
    return "–" if seconds is None else span(seconds)


Key = tuple[str | None, str]
"""An agency of a site: ``(site code or None for this site's own, agency id)``."""


def key_text(key: Key) -> str:
    """A key as one word: the id for this site's own, ``CODE/id`` for another site's."""
    return key[1] if key[0] is None else f"{key[0]}/{key[1]}"


@dataclass(slots=True)
class AgencyFigures:
    """One agency's figures for the period, of one site (``site`` None: this site's own;
    else the code of the site it was read from: the province counts each regency's
    "dinkes" apart)."""

    id: str
    name: str
    kind: str = "agency"
    site: str | None = None
    score: float | None = None
    assigned: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    breaches: int = 0
    median_resolve_s: float | None = None
    actions: int = 0
    actions_done_on_time: int = 0
    actions_overdue: int = 0
    kpis_met: int = 0  # of the last reading before the period's end
    kpis_total: int = 0
    kpi_share_met: float | None = None  # time weighted over the period
    status_time: dict[str, float] = field(default_factory=dict)
    late_open: int = 0  # open past the resolve deadline (counts against resolution)
    trend: list[float | None] = field(default_factory=list)  # weekly scores, oldest first
    scored: bool = False
    rank: int | None = None
    points: dict[str, float | None] = field(default_factory=dict)  # the score's parts
    previous: dict[str, Any] = field(default_factory=lambda: {"score": None, "rank": None})
    overdue_items: list[dict[str, Any]] = field(default_factory=list)
    late_incidents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> Key:
        """``(site, id)``: what tells two sites' agencies of one id apart."""
        return self.site, self.id

    @property
    def up(self) -> float | None:
        """The share of the period in service (operational or planned maintenance)."""
        return sum(self.status_time.get(s, 0.0) for s in UP) if self.status_time else None

    @property
    def events(self) -> int:
        """The counted events of the period: assigned incidents and counted items."""
        return self.assigned + self.actions

    def shares(self) -> dict[str, float]:
        """The measurable parts of the score, each 0..1."""
        out: dict[str, float] = {}
        judged = self.resolved + self.late_open
        if judged:
            out["resolution"] = self.resolved_on_time / judged
        items = self.actions_done_on_time + self.actions_overdue
        if items:
            out["items"] = self.actions_done_on_time / items
        if self.kpi_share_met is not None:
            out["kpis"] = self.kpi_share_met
        if self.up is not None:
            out["service"] = self.up
        return out

    def shown(self, *, counts: bool = False) -> dict[str, str]:
        """The figures as every face shows them: score, on time, items, KPIs, service up.

        ``counts``: the report's form, "7/9 (78%)" and a score to one decimal;
        otherwise the screens', "78%" and a whole score. "–": nothing to measure.
        """
        up, kpis = self.up, self.kpi_share_met
        return {
            "score": "–" if self.score is None else f"{self.score:.{1 if counts else 0}f}",
            "on_time": share(self.resolved_on_time, self.resolved + self.late_open, counts),
            "items": share(
                self.actions_done_on_time, self.actions_done_on_time + self.actions_overdue, counts
            ),
            "kpis": "–" if kpis is None else f"{100 * kpis:.0f}%",
            "up": "–" if up is None else f"{100 * up:.0f}%",
        }

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        for gone in ("late_open", "points", "trend"):
            d.pop(gone)
        d["parts"] = self.points or dict.fromkeys(WEIGHTS)
        d["trend"] = self.trend
        if d["median_resolve_s"] is not None:
            d["median_resolve_s"] = round(d["median_resolve_s"])
        if d["kpi_share_met"] is not None:
            d["kpi_share_met"] = round(d["kpi_share_met"], 4)
        d["status_time"] = {k: round(v, 4) for k, v in self.status_time.items()}
        return d


@dataclass(slots=True)
class CenterFigures:
    """The command center's own figures: acknowledging on time, and the breaches of
    incidents nobody was assigned (the centre's own, "belum ditugaskan")."""

    incidents: int = 0
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    median_acknowledge_s: float | None = None
    breaches: int = 0
    unassigned_breaches: int = 0
    late_by_agency: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        if d["median_acknowledge_s"] is not None:
            d["median_acknowledge_s"] = round(d["median_acknowledge_s"])
        return d


@dataclass(slots=True)
class Kinerja:
    """The period, the center, and the agencies: ranked, then those without enough data,
    then the services."""

    start: datetime
    end: datetime
    center: CenterFigures
    agencies: list[AgencyFigures]
    # incidents_by_category, incidents_by_area (top 15), overdue_items_by_owner
    breakdown: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # The province: each site's incidents of the period (see :func:`site_rows`).
    sites: list[dict[str, Any]] = field(default_factory=list)
    previous_start: datetime | None = None
    min_events: int = MIN_EVENTS
    per_site: bool = False  # several sites are present: each row says its site

    @property
    def ranked(self) -> list[AgencyFigures]:
        return [a for a in self.agencies if a.scored]

    @property
    def unscored(self) -> list[AgencyFigures]:
        return [a for a in self.agencies if not a.scored and a.kind != "service"]

    @property
    def services(self) -> list[AgencyFigures]:
        return [a for a in self.agencies if a.kind == "service"]

    def as_json(self) -> dict[str, Any]:
        out = {
            "period": {"from": iso_z(self.start), "to": iso_z(self.end)},
            "previous_period": {"from": iso_z(self.previous_start), "to": iso_z(self.start)}
            if self.previous_start
            else None,
            "min_events": self.min_events,
            "center": self.center.as_json(),
            "agencies": [a.as_json() for a in self.agencies],
            **{k: [{"name": n, "count": c} for n, c in v] for k, v in self.breakdown.items()},
        }
        if self.sites:
            out["sites"] = self.sites
        return out


def site_choice(
    code: str | None, read_from: Mapping[str, tuple[str, str]], own: str | None
) -> frozenset[str | None] | None:
    """The sites ``--site CODE`` counts (see :func:`compute`'s ``only``): None for every
    one; this site's own (None) for "local" or its own code; else the site ``code`` (a
    code nobody sent counts nothing: an empty report, as an empty listing)."""
    if code is None:
        return None
    if code == "local" or (code == own and code not in {c for c, _ in read_from.values()}):
        return frozenset({None})
    return frozenset({code})


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


def score_parts(figures: AgencyFigures) -> tuple[float | None, dict[str, float | None]]:
    """The documented weighted mean (module docstring), 0-100, and each part's points
    (None: nothing to measure), which add up to it. ``(None, {})``: nothing at all."""
    shares = figures.shares()
    if not shares:
        return None, {}
    total = sum(WEIGHTS[k] for k in shares)
    points = {
        k: round(100.0 * w * shares[k] / total, 1) if k in shares else None
        for k, w in WEIGHTS.items()
    }
    return round(sum(v for v in points.values() if v is not None), 1), points


def score(figures: AgencyFigures) -> float | None:
    """:func:`score_parts`' score alone."""
    return score_parts(figures)[0]


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


def _kpi_share(
    points: list[tuple[datetime, str, str]],
    a: datetime,
    b: datetime,
    judge: Any,
) -> float | None:
    """The share of ``[a, b)`` the agency's indicators were met, time weighted: each
    reading counts for as long as it was in force, as the share of its indicators
    met. Time before the first reading, or with no judged indicator, is not counted."""
    met = known = 0.0
    before = bisect.bisect_left([p[0] for p in points], a)
    for n in range(max(before - 1, 0), len(points)):
        began, _, kpis = points[n]
        if began >= b:
            break
        until = points[n + 1][0] if n + 1 < len(points) else b
        seconds = (min(until, b) - max(began, a)).total_seconds()
        judged = judge(kpis)
        if seconds > 0 and judged is not None:
            known += seconds
            met += seconds * judged[0] / judged[1]
    return met / known if known > 0 else None


def _rank(rows: list[AgencyFigures], least: int) -> list[AgencyFigures]:
    """Mark who is scored (an agency with a score and ``least`` events) and rank them:
    best first, equal scores share a rank; the order is then by name, then id."""
    for f in rows:
        f.scored = f.kind == "agency" and f.score is not None and f.events >= least
        f.rank = None
        if not f.scored:  # too little to judge by: no score is shown, none is compared
            f.score, f.points = None, {}
    order = sorted(
        rows,
        key=lambda f: (
            0 if f.scored else 1 if f.kind == "agency" else 2,
            -(f.score or 0.0) if f.scored else 0.0,
            f.name.casefold(),
            f.site or "",
            f.id,
        ),
    )
    last: float | None = None
    for n, f in enumerate(order, 1):
        if not f.scored:
            break
        f.rank = n if f.score != last else order[n - 2].rank
        last = f.score
    return order


def _items(
    rows: list[dict[str, Any]], a: datetime, b: datetime
) -> dict[str, tuple[int, int, int, list[dict[str, Any]]]]:
    """Per owner, the items of ``[a, b)``: ``(counted, on time, overdue, open past due)``.

    An item counts when closed in the period (on time, or late: overdue) or when open
    and past due at its end (overdue); what was done after the end was open at it."""
    out: dict[str, tuple[int, int, int, list[dict[str, Any]]]] = {}
    for r in rows:
        due, done = r["due_t"], r["done_t"]
        counted = on_time = overdue = 0
        late: dict[str, Any] | None = None
        if done is not None and a <= done < b:
            counted, on_time, overdue = 1, int(done <= due), int(done > due)
        elif due < b and (done is None or done >= b):
            counted, overdue = 1, 1
            late = {"id": f"A-{r['seq']}", "text": r["text"], "due": r["due"],
                    "days_late": int((b - due).total_seconds() // 86400),
                    "meeting_title": r["meeting_title"]}  # fmt: skip
        if counted:
            n, t, o, lst = out.get(r["owner"], (0, 0, 0, []))
            out[r["owner"]] = (n + 1, t + on_time, o + overdue, [*lst, late] if late else lst)
    return out


class KinerjaSource(Protocol):
    """The store's reads the figures are computed from (:class:`~cc_console.store.kinerja.
    KinerjaReads`): counts in SQL, only the durations the medians need come back."""

    def keep(self, offset: timedelta) -> bool:
        """Bring the counts kept per site day up to date; False: they cannot serve."""
        ...

    def incident_counts(
        self,
        starts: list[datetime],
        start: datetime,
        end: datetime,
        previous: datetime | None = None,
        *,
        kept: timedelta | None = None,
    ) -> list[dict[str, Any]]:
        """Per source and assignee (None: everyone's, the centre's), ``in_period`` and
        trend ``week``:
        ``incidents``, ``resolved``, ``on_time``, ``late_open``, ``breaches``,
        ``acknowledged``, ``acknowledged_on_time``."""
        ...

    def durations(
        self, start: datetime, end: datetime, *, kept: bool = False
    ) -> list[tuple[str, str | None, float | None, float | None]]:
        """``(source, assignee, seconds to resolve, seconds to acknowledge)``."""
        ...

    def items(self, since: datetime, end: datetime) -> list[dict[str, Any]]:
        """The action items that can count in a window inside ``[since, end)``."""
        ...

    def history(self, since: datetime, end: datetime) -> list[tuple[str, str, str, str, str]]:
        """``(source, agency, at, status, kpis JSON)``, each agency's last change first."""
        ...

    def kpis(self, text: str) -> tuple[Kpi, ...]:
        """The indicators of one history row."""
        ...

    def late_incidents(self, start: datetime, end: datetime, limit: int) -> list[dict[str, Any]]:
        """Per source and assignee, the ``limit`` incidents longest open past their
        deadline."""
        ...

    def breakdown(
        self,
        start: datetime,
        end: datetime,
        admits: Callable[[str], bool] | None = None,
        *,
        owners: bool = True,
    ) -> dict[str, list[tuple[str, int]]]:
        """Incidents (of the sources ``admits`` admits) by category and area, overdue
        items by owner (``owners``)."""
        ...

    def kept_breakdown(
        self, first: date, last: date, end: datetime
    ) -> dict[str, list[tuple[str, int]]]:
        """:meth:`breakdown` from the counts kept per site day."""
        ...


INCIDENT_COUNTS = ("incidents", "resolved", "on_time", "late_open", "breaches",
                   "acknowledged", "acknowledged_on_time")  # fmt: skip


class _Tables:
    """The figures being built: the period's, the previous period's and each trend
    week's, per agency of a site; an agency first met is listed under its id (the known
    ones under their names and kinds).

    ``sites``: ``source -> site code`` of the sources read from other sites (every
    other source is this site's own, None); ``only``: the sites counted (None: all).
    """

    def __init__(
        self,
        agencies: list[Agency],
        weeks: int,
        sites: Mapping[str, str],
        only: Collection[str | None] | None,
    ) -> None:
        self.sites, self.only = sites, only
        self.names: dict[Key, str] = {}
        self.kinds: dict[Key, str] = {}
        self.any_name: dict[str, str] = {}  # an id's name at any site (an item's owner)
        for a in agencies:
            k = (sites.get(a.source), a.id)
            self.names.setdefault(k, a.name)
            self.kinds.setdefault(k, a.kind)
            self.any_name.setdefault(a.id, a.name)
        self.period: dict[Key, AgencyFigures] = {
            k: self._new(k) for k in self.names if self.counts(k[0])
        }
        self.before: dict[Key, AgencyFigures] = {}
        self.weekly: list[dict[Key, AgencyFigures]] = [{} for _ in range(weeks)]

    def site(self, source: str) -> str | None:
        return self.sites.get(source)

    def counts(self, site: str | None) -> bool:
        """Whether a site's figures are counted (the one asked for, or every one)."""
        return self.only is None or site in self.only

    def _new(self, key: Key) -> AgencyFigures:
        name = self.names.get(key) or self.any_name.get(key[1], key[1])
        return AgencyFigures(key[1], name, self.kinds.get(key, "agency"), key[0])

    def of(self, table: dict[Key, AgencyFigures], key: Key) -> AgencyFigures:
        found = table.get(key)
        if found is None:
            found = table[key] = self._new(key)
        return found

    def targets(self, key: Key, where: int, week: int) -> list[AgencyFigures]:
        """Where a count lands: ``where`` 1 in the period, 2 in the previous one, 0
        neither; and in its trend ``week`` if it is one."""
        tables = {1: [self.period], 2: [self.before]}.get(where, [])
        if 0 <= week < len(self.weekly):
            tables.append(self.weekly[week])
        return [self.of(t, key) for t in tables]

    def all(self) -> list[dict[Key, AgencyFigures]]:
        return [self.period, self.before, *self.weekly]


def _count_incidents(
    reads: KinerjaSource,
    tables: _Tables,
    center: CenterFigures,
    window: tuple[list[datetime], datetime, datetime, datetime | None],
    kept: timedelta | None,
) -> None:
    """Add the incidents' counts (one accumulation, however they were read) to the
    centre (everyone's of the period) and to their assignees' figures."""
    for r in reads.incident_counts(*window, kept=kept):
        site = tables.site(r["source"])
        if not tables.counts(site):
            continue
        n = {k: int(r[k] or 0) for k in INCIDENT_COUNTS}
        if r["agency"] is None:
            center.incidents += n["incidents"]
            center.acknowledged += n["acknowledged"]
            center.acknowledged_on_time += n["acknowledged_on_time"]
            center.breaches += n["breaches"]
            continue
        for f in tables.targets((site, r["agency"]), int(r["in_period"]), int(r["week"])):
            f.assigned += n["incidents"]
            f.resolved += n["resolved"]
            f.resolved_on_time += n["on_time"]
            f.late_open += n["late_open"]
            f.breaches += n["breaches"]


def _medians(
    reads: KinerjaSource,
    tables: _Tables,
    center: CenterFigures,
    start: datetime,
    end: datetime,
    kept: bool,
) -> None:
    """The median time to resolve per agency, and the centre's to acknowledge."""
    resolve: dict[Key, list[float]] = defaultdict(list)
    acks: list[float] = []
    for source, agency, resolve_s, ack_s in reads.durations(start, end, kept=kept):
        site = tables.site(source)
        if not tables.counts(site):
            continue
        if agency is not None and resolve_s is not None:
            resolve[site, agency].append(max(float(resolve_s), 0.0))
        if ack_s is not None:
            acks.append(max(float(ack_s), 0.0))
    if kept:  # only those acknowledged after their report were read: the rest are zeros
        acks += [0.0] * (center.acknowledged - len(acks))
    for key, values in resolve.items():
        tables.of(tables.period, key).median_resolve_s = statistics.median(values)
    center.median_acknowledge_s = statistics.median(acks) if acks else None


def _unassigned(center: CenterFigures, figures: dict[Key, AgencyFigures]) -> None:
    """The breaches nobody is accountable for but the centre: of incidents assigned to
    no one. Those of an agency are by its :func:`key_text` ("32.05/dinkes" for a site's)."""
    late_by = {key_text(f.key): f.breaches for f in figures.values() if f.breaches}
    center.late_by_agency = dict(sorted(late_by.items()))
    center.unassigned_breaches = max(center.breaches - sum(late_by.values()), 0)


Window = tuple[datetime, datetime, dict[Key, AgencyFigures]]


def _count_items(
    reads: KinerjaSource, tables: _Tables, windows: list[Window], since: datetime, end: datetime
) -> None:
    """Each window's action items per owner; the period's overdue ones listed. Items are
    this site's own (typed here, owned by an agency id): they count for this site's row
    of the owner, when this site is counted."""
    if not tables.counts(None):
        return
    items = [
        {**r, "due_t": parse_iso(r["due"]), "done_t": parse_iso(r["done_at"])}
        for r in reads.items(since, end)
    ]
    items = [r for r in items if r["due_t"] is not None]
    for a, b, table in windows:
        for owner, (n, on_time, overdue, late) in _items(items, a, b).items():
            f = tables.of(table, (None, owner))
            f.actions, f.actions_done_on_time, f.actions_overdue = n, on_time, overdue
            if table is tables.period:
                late.sort(key=lambda x: (-x["days_late"], x["id"]))
                f.overdue_items = late[:LISTED]


def _time_weighted(
    reads: KinerjaSource, tables: _Tables, windows: list[Window], since: datetime, end: datetime
) -> None:
    """Each window's service status shares and KPI share met, from the agencies'
    history (time weighted), and the KPIs of the last reading before its end."""
    points: dict[Key, list[tuple[datetime, str, str]]] = defaultdict(list)
    for source, agency, at, status, kpis in reads.history(since, end):
        when, site = parse_iso(at), tables.site(source)
        if when is not None and tables.counts(site):
            points[site, agency].append((when, status, kpis))
    for pts in points.values():  # two sources of one site may report one agency
        pts.sort(key=lambda p: p[0])
    judged: dict[str, tuple[int, int] | None] = {}

    def judge(text: str) -> tuple[int, int] | None:
        """``(met, judged)`` of one reading's indicators (each reading parsed once)."""
        if text not in judged:
            marks = [k.met for k in reads.kpis(text) if k.met is not None]
            judged[text] = (sum(marks), len(marks)) if marks else None
        return judged[text]

    for a, b, table in windows:
        for key, pts in points.items():
            if key not in tables.names:
                continue
            f = tables.of(table, key)
            f.status_time = _shares(pts, a, b)
            f.kpi_share_met = _kpi_share(pts, a, b, judge)
            n = bisect.bisect_left([p[0] for p in pts], b)
            last_reading = judge(pts[n - 1][2]) if n else None
            if last_reading is not None:
                f.kpis_met, f.kpis_total = last_reading


def _score_and_rank(tables: _Tables, min_events: int, previous: bool) -> list[AgencyFigures]:
    """Every table's scores; the period's ranking, with each agency's previous score
    and rank (when a previous period is wanted)."""
    for table in tables.all():
        for f in table.values():
            f.score, f.points = score_parts(f) if f.kind == "agency" else (None, {})
    ranked = _rank(list(tables.period.values()), min_events)
    if previous:
        before = tables.before
        _rank(list(before.values()), min_events)
        for f in ranked:
            if f.key in before and before[f.key].scored:
                f.previous = {"score": before[f.key].score, "rank": before[f.key].rank}
    return ranked


def _late_incidents(reads: KinerjaSource, tables: _Tables, start: datetime, end: datetime) -> None:
    """Per agency, the incidents longest open past their resolve deadline."""
    for r in reads.late_incidents(start, end, LISTED):
        who = tables.period.get((tables.site(r["source"]), r["agency"]))
        if who is not None:
            who.late_incidents.append({"id": r["id"], "title": r["title"], "breach": "resolve",
                                     "overdue_s": int(r["overdue_s"])})  # fmt: skip


def _kept_offset(
    reads: KinerjaSource, tz: tzinfo, end: datetime, current: bool
) -> timedelta | None:
    """The site's offset when the counts kept per site day serve the period (it ends
    now and starts at a site midnight, the zone has one offset all year, and the counts
    are up to date or can be brought up to date); None: count from the incidents."""
    offset = fixed_offset(tz, end) if current else None
    return offset if offset is not None and reads.keep(offset) else None


def compute(
    reads: KinerjaSource,
    agencies: list[Agency],
    start: datetime,
    end: datetime,
    *,
    trend: bool = True,
    tz: tzinfo = UTC,
    current: bool = False,
    previous: datetime | None = None,
    min_events: int = MIN_EVENTS,
    sites: Mapping[str, str] | None = None,
    only: Collection[str | None] | None = None,
) -> Kinerja:
    """The figures of ``[start, end)`` from ``reads``.

    ``sites``: ``source -> site code`` of the sources read from other sites (the
    province's regencies; every other source is this site's own): agencies are counted
    per (site, id). ``only``: the sites to count (None for this site's own); None: all.

    ``agencies``: the known agencies (their names and kinds); an id seen only in
    assignments or items is listed under its id. The trend's weeks are seven site
    days each (``tz``), the latest ending with the period; ``previous``: the start of
    the previous period (which ends at ``start``), if one is wanted. Incidents are
    judged as they stand at the period's end.

    ``current``: the period ends now and starts at a site midnight (a report, the
    console): the counts kept per site day serve it (see
    :mod:`cc_console.store.kinerja`), else they are counted from the incidents.
    """
    weeks = TREND_WEEKS if trend else 0
    starts = week_starts(end, tz, weeks)
    since = min([start, *starts[-1:], *([previous] if previous else [])])
    sites = sites or {}
    tables = _Tables(agencies, weeks, sites, only)
    center = CenterFigures()
    kept = _kept_offset(reads, tz, end, current)
    _count_incidents(reads, tables, center, (starts, start, end, previous), kept)
    _medians(reads, tables, center, start, end, kept is not None)
    _unassigned(center, tables.period)
    windows: list[Window] = [(start, end, tables.period)] + [
        (a, min(end, a + timedelta(days=7)), tables.weekly[w]) for w, a in enumerate(starts)
    ]
    if previous:
        windows.append((previous, start, tables.before))
    _count_items(reads, tables, windows, since, end)
    _time_weighted(reads, tables, windows, since, end)
    ranked = _score_and_rank(tables, min_events, previous is not None)
    _late_incidents(reads, tables, start, end)
    result = Kinerja(start, end, center, ranked, previous_start=previous, min_events=min_events,
                     per_site=bool(sites))  # fmt: skip
    if not trend:
        return result
    for f in ranked:
        f.trend = [
            tables.weekly[w][f.key].score if f.key in tables.weekly[w] else None
            for w in reversed(range(weeks))
        ]
    if kept is not None and only is None:  # the kept areas are of every site together
        first, last = in_zone(start, tz).date(), in_zone(end, tz).date()
        result.breakdown = reads.kept_breakdown(first, last, end)
    elif only is None:
        result.breakdown = reads.breakdown(start, end)
    else:
        result.breakdown = reads.breakdown(
            start, end, lambda s: tables.counts(tables.site(s)), owners=None in only
        )
    return result


def report(
    reads: Any,
    agencies: list[Agency],
    when: Period,
    *,
    read_from: Mapping[str, tuple[str, str]],
    own: tuple[str, str],
    tz: tzinfo,
    min_events: int = MIN_EVENTS,
    site: str | None = None,
) -> Kinerja:
    """What ``report`` and the console's Kinerja view show alike: :func:`compute` over
    ``when``, agencies per (site, id), and each site's incidents side by side.

    ``read_from``: ``source -> (code, name)`` of the sources read from other sites;
    ``own``: this site's ``(code, name)``; ``site``: one site's code only (``--site``,
    the Wilayah view's choice; "local": this site's own).
    """
    only = site_choice(site, read_from, own[0])
    k = compute(
        reads, agencies, when.start, when.end, tz=tz, current=when.current,
        previous=when.previous, min_events=min_events,
        sites={source: code for source, (code, _) in read_from.items()}, only=only,
    )  # fmt: skip
    rows = site_rows(reads, dict(read_from), own, when.start, when.end)
    if only is not None:
        codes = {own[0] if c is None else c for c in only}
        rows = [r for r in rows if r["code"] in codes]
    k.sites = rows
    return k
