"""Detail views: an incident (text, area, link, timeline), an agency, a meeting.

Each screen shows a :class:`DetailView`: a plain object that reads the store
and returns the title and body to show.  All feed text is put on screen as
:class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

import json
import math
from typing import ClassVar, Protocol

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from cc_console.looks import AGENCY_LOOK, SEVERITY_LOOK, due_label, sparkline
from cc_console.models import Incident, Meeting
from cc_console.screens.base import SubScreen
from cc_console.screens.followup_actions import add_item, decide, item_done
from cc_console.screens.incident_actions import act_on
from cc_console.store import ActionItem, IncidentQuery
from cc_console.text import clean_line, clean_text
from cc_console.timefmt import age, local, parse_iso
from widgets.agenda_pane import day_label
from widgets.bindings import bind, bind_scopes
from widgets.context import ConsoleContext
from widgets.followup_pane import item_due_text
from widgets.messages import StoreChanged

__all__ = [
    "AgencyDetailScreen",
    "DetailScreen",
    "DetailView",
    "IncidentDetailScreen",
    "ItemDetailScreen",
    "MeetingDetailScreen",
]


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _field(label: str, value: str, style: str = "") -> Text:
    line = Text(f"{label}: ", style="bold")
    line.append(value, style=style)
    return line


class DetailView(Protocol):
    """What a detail screen shows, read from the store each time the data changes."""

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        """The title line and the body."""


class DetailScreen(SubScreen):
    """A scrollable view of one thing; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
        *bind("down", target="scroll(1)"),
        *bind("up", target="scroll(-1)"),
        *bind("first", target="scroll_to(0)"),
        *bind("last", target="scroll_to(-1)"),
    ]

    def __init__(self, ctx: ConsoleContext, view: DetailView) -> None:
        super().__init__(ctx)
        self.view = view

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(id="detail")
            yield from self.compose_more()

    def compose_more(self) -> ComposeResult:
        """What a view adds under its text, in the same scroll (charts)."""
        yield from ()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#detail-body", VerticalScroll).focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def action_scroll(self, step: int) -> None:
        self.query_one("#detail-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_scroll_to(self, where: int) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        if where < 0:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

    def reload(self) -> None:
        """Read the store again and show what the view makes of it."""
        title, body = self.view.render(self.ctx)
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail", Static).update(body)


class IncidentView:
    """An incident: everything the feed said, and what operators did."""

    def __init__(self, incident_id: str) -> None:
        self.incident_id = incident_id
        self.incident: Incident | None = None

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        t, tz = ctx.t, ctx.tz
        inc = self.incident = ctx.store.incidents.get(self.incident_id)
        if inc is None:
            return Text(self.incident_id), Text(t("empty.incidents"))
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
                f"{t.when(inc.reported_at, tz)} ({age(inc.reported_at, ctx.now())})",
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
        parts += _deadlines(inc, ctx)
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
        for e in ctx.store.incidents.timeline(inc.id):
            when = Text(t.when(e.at, tz, day=False, year=False))
            if e.kind == "feed":
                timeline.add_row(
                    when, Text(f"{t('action.feed')}: {_changes(e.text)}", style="cyan")
                )
            elif e.kind == "incident.breach":
                timeline.add_row(when, Text(f"⚠ {_breach(e.text, ctx)}", style="bold red"))
            elif e.kind.startswith("incident."):
                continue  # "new" is the report line above
            else:
                who = clean_line(e.operator)  # a cache of an older version may hold raw names
                what = Text(f"{t.word('action', e.kind)} · {who}", style="bold")
                if e.text:
                    what.append(f" — {clean_text(e.text)}", style="")
                timeline.add_row(when, what)
        parts.append(timeline)
        items = ctx.store.followups.items(incident_id=inc.id)
        if items:
            parts.append(_heading(t("detail.items")))
            parts.append(_items(items, ctx))
        return title, Group(*parts)


class IncidentDetailScreen(DetailScreen):
    """An incident, and the operator's actions on it; t adds an action item to it."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("incident", "followup")
    scopes: ClassVar[tuple[str, ...]] = ("incident", "view", "followup")

    def __init__(self, ctx: ConsoleContext, incident_id: str) -> None:
        self.incident_view = IncidentView(incident_id)
        super().__init__(ctx, self.incident_view)

    @property
    def incident(self) -> Incident | None:
        """The incident as last read (None if it is not in the cache)."""
        return self.incident_view.incident

    def action_act(self, action: str) -> None:
        act_on(self, self.ctx, action, self.incident)

    def action_link_event(self) -> None:
        from cc_console.screens.crisis import link_to_event

        link_to_event(self, self.ctx, self.incident)

    def action_add_item(self) -> None:
        inc = self.incident
        if inc is not None:
            add_item(self, self.ctx, incident_id=inc.id, title=inc.title)


def _deadlines(inc: Incident, ctx: ConsoleContext) -> list[RenderableType]:
    """The deadline facts: when each falls, when the work was done, how late or how near."""
    t, tz = ctx.t, ctx.tz
    if inc.acknowledge_due is None and inc.resolve_due is None:
        return [_field(t("detail.deadlines"), t("detail.no_deadline"), "dim")]
    lines: list[RenderableType] = []
    for duty, due, done in (
        ("acknowledge", inc.acknowledge_due, inc.acknowledged_at),
        ("resolve", inc.resolve_due, inc.resolved_at),
    ):
        if due is None:
            continue
        line = _field(t(f"detail.{duty}_due"), t.when(due, tz))
        if done is not None:
            line.append(f" · {t(f'detail.{duty}d_at')} {t.when(done, tz)}", style="dim")
            line.append(" ✓" if done <= due else " ✗", style="green" if done <= due else "red")
        elif inc.status == "open" or (duty == "resolve" and inc.status == "acknowledged"):
            line.append("  ")
            line.append_text(due_label(due, ctx.now(), t))
        lines.append(line)
    return lines


def _breach(text: str, ctx: ConsoleContext) -> str:
    t = ctx.t
    try:
        data = json.loads(text)
        duty, due = data["breach"], parse_iso(data["due"])
    except (ValueError, KeyError, TypeError):
        return t("action.incident.breach")
    return t("breach.text", duty=t(f"duty.{duty}"), due=t.when(due, ctx.tz))


def _changes(text: str) -> str:
    """A feed's change record as words ("status open → resolved"); the text as is when it
    is not one."""
    try:
        changes = json.loads(text)
    except ValueError:
        return text
    return "; ".join(
        f"{field} {before} → {after}" if field != "updated" else field
        for field, (before, after) in changes.items()
    )


class AgencyView:
    """An agency: status, KPIs against targets, history, incidents assigned to it."""

    def __init__(self, agency_id: str, source: str | None = None) -> None:
        self.agency_id = agency_id
        self.source = source

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        t, tz = ctx.t, ctx.tz
        a = ctx.store.agencies.get(self.agency_id, self.source)
        if a is None:
            return Text(self.agency_id), Text(t("empty.agencies"))
        symbol, style = AGENCY_LOOK.get(a.status, ("?", ""))
        title = Text(f"{symbol} ", style=style)
        title.append(a.name)
        parts: list[RenderableType] = [
            _field(t("col.status"), t.word("agency", a.status), style),
            _field(t("col.id"), a.id),
            _field(
                t("col.updated"),
                f"{t.when(a.updated_at, tz)} ({age(a.updated_at, ctx.now())})",
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
        history = ctx.store.agencies.history(a.id, limit=30, source=self.source)
        if history:
            parts.append(_heading(t("detail.history")))
            parts.append(Text(sparkline([s for _, s, _ in history]), style="cyan"))
            # Changes of status, not every sample (a KPI moving writes a sample too).
            changes = [h for i, h in enumerate(history) if i == 0 or h[1] != history[i - 1][1]]
            for at, status, _ in changes[-8:]:
                parts.append(
                    Text(f"{t.when(at, tz, day=False, year=False)}  {t.word('agency', status)}")
                )
        assigned = ctx.store.incidents.page(IncidentQuery(statuses=(), assigned_to=a.id), 0, 50)
        parts.append(_heading(t("detail.assigned_incidents")))
        if not assigned:
            parts.append(Text(t("empty.incidents"), style="dim"))
        for inc in assigned:
            line = Text(f"{t.word('status', inc.status):<12} ")
            line.append(inc.title)
            line.append(f"  {inc.id}", style="dim")
            parts.append(line)
        parts.append(_heading(t("detail.items")))
        parts.append(_items(ctx.store.followups.items(open_only=True, owner=a.id), ctx))
        return title, Group(*parts)


CHART_DAYS = 90
STATUS_LEVEL = {"major_outage": 0, "partial_outage": 1, "degraded": 2, "unknown": 2,
                "maintenance": 3, "operational": 3}  # fmt: skip


class AgencyDetailScreen(DetailScreen):
    """An agency's detail, with charts of its KPIs against their targets and of its
    service status over the period chosen where it was opened (Kinerja's 7, 30 or 90
    days; 90 from the agencies pane), by textual-plotext."""

    def __init__(
        self,
        ctx: ConsoleContext,
        agency_id: str,
        source: str | None = None,
        days: int = CHART_DAYS,
    ) -> None:
        super().__init__(ctx, AgencyView(agency_id, source))
        self.agency_id = agency_id
        self.source = source
        self.days = days

    def compose_more(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        a = self.ctx.store.agencies.get(self.agency_id, self.source)
        self._charts: list[tuple[PlotextPlot, str | None]] = []
        yield Static(_heading(self.ctx.t("detail.charts", days=self.days)), id="charts-title")
        status = PlotextPlot(classes="chart")
        self._charts.append((status, None))
        yield status
        for k in a.kpis if a else ():
            plot = PlotextPlot(classes="chart")
            self._charts.append((plot, k.name))
            yield plot

    def on_mount(self) -> None:
        super().on_mount()
        self.draw_charts()

    def draw_charts(self) -> None:
        """Status and each KPI against its target, by day over the period: the axis says
        days ago in whole days ("hari ini" at the right), and a KPI's value axis spans its
        values and its target, with the target among its labels, so the target line
        stands where its label says."""
        t, now = self.ctx.t, self.ctx.now()
        history = [
            h
            for h in self.ctx.store.agencies.history(self.agency_id, limit=2000, source=self.source)
            if (now - h[0]).total_seconds() <= self.days * 86400
        ]
        days = [-(now - at).total_seconds() / 86400 for at, _, _ in history]
        ticks = day_ticks(self.days)
        for plot, kpi in self._charts:
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            plt.xlabel(t("detail.days_ago"))
            plt.xlim(-self.days, 0)
            plt.xticks([-d for d in ticks], [str(d) for d in ticks])
            if kpi is None:
                plt.title(t("detail.chart_status"))
                levels = [STATUS_LEVEL.get(s, 2) for _, s, _ in history]
                if levels:
                    plt.plot([*days, 0.0], [*levels, levels[-1]], marker="braille")
                plt.ylim(-0.2, 3.2)
                plt.yticks([0, 1, 2, 3], [t.word("agency", s) for s in
                           ("major_outage", "partial_outage", "degraded", "operational")])  # fmt: skip
            else:
                points = [
                    (d, k.value, k.target)
                    for d, (_, _, kpis) in zip(days, history, strict=True)
                    for k in kpis
                    if k.name == kpi and k.value is not None
                ]
                target = next((p[2] for p in reversed(points) if p[2] is not None), None)
                plt.title(kpi if target is None else f"{kpi} ({t('detail.target')} {target:g})")
                if points:
                    plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille",
                             label=t("col.kpis"))  # fmt: skip
                values = [p[1] for p in points] + ([target] if target is not None else [])
                if values:
                    low, high = value_range(values)
                    plt.ylim(low, high)
                    marks = sorted({low, high, *([target] if target is not None else [])})
                    plt.yticks(marks, [f"{v:g}" for v in marks])
                if target is not None:
                    plt.hline(target, "red")
            plot.refresh()


def day_ticks(days: int) -> list[int]:
    """Whole days ago to label on a chart of ``days`` (0: today), at most 7 labels."""
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60) if days / s <= 6)
    return list(range(0, days + 1, step))[::-1]


def value_range(values: list[float]) -> tuple[float, float]:
    """A KPI axis's ends: its values and target, with a margin, in round numbers."""
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, abs(high) * 0.02, 1.0)
    return float(math.floor(low - pad)), float(math.ceil(high + pad))


class MeetingView:
    """A meeting: time, place, organizer, participants, description."""

    def __init__(self, meeting_id: str) -> None:
        self.meeting_id = meeting_id
        self.meeting: Meeting | None = None

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        t, tz = ctx.t, ctx.tz
        m = self.meeting = ctx.store.agenda.get(self.meeting_id) or (
            ctx.store.followups.remembered(self.meeting_id)
        )
        if m is None:
            return Text(self.meeting_id), Text(t("empty.agenda"))
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
        closure = ctx.store.meetings.closure(m.id)
        if closure is not None:
            parts.append(_field(t("minutes.closed"),
                                f"{t.when(closure.closed_at, tz)} · {closure.closed_by}", "green"))  # fmt: skip
        if m.description:
            parts += [_heading(t("detail.description")), Text(m.description)]
        present = ctx.store.meetings.attendance(m.id)
        if present:
            names = {a.id: a.name for a in ctx.store.agencies.listing()}
            parts.append(_heading(t("minutes.present")))
            parts += [Text(f"• {names.get(a, a)}") for a, _, _ in present]
        notes = ctx.store.meetings.notes(m.id)
        if notes:
            parts.append(_heading(t("minutes.discussion")))
            parts += [Text(f"{n}. {note.text}") for n, note in enumerate(notes, 1)]
        decisions = ctx.store.followups.decisions(m.id)
        parts.append(_heading(t("detail.decisions")))
        parts += [Text(f"{d.id}  {d.text}") for d in decisions] or [Text(t("minutes.none"))]
        parts.append(_heading(t("detail.items")))
        parts.append(_items(ctx.store.followups.items(meeting_id=m.id), ctx))
        carried = ctx.store.followups.carried_over(m)
        if carried:
            parts.append(_heading(t("detail.carried")))
            parts.append(_items(carried, ctx))
        return title, Group(*parts)


def _items(items: list[ActionItem], ctx: ConsoleContext) -> RenderableType:
    if not items:
        return Text(ctx.t("minutes.none"))
    grid = Table.grid(padding=(0, 1))
    for item in items:
        grid.add_row(
            Text(item.id, style="bold"),
            item_due_text(item, ctx),
            Text(item.owner, style="cyan"),
            Text(item.text),
        )
    return grid


class MeetingDetailScreen(DetailScreen):
    """A meeting's detail: its record, decisions and action items; d and t add to them."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("meeting", "followup", "minutes")
    scopes: ClassVar[tuple[str, ...]] = ("view", "meeting", "followup", "minutes")

    def __init__(self, ctx: ConsoleContext, meeting_id: str) -> None:
        self.meeting_view = MeetingView(meeting_id)
        super().__init__(ctx, self.meeting_view)
        self.meeting_id = meeting_id

    def action_decide(self) -> None:
        decide(self, self.ctx, self.meeting_view.meeting)

    def action_add_item(self) -> None:
        m = self.meeting_view.meeting
        if m is not None:
            add_item(self, self.ctx, meeting=m, title=m.title)

    def action_minutes(self) -> None:
        from cc_console.screens.minutes import MinutesScreen

        self.app.push_screen(MinutesScreen(self.ctx, self.meeting_id))

    def action_save_minutes(self) -> None:
        from cc_console.screens.minutes import save_minutes

        save_minutes(self, self.ctx, self.meeting_view.meeting)

    def action_close_meeting(self) -> None:
        from cc_console.screens.minutes import close_meeting

        close_meeting(self, self.ctx, self.meeting_view.meeting)


class ItemView:
    """One action item: what, who, by when, of which meeting or incident."""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        t, tz = ctx.t, ctx.tz
        item = ctx.store.followups.item(self.item_id)
        title = Text(f"{item.id}  ", style="bold")
        title.append(item.text.split("\n")[0])
        due = Text(f"{t('col.due')}: ", style="bold")
        due.append(t.when(item.due, tz) + "  ")
        due.append_text(item_due_text(item, ctx))
        parts: list[RenderableType] = [
            _field(t("col.owner"), item.owner),
            due,
            _field(t("col.status"), t.word("item", item.status)),
            _field(t("col.meeting"), item.meeting_title or "-"),
            _field(t("col.target"), item.incident_id or "-"),
            _field(t("col.operator"), f"{item.created_by} · {t.when(item.created_at, tz)}"),
            _heading(t("detail.item")),
            Text(item.text),
        ]
        if item.note:
            parts += [_heading(t("col.note")), Text(item.note)]
        return title, Group(*parts)


class ItemDetailScreen(DetailScreen):
    """An action item; x marks it done."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("item")
    scopes: ClassVar[tuple[str, ...]] = ("view", "item")

    def __init__(self, ctx: ConsoleContext, item_id: str) -> None:
        super().__init__(ctx, ItemView(item_id))
        self.item_id = item_id

    def action_item_done(self) -> None:
        item_done(self, self.ctx, self.ctx.store.followups.item(self.item_id))
