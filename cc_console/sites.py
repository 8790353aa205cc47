"""The sites a console reads, side by side (the province's view of its regencies).

A source with ``format = "native"`` that reads another command center keeps
that center's code (``source_state.site_code``); every other source is this
site's own. One pass over the active incidents (by source and severity), the
agencies and the feeds' health gives each site's figures: what the Wilayah
view, ``handover`` and ``sites --json`` show alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cc_console.config import Config
from cc_console.store import Store
from cc_console.store.crisis import sum_figures
from cc_console.timefmt import iso_z

__all__ = ["NOT_OPERATIONAL", "SiteFigures", "present", "site_figures"]

NOT_OPERATIONAL = ("degraded", "partial_outage", "major_outage")
SEVERITY_KEYS = ("extreme", "severe", "moderate", "minor", "unknown")


@dataclass
class SiteFigures:
    """One site: its active incidents by severity, those past a deadline, its services
    not operational, its feeds (failing, the oldest last success)."""

    code: str
    name: str
    own: bool = False
    active: dict[str, int] = field(default_factory=dict)
    late: int = 0  # past a deadline (store.deadlines.LATE), acknowledged or not
    late_unacknowledged: int = 0  # of those, what the alarm line counts
    agencies_down: int = 0
    feeds: int = 0
    failing: int = 0
    oldest_success: datetime | None = None
    events: dict[str, Any] = field(default_factory=lambda: {"events": 0, "totals": sum_figures(())})
    """Its open disaster events: how many, and their totals (``crisis.events_by_site``)."""

    @property
    def total(self) -> int:
        """Active incidents of every severity."""
        return sum(self.active.values())

    def as_json(self) -> dict[str, Any]:
        """The site as ``sites --json`` and ``handover --json`` print it."""
        return {
            "code": self.code,
            "name": self.name,
            "own": self.own,
            "active_by_severity": {s: self.active.get(s, 0) for s in SEVERITY_KEYS},
            "active": self.total,
            "past_deadline": self.late,
            "past_deadline_unacknowledged": self.late_unacknowledged,
            "agencies_not_operational": self.agencies_down,
            "feeds": self.feeds,
            "feeds_failing": self.failing,
            "oldest_success": iso_z(self.oldest_success),
            "events": self.events,
        }


def present(config: Config, read: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """``(code, name)`` of every site present: this one first (when it has sources of its
    own, or nothing is read from elsewhere; "-" without a code), then those ``read``
    (``source -> (code, name)``) by code."""
    own = [(config.site.code or "-", config.site.name)]
    mine = any(s.name not in read for s in config.sources) or not read
    others = [(c, n) for c, n in sorted(set(read.values())) if c != own[0][0] or not mine]
    return (own if mine else []) + others


def site_figures(config: Config, store: Store, now: datetime) -> list[SiteFigures]:
    """Every site present (:func:`present`) with its figures."""
    read = store.sources.sites()
    own_code = config.site.code or "-"
    sites: dict[str, SiteFigures] = {}
    for code, name in present(config, read):
        sites.setdefault(code, SiteFigures(code, name, own=code == own_code))

    def of(source: str) -> SiteFigures:
        code = read[source][0] if source in read else own_code
        if code not in sites:
            sites[code] = SiteFigures(code, config.site.name, own=code == own_code)
        return sites[code]

    for r in store.incidents.active_by_source():
        site = of(r["source"])
        site.active[r["severity"]] = site.active.get(r["severity"], 0) + r["n"]
    for source, counts in store.deadlines.late_by_source(now).items():
        site = of(source)
        site.late += counts.late
        site.late_unacknowledged += counts.unacknowledged
    for a in store.agencies.listing():
        if a.status in NOT_OPERATIONAL:
            of(a.source).agencies_down += 1
    for h in store.sources.health(config.sources, config.poll.stale_after, now):
        site = of(h.name)
        site.feeds += 1
        site.failing += 1 if h.consecutive_failures else 0
        # A site's data is as old as its own last write (its generated_at), not our read.
        data = h.data_time
        if data and (site.oldest_success is None or data < site.oldest_success):
            site.oldest_success = data
    from cc_console.crisis import events_by_site

    for entry in events_by_site(config, store, now):
        if not entry.events:  # this site with none: no row of its own for that
            continue
        of_code = sites.setdefault(
            entry.code, SiteFigures(entry.code, entry.name, own=entry.code == own_code)
        )
        of_code.events = entry.as_json()
    return list(sites.values())
