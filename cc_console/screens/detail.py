"""Detail views: an incident (text, area, link, timeline), an agency, a meeting.

All feed text is put on screen as :class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

import json
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from cc_console.looks import AGENCY_LOOK, SEVERITY_LOOK, sparkline
from cc_console.models import Incident
from cc_console.screens.base import SubScreen
from cc_console.store import IncidentQuery
from cc_console.timefmt import age, local
from widgets.agenda_pane import day_label
from widgets.context import ConsoleContext

__all__ = ["AgencyDetailScreen", "IncidentDetailScreen", "MeetingDetailScreen"]


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _field(label: str, value: str, style: str = "") -> Text:
    line = Text(f"{label}: ", style="bold")
    line.append(value, style=style)
    return line


class DetailScreen(SubScreen):
    """A scrollable view of one thing; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
    ]
    DEFAULT_CSS = """
    DetailScreen VerticalScroll { padding: 0 1; }
    DetailScreen #detail-title { height: auto; background: $boost; text-style: bold; padding: 0 1; }
    """

    def body(self) -> ComposeResult:
        yield Static(id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(VerticalScroll).focus()

    def action_scroll(self, step: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=step, animate=False)

    def show(self, title: Text, body: RenderableType) -> None:
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail", Static).update(body)

    def reload(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class IncidentDetailScreen(DetailScreen):
    """An incident: everything the feed said, and what operators did."""

    key_actions = ("ack", "note", "assign", "resolve")

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str], incident_id: str) -> None:
        super().__init__(ctx, keys)
        self.incident_id = incident_id
        self.incident: Incident | None = None

    def reload(self) -> None:
        t, tz = self.ctx.t, self.ctx.tz
        inc = self.incident = self.ctx.store.incidents.get(self.incident_id)
        if inc is None:
            self.show(Text(self.incident_id), Text(t("empty.incidents")))
            return
        symbol, style = SEVERITY_LOOK.get(inc.severity, ("?", ""))
        title = Text(f"{symbol} ", style=style)
        title.append(inc.title)
        parts: list[RenderableType] = []
        if inc.exercise:
            parts.append(Text(f" {t('detail.exercise')} ", style="bold reverse yellow"))
        facts = [
            _field(t("col.severity"), t.word("severity", inc.severity), style),
            _field(t("col.status"), t.word("status", inc.status)),
            _field(t("col.category"), t.word("category", inc.category)),
            _field(t("col.area"), inc.area or "-"),
            _field(
                t("detail.reported"),
                f"{t.when(inc.reported_at, tz)} ({age(inc.reported_at, self.ctx.now())})",
            ),
            _field(t("detail.updated"), t.when(inc.updated_at, tz)),
            _field(t("col.assigned"), inc.assigned_to or "-"),
            _field(t("col.source"), inc.source),
            _field(t("col.id"), inc.id),
        ]
        if inc.lat is not None and inc.lon is not None:
            facts.append(_field(t("detail.coordinates"), f"{inc.lat:.4f}, {inc.lon:.4f}"))
        extra = inc.extra
        for key, label, unit in (
            ("magnitude", "magnitude", ""),
            ("depth_km", "depth", " km"),
            ("potential", "tsunami", ""),
            ("felt", "felt", ""),
            ("shakemap", "shakemap", ""),
        ):
            if extra.get(key) not in (None, ""):
                facts.append(_field(t(label), f"{extra[key]}{unit}"))
        parts += facts
        if inc.url:
            parts.append(_field(t("detail.source_link"), inc.url, "underline"))
        if inc.description:
            parts += [_heading(t("detail.description")), Text(inc.description)]
        parts.append(_heading(t("detail.timeline")))
        timeline = Table.grid(padding=(0, 1))
        timeline.add_row(
            Text(t.when(inc.reported_at, tz, day=False, year=False)),
            Text(t("detail.reported_event"), style="dim"),
        )
        for e in self.ctx.store.incidents.timeline(inc.id):
            when = Text(t.when(e.at, tz, day=False, year=False))
            if e.kind == "feed":
                timeline.add_row(
                    when, Text(f"{t('action.feed')}: {_changes(e.text, t)}", style="cyan")
                )
            else:
                what = Text(f"{t.word('action', e.kind)} · {e.operator}", style="bold")
                if e.text:
                    what.append(f" — {e.text}", style="")
                timeline.add_row(when, what)
        parts.append(timeline)
        self.show(title, Group(*parts))


def _changes(text: str, t: object) -> str:
    try:
        changes = json.loads(text)
    except ValueError:
        return text
    return "; ".join(
        f"{field} {before} → {after}" if field != "updated" else field
        for field, (before, after) in changes.items()
    )


class AgencyDetailScreen(DetailScreen):
    """An agency: status, KPIs against targets, history, incidents assigned to it."""

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str], agency_id: str) -> None:
        super().__init__(ctx, keys)
        self.agency_id = agency_id

    def reload(self) -> None:
        t, tz = self.ctx.t, self.ctx.tz
        a = self.ctx.store.agencies.get(self.agency_id)
        if a is None:
            self.show(Text(self.agency_id), Text(t("empty.agencies")))
            return
        symbol, style = AGENCY_LOOK.get(a.status, ("?", ""))
        title = Text(f"{symbol} ", style=style)
        title.append(a.name)
        parts: list[RenderableType] = [
            _field(t("col.status"), t.word("agency", a.status), style),
            _field(t("col.id"), a.id),
            _field(
                t("col.updated"),
                f"{t.when(a.updated_at, tz)} ({age(a.updated_at, self.ctx.now())})",
            ),
            _field(t("col.source"), a.source),
        ]
        if a.summary:
            parts.append(Text(a.summary))
        if a.kpis:
            parts.append(_heading(t("detail.kpis")))
            table = Table(box=None, pad_edge=False)
            for col in ("col.name", "col.kpis", "detail.target", "col.status"):
                table.add_column(t(col))
            for k in a.kpis:
                value = "-" if k.value is None else f"{k.value:g}{k.unit}"
                target = (
                    "-"
                    if k.target is None
                    else f"{'≥' if k.higher_is_better else '≤'} {k.target:g}{k.unit}"
                )
                met = (
                    Text("-")
                    if k.met is None
                    else (Text("✓ OK", style="green") if k.met else Text("✗", style="bold red"))
                )
                table.add_row(Text(k.name), Text(value), Text(target), met)
            parts.append(table)
        history = self.ctx.store.agencies.history(a.id, limit=30)
        if history:
            parts.append(_heading(t("detail.history")))
            parts.append(Text(sparkline([s for _, s, _ in history]), style="cyan"))
            for at, status, _ in history[-8:]:
                parts.append(
                    Text(f"{t.when(at, tz, day=False, year=False)}  {t.word('agency', status)}")
                )
        assigned = self.ctx.store.incidents.page(
            IncidentQuery(statuses=(), assigned_to=a.id), 0, 50
        )
        parts.append(_heading(t("detail.assigned_incidents")))
        if not assigned:
            parts.append(Text(t("empty.incidents"), style="dim"))
        for inc in assigned:
            line = Text(f"{t.word('status', inc.status):<12} ")
            line.append(inc.title)
            line.append(f"  {inc.id}", style="dim")
            parts.append(line)
        self.show(title, Group(*parts))


class MeetingDetailScreen(DetailScreen):
    """A meeting: time, place, organizer, participants, description."""

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str], meeting_id: str) -> None:
        super().__init__(ctx, keys)
        self.meeting_id = meeting_id

    def reload(self) -> None:
        t, tz = self.ctx.t, self.ctx.tz
        m = self.ctx.store.agenda.get(self.meeting_id)
        if m is None:
            self.show(Text(self.meeting_id), Text(t("empty.agenda")))
            return
        title = Text(m.title, style="strike" if m.status == "cancelled" else "")
        if m.all_day and m.start_date:
            when = f"{day_label(m.start_date, t.lang)} ({t('all_day')})"
        else:
            when = t.when(m.start, tz) + (f" – {local(m.end, tz, '%H:%M')}" if m.end else "")
        parts: list[RenderableType] = [
            _field(t("detail.when"), when),
            _field(t("detail.where"), m.location or "-"),
            _field(
                t("col.status"),
                t.word("meeting", m.status),
                "bold red" if m.status == "cancelled" else "",
            ),
            _field(t("detail.organizer"), m.organizer or "-"),
            _field(t("col.source"), m.source),
        ]
        if m.participants:
            parts.append(_heading(t("detail.participants")))
            parts += [Text(f"• {p}") for p in m.participants]
        if m.description:
            parts += [_heading(t("detail.description")), Text(m.description)]
        self.show(title, Group(*parts))
