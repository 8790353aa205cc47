"""``cc-console handover``: what the next shift needs to know, on one page.

Active incidents by severity and the worst of them, what was reported and
done during the shift, agencies not operational, failing feeds, and the
meetings of the next 24 hours.  Rich on a terminal, plain text in a pipe (for
printing), or ``--json``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cc_console.cli.state import State, finite
from cc_console.config import Config
from cc_console.export import (
    agency_json,
    deadline_json,
    health_json,
    incident_json,
    item_json,
    journal_json,
    meeting_json,
)
from cc_console.i18n import Translator
from cc_console.models import SEVERITIES
from cc_console.store import IncidentQuery, Store

if TYPE_CHECKING:  # rich is imported by the renderers: `handover --json` goes without it
    from rich.console import Group
    from rich.table import Table

__all__ = ["COMMANDS", "collect", "render"]


def collect(cfg: Config, store: Store, now: datetime, hours: float) -> dict[str, Any]:
    """What a handover says, read from the store (shared by the CLI and the console)."""
    from cc_console.sites import site_figures

    since = now - timedelta(hours=hours)
    reported, recent = store.incidents.reported_since(since, limit=15)
    worst = store.incidents.page(IncidentQuery(order="severity"), 0, 10)
    return {
        "now": now,
        "since": since,
        "severity_counts": store.incidents.severity_counts(),
        "worst": worst,
        "reported_count": reported,
        "reported": recent,
        "actions": store.journal.entries(since=since),
        "agencies_down": [
            a for a in store.agencies.listing() if a.status not in ("operational", "unknown")
        ],
        "feeds": [
            h
            for h in store.sources.health(cfg.sources, cfg.poll.stale_after, now)
            if h.stale or (h.consecutive_failures and h.last_error)
        ],
        "meetings": store.agenda.between(now, now + timedelta(hours=24), running=True),
        "sites": site_figures(cfg, store, now),
        "breaches": store.deadlines.late(now, limit=50),
        "late": store.deadlines.late_counts(now),
        # What falls due in the next shift, as long as the one that ends now.
        "due_next": store.deadlines.due_within(now, hours * 3600, limit=50),
        "items_overdue": store.followups.items(overdue_at=now),
        "items_due": [
            i
            for i in store.followups.items(open_only=True)
            if now < i.due <= now + timedelta(hours=24)
        ],
    }


def handover(
    ctx: typer.Context,
    hours: Annotated[
        float,
        typer.Option(
            "--hours",
            callback=finite,
            min=0.25,
            max=24 * 366,
            help="Length of the shift that ends now (up to a year).",
        ),
    ] = 8.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """The shift handover: active incidents, the shift's reports and actions, agencies, feeds, meetings."""
    state: State = ctx.obj
    d = collect(state.config, state.store(), state.now(), hours)
    if as_json:
        from cc_console.timefmt import iso_z

        state.print_json({
            "generated_at": iso_z(d["now"]), "since": iso_z(d["since"]),
            "active_by_severity": {s: d["severity_counts"].get(s, 0) for s in SEVERITIES},
            "worst_active": [incident_json(i) for i in d["worst"]],
            "reported_in_shift": d["reported_count"],
            "latest_reported": [incident_json(i) for i in d["reported"]],
            "actions_in_shift": [journal_json(e) for e in d["actions"]],
            "agencies_not_operational": [agency_json(a) for a in d["agencies_down"]],
            "feeds_failing_or_stale": [health_json(h) for h in d["feeds"]],
            "meetings_next_24h": [meeting_json(m) for m in d["meetings"]],
            "breaches": [deadline_json(i, d["now"]) for i in d["breaches"]],
            "late": d["late"].late,
            "late_unacknowledged": d["late"].unacknowledged,
            "due_next_shift": [deadline_json(i, d["now"]) for i in d["due_next"]],
            "action_items_overdue": [item_json(i, d["now"]) for i in d["items_overdue"]],
            "action_items_due_24h": [item_json(i, d["now"]) for i in d["items_due"]],
            "sites": [f.as_json() for f in d["sites"]],
        })  # fmt: skip
        return
    state.out.print(render(state.config, state.t, d, state.out.width), soft_wrap=False)


def render(cfg: Config, t: Translator, d: dict[str, Any], width: int | None = None) -> Group:
    """The handover as Rich renderables: for a terminal, paper, or the console's view.

    Below :data:`NARROW` cells (``width``: the terminal's or the page's) the tables
    are laid out for that width: no side borders, ids and times whole on one
    line, only the words wrap, the least needed columns left out.
    """
    from rich.console import Group
    from rich.text import Text

    from cc_console.cli import tables

    def fitted(table: Table, *drop: str) -> Table:
        if width is None or width >= NARROW:
            return table
        from cc_console.cli.fit import fit_table

        return fit_table(table, width, words=[t(k) for k in WORDS], drop=[t(k) for k in drop])

    tz = cfg.site.tz
    title = Text(f"{cfg.site.name} — {t('handover.title')}\n", style="bold")
    title.append(f"{t.when(d['since'], tz)} → {t.when(d['now'], tz)}", style="")
    counts = d["severity_counts"]
    summary = Text(f"{t('handover.active')}: ", style="bold")
    summary.append(" · ".join(f"{t.word('severity', s)} {counts.get(s, 0)}" for s in SEVERITIES))
    summary.append(f"\n{t('handover.reported', count=d['reported_count'])}")
    parts: list[Any] = [title, summary]
    if len(d["sites"]) > 1:  # the province: each site on one line first
        parts.append(fitted(tables.sites_table(d["sites"], t, d["now"])))
    if d["worst"]:
        parts.append(fitted(_incidents(d["worst"], cfg, t), "col.area"))
    if d["breaches"]:
        late = d["late"]
        heading = t("handover.breaches_counted", late=late.late, acked=late.acknowledged)
        parts.append(fitted(tables.deadlines_table(d["breaches"], heading, t, d["now"])))
    else:
        parts.append(Text(t("handover.no_breaches")))
    if d["due_next"]:
        parts.append(
            fitted(tables.deadlines_table(d["due_next"], t("handover.due_next"), t, d["now"]))
        )
    items = [*d["items_overdue"], *d["items_due"]]
    if items:
        parts.append(fitted(tables.actions_table(items, t, tz, d["now"]), "col.meeting"))
    parts.append(Text(t("handover.actions"), style="bold underline"))
    parts.append(
        fitted(tables.journal_table(d["actions"], t, tz))
        if d["actions"]
        else Text(t("empty.journal"))
    )
    parts.append(Text(t("handover.agencies"), style="bold underline"))
    parts.append(
        fitted(tables.agencies_table(d["agencies_down"], t, d["now"]))
        if d["agencies_down"]
        else Text("-")
    )
    parts.append(Text(t("handover.feeds"), style="bold underline"))
    if d["feeds"]:
        parts.append(
            fitted(
                tables.health_table(d["feeds"], t, tz, d["now"]),
                "col.format",
                "col.last_attempt",
                "col.records",
            )
        )
    else:
        parts.append(Text(t("handover.feeds_ok")))
    parts.append(Text(t("handover.meetings"), style="bold underline"))
    parts.append(
        fitted(tables.agenda_table(d["meetings"], t, tz), "col.end", "col.location")
        if d["meetings"]
        else Text(t("empty.agenda"))
    )
    return Group(*parts)


NARROW = 100
WORDS = ("col.title", "col.note", "col.text", "col.name", "col.kpis", "col.error", "col.area",
         "col.location", "col.meeting", "col.target")  # fmt: skip
"""The columns of words, which may wrap (an incident's id in the journal folds, never cut)."""


def _incidents(rows: list[Any], cfg: Config, t: Translator) -> Table:
    """The worst active incidents, narrow enough to print: severity, status, title, area, time."""
    from rich.table import Table
    from rich.text import Text

    from cc_console.cli.tables import SEVERITY_STYLE

    tz = cfg.site.tz
    table = Table(title=t("handover.worst"), expand=True)
    table.add_column(t("col.severity"), no_wrap=True)
    table.add_column(t("col.status"), no_wrap=True)
    table.add_column(t("col.title"), ratio=3)
    table.add_column(t("col.area"), ratio=1)
    table.add_column(t("col.reported"), no_wrap=True)
    for inc in rows:
        table.add_row(
            Text(t.word("severity", inc.severity), style=SEVERITY_STYLE.get(inc.severity, "")),
            Text(t.word("status", inc.status)),
            Text(inc.title),
            Text(inc.area),
            Text(t.when(inc.reported_at, tz, day=False, year=False)),
        )
    return table


COMMANDS = {"handover": handover}
