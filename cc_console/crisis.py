"""Crisis management: what an event is made of, its sit-rep and its after-action review.

The store (:mod:`cc_console.store.crisis`) keeps the event, its links, impact
reports, needs and status; this module assembles the documents the CLI, the
console and ``serve`` show from them: ``event show --json``, the sit-rep
(laporan situasi) with the change since the last issued one, and the
after-action review drafted from the journal and the events stream. The
renderings (Markdown, HTML, HXL CSV) live in :mod:`cc_console.crisis_render`.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from cc_console.export import decision_json, item_json
from cc_console.resources import data_dir
from cc_console.store.crisis import (
    EXPIRING_WITHIN,
    FIGURES,
    AreaImpact,
    CrisisEvent,
    sum_figures,
    totals,
)
from cc_console.text import clean_line
from cc_console.timefmt import iso_z

if TYPE_CHECKING:
    from cc_console.config import Config
    from cc_console.models import SiteEvent
    from cc_console.store import Store

__all__ = [
    "EventsOfSite",
    "aar_doc",
    "events_by_site",
    "gazetteer",
    "resolve_area",
    "show_json",
    "sitrep_doc",
]

# The incident actions an after-action review's timeline tells (notes stay in the incident).
_TIMELINE_ACTIONS = ("ack", "assign", "resolve", "reopen", "decide", "action.add", "action.done",
                     "action.cancel", "event.open", "event.link", "event.unlink", "event.impact",
                     "event.need", "event.status", "event.close", "sitrep.issue")  # fmt: skip


@cache
def _known() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Every bundled kecamatan: (Kemendagri code, name, other names it goes by)."""
    try:
        rows = json.loads((data_dir() / "kemendagri.json").read_text("utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(
        (str(r[0]), str(r[1]), tuple(str(a) for a in r[2]) if len(r) > 2 else ())
        for r in rows.get("kecamatan", [])
    )


@cache
def gazetteer(site: str | None = None) -> tuple[tuple[str, str], ...]:
    """Known kecamatan: (Kemendagri code, name), from the bundled list; with ``site``
    (a regency's code, "32.05"), those of that regency only: two regencies may each
    have a kecamatan of the same name (Plered in Cirebon and in Purwakarta)."""
    under = f"{site}." if site else ""
    return tuple((code, name) for code, name, _ in _known() if code.startswith(under))


def _bare(name: str) -> str:
    """A kecamatan's name without "Kec."/"Kecamatan", folded for comparison."""
    words = name.casefold().replace(".", ". ").split()
    while words and words[0] in ("kec.", "kecamatan"):
        words = words[1:]
    return " ".join(words)


def resolve_area(text: str, site: str | None = None) -> tuple[str, str | None]:
    """An area as typed (a kecamatan's name, with or without "Kec.", or its code):
    its name and its Kemendagri code when the list knows it, else the text as given.

    ``site``: the regency whose kecamatan it names (its code); without one, a name
    two regencies share names no code.
    """
    typed = clean_line(text, 120)
    under = f"{site}." if site else ""
    bare = _bare(typed)
    found = {
        (code, name)
        for code, name, aliases in _known()
        if code.startswith(under)
        and (typed == code or bare in (_bare(n) for n in (name, *aliases)))
    }
    if len(found) == 1:
        code, name = found.pop()
        return name, code
    return typed, None


def area_matches(typed: str, site: str | None = None) -> list[tuple[str, str]]:
    """Known kecamatan (of ``site``, when given) whose name or code starts with ``typed``
    (the console's picker)."""
    bare = _bare(typed)
    if not bare:
        return []
    return [(c, n) for c, n in gazetteer(site) if _bare(n).startswith(bare) or c.startswith(typed)]


def area_json(a: AreaImpact) -> dict[str, Any]:
    """One area's figures now, with its latest report's time and source."""
    return {
        "area": a.area,
        "code": a.code,
        **a.figures,
        "reported_at": iso_z(a.reported_at),
        "source": a.source,
        "reports": a.reports,
    }


def responses(store: Store, event: CrisisEvent, now: datetime) -> list[dict[str, Any]]:
    """Who did what: assignments and action items of its incidents, decisions and items
    of its meetings. Each has ``kind`` and ``agency`` (None: not one agency's)."""
    out: list[dict[str, Any]] = []
    incidents = store.crisis.links(event.seq, "incident")
    for iid in incidents:
        assigned = [e for e in store.journal.entries(target=iid) if e.action == "assign"]
        for e in assigned:
            out.append({"kind": "assignment", "agency": e.agency, "incident": iid,
                        "at": iso_z(e.at), "text": e.note or ""})  # fmt: skip
        inc = store.incidents.get(iid)
        if not assigned and inc is not None and inc.assigned_to:
            out.append({"kind": "assignment", "agency": inc.assigned_to, "incident": iid,
                        "at": None, "text": ""})  # fmt: skip
        for item in store.followups.items(incident_id=iid):
            out.append({"kind": "action_item", "agency": item.owner, **item_json(item, now)})
    for mid in store.crisis.links(event.seq, "meeting"):
        for d in store.followups.decisions(mid):
            out.append({"kind": "decision", "agency": None, **decision_json(d)})
        for item in store.followups.items(meeting_id=mid):
            out.append({"kind": "action_item", "agency": item.owner, **item_json(item, now)})
    return out


def show_json(store: Store, event: CrisisEvent, now: datetime) -> dict[str, Any]:
    """The event as ``event show --json`` prints it (and ``/events.json`` serves it)."""
    areas = store.crisis.by_area(event.seq)
    declared = list(event.areas)
    known = {(a["code"] or _bare(str(a["area"]))) for a in declared}
    for a in areas:
        if (a.code or _bare(a.area)) not in known:
            declared.append({"area": a.area, "code": a.code})
    sitreps = store.crisis.sitreps(event.seq)
    return {
        "id": event.id,
        "title": event.title,
        "category": event.category,
        "status": event.status,
        "decree": event.decree,
        "status_from": iso_z(event.status_from),
        "status_until": iso_z(event.status_until),
        "status_expiring": event.expiring(now),
        "opened_at": iso_z(event.opened_at),
        "opened_by": event.opened_by,
        "closed_at": iso_z(event.closed_at),
        "areas": declared,
        "incidents": store.crisis.links(event.seq, "incident"),
        "meetings": store.crisis.links(event.seq, "meeting"),
        "impact": {"totals": totals(areas), "by_area": [area_json(a) for a in areas]},
        "needs": [
            {
                "id": f"K-{n.seq}",
                "text": n.text,
                "agency": n.agency,
                "created_at": iso_z(n.created_at),
                "created_by": n.created_by,
            }
            for n in store.crisis.needs(event.seq)
        ],
        "responses": responses(store, event, now),
        "last_sitrep": sitreps[-1].number if sitreps else None,
    }


def _incident_line(store: Store, iid: str, now: datetime) -> dict[str, Any]:
    inc = store.incidents.get(iid)
    if inc is None:  # dropped by its feed since: the link stays, the facts are gone
        return {"id": iid, "title": None, "status": None}
    from cc_console.sla import breach_of

    return {
        "id": iid,
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "area": inc.area,
        "assigned_to": inc.assigned_to,
        "reported_at": iso_z(inc.reported_at),
        "breach": breach_of(inc.status, inc.acknowledge_due, inc.resolve_due, now),
    }


def sitrep_doc(store: Store, event: CrisisEvent, now: datetime) -> dict[str, Any]:
    """The laporan situasi now (not issued: ``number`` and ``issued_at`` are null).

    ``changes`` is, per figure, the difference from the totals of the last
    issued sit-rep (empty, with ``previous`` null, before the first).
    """
    shown = show_json(store, event, now)
    issued = store.crisis.sitreps(event.seq)
    last = issued[-1] if issued else None
    current = shown["impact"]["totals"]
    changes: dict[str, int] = {}
    if last is not None:
        before = last.doc.get("totals", {})
        changes = {k: current[k] - int(before.get(k, 0)) for k in FIGURES}
    return {
        "event": shown,
        "number": None,
        "issued_at": None,
        "generated_at": iso_z(now),
        "previous": None
        if last is None
        else {"number": last.number, "issued_at": iso_z(last.issued_at)},
        "totals": current,
        "by_area": shown["impact"]["by_area"],
        "changes": changes,
        "needs": shown["needs"],
        "responses": shown["responses"],
        "incidents": [_incident_line(store, i, now) for i in shown["incidents"]],
    }


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def _median(values: list[int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else None


def aar_doc(store: Store, event: CrisisEvent, now: datetime) -> dict[str, Any]:
    """The after-action review's draft: timeline, response times against the deadlines
    the SLA rules set, their medians, and what is still open."""
    shown = show_json(store, event, now)
    incidents = shown["incidents"]
    meetings = shown["meetings"]
    items = [i for iid in incidents for i in store.followups.items(incident_id=iid)]
    items += [i for mid in meetings for i in store.followups.items(meeting_id=mid)]
    timeline: list[dict[str, Any]] = []
    times: list[dict[str, Any]] = []
    for iid in incidents:
        inc = store.incidents.get(iid)
        if inc is None:
            continue
        if inc.reported_at is not None:
            timeline.append({"at": iso_z(inc.reported_at), "kind": "incident.reported",
                             "text": inc.title, "incident": iid})  # fmt: skip
        entries = store.journal.entries(target=iid)
        for e in entries:
            if e.action in _TIMELINE_ACTIONS:
                timeline.append({"at": iso_z(e.at), "kind": e.action, "text": e.agency or e.note
                                 or "", "incident": iid, "operator": e.operator})  # fmt: skip
        for ev in store.events.for_target(iid):
            if ev.kind == "incident.breach":
                timeline.append({"at": iso_z(ev.at), "kind": ev.kind,
                                 "text": str(ev.data.get("breach") or ""), "incident": iid})  # fmt: skip
        assigned_at = next((e.at for e in entries if e.action == "assign"), None)
        late = []
        for duty, due, done in (("acknowledge", inc.acknowledge_due, inc.acknowledged_at),
                                ("resolve", inc.resolve_due, inc.resolved_at)):  # fmt: skip
            if due is not None and (done or now) > due and inc.status != "cancelled":
                late.append(duty)
        times.append({
            "incident": iid,
            "title": inc.title,
            "assigned_to": inc.assigned_to,
            "reported_at": iso_z(inc.reported_at),
            "acknowledge_s": _seconds(inc.reported_at, inc.acknowledged_at),
            "assign_s": _seconds(inc.reported_at, assigned_at),
            "resolve_s": _seconds(inc.reported_at, inc.resolved_at),
            "acknowledge_due": iso_z(inc.acknowledge_due),
            "resolve_due": iso_z(inc.resolve_due),
            "late": late,
        })  # fmt: skip
    others = [event.id, *meetings, *(i.id for i in items)]
    for target in others:
        for e in store.journal.entries(target=target):
            if e.action in _TIMELINE_ACTIONS:
                timeline.append({"at": iso_z(e.at), "kind": e.action, "text": e.note or "",
                                 "operator": e.operator, "target": target})  # fmt: skip
    timeline.sort(key=lambda x: (x["at"] or "", x["kind"]))
    open_items = [item_json(i, now) for i in items if i.status == "open"]
    return {
        "event": shown,
        "generated_at": iso_z(now),
        "timeline": timeline,
        "response_times": times,
        "medians": {
            "acknowledge_s": _median([t["acknowledge_s"] for t in times]),
            "assign_s": _median([t["assign_s"] for t in times]),
            "resolve_s": _median([t["resolve_s"] for t in times]),
        },
        "late": [t["incident"] for t in times if t["late"]],
        "open_items": open_items,
        "open_needs": shown["needs"] if event.closed_at is None else [],
    }


@dataclass
class EventsOfSite:
    """One site's disaster events (each as ``event show --json`` has it, with its
    ``site``) and their totals: the sum over its events of each event's totals."""

    code: str
    name: str
    own: bool
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return sum_figures(e["impact"]["totals"] for e in self.events)

    def as_json(self) -> dict[str, Any]:
        """The site as ``sites --json`` gives its events: how many, and their totals."""
        return {"events": len(self.events), "totals": self.totals}


def site_event_json(
    event: SiteEvent, source: str, code: str | None, now: datetime
) -> dict[str, Any]:
    """Another site's event as ``event list --json`` prints it: as the site served it,
    with ``site`` and ``source``, and whether its status runs out within 24 h judged
    here (not as the site said when it was read)."""
    until = event.status_until
    expiring = (
        event.closed_at is None
        and event.status not in (None, "selesai")
        and until is not None
        and now <= until <= now + EXPIRING_WITHIN
    )
    return {**event.doc, "status_expiring": expiring, "site": code, "source": source}


def events_by_site(
    config: Config,
    store: Store,
    now: datetime,
    *,
    include_closed: bool = False,
    site: str | None = None,
) -> list[EventsOfSite]:
    """Every site's events, this site's first, then the others by code; only the site
    ``site`` when given ("local", or this site's code: this one's own).

    A site is listed when it has events; this one also when no other is. This is where
    the province's per-site sums come from, in the console, ``event list`` and
    ``sites --json`` alike.
    """
    own_code = config.site.code or "-"
    read = store.sources.sites()
    wanted = own_code if site == "local" else site
    sites: dict[str, EventsOfSite] = {}
    if wanted in (None, own_code):
        mine = sites[own_code] = EventsOfSite(own_code, config.site.name, True)
        for e in store.crisis.listing(include_closed=include_closed):
            mine.events.append({**show_json(store, e, now), "site": None})
    for row in store.site_events.listing(include_closed=include_closed):
        code, name = read.get(row.source, (own_code, config.site.name))
        if wanted is not None and code != wanted:
            continue
        entry = sites.setdefault(code, EventsOfSite(code, name, code == own_code))
        shown_code = None if code == own_code else code  # this site's own: null, as incidents
        entry.events.append(site_event_json(row.event, row.source, shown_code, now))
    others = sorted((s for s in sites.values() if not s.own), key=lambda s: s.code)
    own = [s for s in sites.values() if s.own and (s.events or not others)]
    return own + others
