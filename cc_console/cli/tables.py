"""Rich tables of the listings, for a person at a terminal.

Feed text goes into cells as :class:`rich.text.Text`, never as markup, so a
title such as ``[bold]`` or an escape sequence is printed literally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich.table import Table
from rich.text import Text

from cc_console.i18n import Translator
from cc_console.looks import (
    AGENCY_LOOK,
    JOURNAL_COLUMNS,
    SEVERITY_LOOK,
    due_label,
    health_status,
    journal_cells,
    outbox_words,
)
from cc_console.models import Agency, Incident, JournalEntry, Meeting, SourceHealth
from cc_console.poll.refresh import SourceOutcome
from cc_console.store import ActionItem, Message, Silence
from cc_console.timefmt import age, local, parse_iso

__all__ = [
    "agencies_table",
    "agenda_table",
    "health_table",
    "incidents_table",
    "journal_table",
    "outbox_table",
    "refresh_table",
    "silences_table",
]

SEVERITY_STYLE = {name: style for name, (_, style) in SEVERITY_LOOK.items()}


def _t(value: object) -> Text:
    return Text("" if value is None else str(value))


def incidents_table(rows: Sequence[Incident], t: Translator, tz: tzinfo, now: datetime) -> Table:
    """Incidents: severity, status, title, category, area, reported, source."""
    table = Table(title=t("pane.incidents"), expand=False)
    for key in (
        "col.severity",
        "col.status",
        "col.title",
        "col.category",
        "col.area",
        "col.reported",
        "col.age",
        "col.id",
    ):
        table.add_column(t(key))
    for inc in rows:
        table.add_row(
            Text(t.word("severity", inc.severity), style=SEVERITY_STYLE.get(inc.severity, "")),
            _t(t.word("status", inc.status)),
            _t(inc.title),
            _t(t.word("category", inc.category)),
            _t(inc.area),
            _t(t.short(inc.reported_at, tz)),
            _t(age(inc.reported_at, now)),
            _t(inc.id),
        )
    return table


def deadlines_table(rows: Sequence[Incident], title: str, t: Translator, now: datetime) -> Table:
    """Incidents with their deadline: duty, how far past or ahead, in words and a symbol."""
    from cc_console.export import deadline_json

    table = Table(title=title, expand=False)
    for key in ("col.severity", "col.status", "col.title", "col.breach", "col.due", "col.id"):
        table.add_column(t(key))
    for inc in rows:
        d = deadline_json(inc, now)
        table.add_row(
            Text(t.word("severity", inc.severity), style=SEVERITY_STYLE.get(inc.severity, "")),
            _t(t.word("status", inc.status)),
            _t(inc.title),
            _t(t(f"duty.{d['breach']}") if d["breach"] else ""),
            due_label(parse_iso(d["due"]), now, t),
            _t(inc.id),
        )
    return table


def actions_table(rows: Sequence[ActionItem], t: Translator, tz: tzinfo, now: datetime) -> Table:
    """Action items: id, status (overdue in words and a symbol), owner, due, text, meeting."""
    table = Table(title=t("pane.actions"))
    for key in ("col.id", "col.status", "col.owner", "col.due", "col.text", "col.meeting"):
        table.add_column(t(key), overflow="fold" if key == "col.text" else "ellipsis")
    for item in rows:
        status = Text(t.word("item", item.status))
        if item.overdue(now):
            status = Text(f"⚠ {t('item.overdue')}", style="bold red")
        table.add_row(
            _t(item.id),
            status,
            _t(item.owner),
            _t(t.when(item.due, tz, year=False)),
            _t(item.text),
            _t(item.meeting_title or ""),
        )
    return table


def outbox_table(rows: Sequence[Message], t: Translator, tz: tzinfo) -> Table:
    """The outbox: id, status (with attempts), route, event, target, title, when, error."""
    table = Table(title=t("notify.title"))
    keys = ["col.id", "col.status", "col.route", "col.event", "col.about", "col.title",
            "col.created"]  # fmt: skip
    errors = any(m.error for m in rows)
    if errors:
        keys.append("col.why_failed")
    for key in keys:
        table.add_column(
            t(key), overflow="fold" if key in ("col.title", "col.why_failed") else "ellipsis"
        )
    for m in rows:
        status, event = outbox_words(m, t)
        table.add_row(
            _t(m.id),
            status,
            _t(m.route),
            _t(event),
            _t(m.target),
            _t(m.title),
            _t(t.short(m.sent_at or m.created_at, tz)),
            *([_t(m.error or "")] if errors else []),
        )
    return table


def silences_table(
    rows: Sequence[Silence],
    t: Translator,
    tz: tzinfo,
    now: datetime,
    hits: Mapping[int, int] | None = None,
) -> Table:
    """Silences: id, active, what they match, how many messages they held, until when,
    why and who."""
    table = Table(title=t("silence.title"))
    for key in ("col.id", "col.status", "col.matchers", "col.hits", "col.until", "col.reason",
                "col.by"):  # fmt: skip
        table.add_column(
            t(key),
            overflow="fold" if key == "col.reason" else "ellipsis",
            justify="right" if key == "col.hits" else "left",
        )
    for s in rows:
        active = s.active(now)
        table.add_row(
            _t(s.id),
            Text(
                t("silence.active" if active else "silence.ended"),
                style="bold" if active else "dim",
            ),
            _t(" ".join(f"{k}={v}" for k, v in s.matchers.items())),
            _t(str((hits or {}).get(s.id, 0))),
            _t(t.when(s.ends_at, tz, year=False)),
            _t(s.reason),
            _t(s.created_by),
        )
    return table


def kinerja_table(k: Any, t: Translator, width: int = 80, own: str = "–") -> Table:
    """The ranking: score, 8-week trend, on-time resolution, breaches, items, KPIs, service;
    with several sites, each agency's site (``own``: this site's code)."""
    from cc_console.looks import sparkline_values

    table = Table(title=t("report.ranking"), caption=t("kin.legend"), caption_justify="left")
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    # The figures keep their width; the name takes what is left (80 columns: ~18).
    room = max(12, width - 62 - len(t("kin.score")) - len(t("kin.on_time")))
    if k.per_site:
        room = max(12, room - 8)
    table.add_column(t("col.agency"), max_width=room, overflow="ellipsis", no_wrap=True)
    if k.per_site:
        table.add_column(t("col.site"), no_wrap=True)
    for key in ("kin.score", "kin.trend", "kin.on_time", "kin.late", "kin.items", "kin.kpi",
                "kin.up"):  # fmt: skip
        table.add_column(
            t(key),
            justify="left" if key == "kin.trend" else "right",
            no_wrap=True,
            min_width=max(len(t(key)), 8 if key == "kin.trend" else 4),
        )
    # The breaches nobody was assigned first: the centre answers for them.
    site: list[Any] = [""] if k.per_site else []
    table.add_row("–", _t(t("report.unassigned")), *site, "", "", "",
                  str(k.center.unassigned_breaches), "", "", "")  # fmt: skip
    for a in k.agencies:
        f = a.shown()
        site = [_t(a.site or own)] if k.per_site else []
        table.add_row(
            str(a.rank or "–"), _t(a.name), *site,
            f["score"] if a.scored else t("kin.service") if a.kind == "service" else "–",
            sparkline_values(a.trend), f["on_time"], str(a.breaches), f["items"], f["kpis"],
            f["up"], style="" if a.scored else "dim",
        )  # fmt: skip
    return table


def agencies_table(rows: Sequence[Agency], t: Translator, now: datetime) -> Table:
    """Agencies: status word and symbol, KPIs against targets, age of data."""
    table = Table(title=t("pane.agencies"))
    for key in ("col.status", "col.id", "col.name", "col.kpis", "col.age"):
        table.add_column(t(key))
    for a in rows:
        symbol, style = AGENCY_LOOK.get(a.status, ("?", ""))
        kpis = Text()
        for i, k in enumerate(a.kpis):
            if i:
                kpis.append(" · ")
            mark = "" if k.met is None else (" ✓" if k.met else " ✗")
            value = "-" if k.value is None else f"{k.value:g}"
            target = "" if k.target is None else f"/{k.target:g}"
            kpis.append(f"{k.name} {value}{target}{k.unit}{mark}")
        table.add_row(
            Text(f"{symbol} {t.word('agency', a.status)}", style=style),
            _t(a.id),
            _t(a.name),
            kpis,
            _t(age(a.updated_at, now)),
        )
    return table


def sites_table(rows: Sequence[Any], t: Translator, now: datetime) -> Table:
    """Sites (:class:`~cc_console.sites.SiteFigures`): active incidents by severity,
    past deadlines, services not operational, feeds failing of all, oldest data."""
    table = Table(title=t("screen.sites"))
    for key in ("col.site", "col.name", "short.extreme", "short.severe", "short.moderate",
                "short.minor", "site.late", "site.down", "site.feeds", "col.age"):  # fmt: skip
        table.add_column(t(key))
    for f in rows:
        feeds = Text(f"{f.feeds - f.failing}/{f.feeds}", style="red bold" if f.failing else "")
        table.add_row(
            _t(f.code), _t(f.name),
            *(_t(str(f.active.get(s, 0))) for s in ("extreme", "severe", "moderate", "minor")),
            _t(str(f.late)), _t(str(f.agencies_down)), feeds,
            _t(age(f.oldest_success, now) if f.oldest_success else "–"),
        )  # fmt: skip
    return table


def report_sites_table(rows: Sequence[dict[str, Any]], t: Translator) -> Table:
    """The report's per-site section: the period's incidents of each site."""
    table = Table(title=t("report.sites"))
    for key in ("col.site", "col.name", "report.incidents", "report.acknowledged_on_time",
                "report.resolved_on_time", "report.breaches"):  # fmt: skip
        table.add_column(t(key))
    for r in rows:
        table.add_row(
            _t(r["code"]), _t(r["name"]), _t(str(r["incidents"])),
            _t(str(r["acknowledged_on_time"])), _t(f"{r['resolved_on_time']}/{r['resolved']}"),
            _t(str(r["breaches"])),
        )  # fmt: skip
    return table


def agenda_table(rows: Sequence[Meeting], t: Translator, tz: tzinfo) -> Table:
    """Meetings: start, end, title, location, status and the id that `decide`,
    `action add --meeting` and `minutes` take (folded, never cut: it is to be copied)."""
    table = Table(title=t("pane.agenda"))
    for key in ("col.start", "col.end", "col.title", "col.location", "col.status"):
        table.add_column(t(key))
    table.add_column(t("col.id"), overflow="fold")
    for m in rows:
        if m.all_day:
            start = f"{t.day(m.start_date)} ({t('all_day')})" if m.start_date else ""
            end = ""
        else:
            start = t.when(m.start, tz, year=False)
            end = local(m.end, tz, "%H:%M")
        style = "strike dim" if m.status == "cancelled" else ""
        table.add_row(
            _t(start),
            _t(end),
            Text(m.title, style=style),
            _t(m.location),
            _t(t.word("meeting", m.status)),
            _t(m.id),
        )
    return table


def health_table(rows: Sequence[SourceHealth], t: Translator, tz: tzinfo, now: datetime) -> Table:
    """Sources: last success, last attempt, failures, records, last error."""
    table = Table(title=t("screen.health"))
    for key in (
        "col.source",
        "col.format",
        "col.status",
        "col.last_success",
        "col.last_attempt",
        "col.records",
        "col.error",
    ):
        table.add_column(t(key))
    for h in rows:
        status = health_status(h, t)
        table.add_row(
            _t(h.name),
            _t(h.format),
            status,
            _t(
                f"{t.short(h.last_success, tz)} ({age(h.last_success, now)})"
                if h.last_success
                else t("never")
            ),
            _t(t.short(h.last_attempt, tz)),
            _t(h.records),
            _t(h.last_error or ""),
        )
    return table


def refresh_table(rows: Sequence[SourceOutcome], t: Translator) -> Table:
    """The outcome of ``refresh``: one row per source."""
    table = Table(title=t("refreshing"))
    for key in ("col.source", "col.status", "col.records", "col.changed", "col.error"):
        table.add_column(t(key))
    styles = {"updated": "green", "unchanged": "", "failed": "bold red"}
    for o in rows:
        table.add_row(
            _t(o.name),
            Text(t.word("outcome", o.status), style=styles[o.status]),
            _t(o.records),
            _t(o.changed),
            _t(o.error or ""),
        )
    return table


def journal_table(rows: Sequence[JournalEntry], t: Translator, tz: tzinfo) -> Table:
    """The journal: time, operator, action, incident, note."""
    table = Table(title=t("screen.journal"))
    for key in JOURNAL_COLUMNS:
        # An incident id is never cut (a handover is read on paper): it folds.
        table.add_column(t(key), overflow="fold" if key == "col.target" else "ellipsis")
    for e in rows:
        table.add_row(*journal_cells(e, t, tz))
    return table
