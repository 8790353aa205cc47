"""The main screen: status line, the three panes, the key line.

Wide terminals show the panes side by side; narrow ones (80x24 over SSH) one
at a time, the one chosen with 1, 2, 3.  The pane and incident actions are
bound here, where they act.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen

from cc_console.actions import actions_in
from cc_console.models import Agency, Incident
from cc_console.screens.base import footer_actions
from cc_console.screens.detail import (
    AgencyDetailScreen,
    IncidentDetailScreen,
    ItemDetailScreen,
    MeetingDetailScreen,
)
from cc_console.screens.followup_actions import item_done
from cc_console.screens.incident_actions import act_on
from cc_console.store import ActionItem
from widgets.agencies_pane import AgenciesPane
from widgets.agenda_pane import AgendaPane, AgendaRow
from widgets.alarm_line import AlarmLine
from widgets.bindings import bind, bind_scopes
from widgets.context import ConsoleContext
from widgets.followup_pane import FollowUpPane
from widgets.incidents_pane import IncidentsPane
from widgets.key_bar import KeyBar
from widgets.messages import ScreenShown, StoreChanged
from widgets.pane import Pane
from widgets.status_bar import StatusBar
from widgets.virtual_list import VirtualList
from widgets.visibility import is_shown

__all__ = ["MainScreen", "Row"]

WIDE = 140
WALL = 180  # the agencies' pane takes what its names need, not a quarter
JUMP_ROWS = 2000  # rows of a pane the jump offers (the filter reaches the rest)

Row = Incident | Agency | AgendaRow | ActionItem
"""What a pane's cursor can be on."""


class MainScreen(Screen[None]):
    """Agencies, Incidents, Agenda."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *bind_scopes("main", "incident", "item"),
        *bind("back", target="clear_filter"),
        Binding("tab", "cycle(1)", show=False),
        Binding("shift+tab", "cycle(-1)", show=False),
    ]
    scopes: ClassVar[tuple[str, ...]] = ("main", "incident", "item")

    AUTO_FOCUS = "#incident-list"
    active: reactive[int] = reactive(1)

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(id="main")
        self.ctx = ctx
        self.agencies = AgenciesPane(ctx, id="agencies")
        self.incidents = IncidentsPane(ctx, id="incidents")
        self.agenda = AgendaPane(ctx, id="agenda")
        self.followups = FollowUpPane(ctx, id="followups")
        self.panes: list[Pane] = [self.agencies, self.incidents, self.agenda, self.followups]

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        yield AlarmLine(self.ctx)
        with Horizontal(id="panes"):
            yield from self.panes
        yield KeyBar(self.ctx.t, self.ctx.keys, self.footer())

    def on_mount(self) -> None:
        self.watch_active(self.active)
        self.on_resize()
        # Ages and "now/next" move with the clock even when no data does.
        self.set_interval(30.0, self.tick)

    def on_screen_resume(self) -> None:
        self.post_message(ScreenShown(self))  # the app brings it up to date
        self.tick()

    def tick(self) -> None:
        if not is_shown(self):  # drawn under a view, it would repaint the view (visibility)
            return
        self.agenda.reload()
        for pane in self.panes:
            pane.list.refresh_stale_lines()

    def on_resize(self) -> None:
        self.query_one("#panes").set_class(self.size.width >= WIDE, "-wide")
        self.query_one("#panes").set_class(self.size.width >= WALL, "-wall")

    def watch_active(self, index: int) -> None:
        for i, pane in enumerate(self.panes):
            pane.set_class(i == index, "-active")
        if self.is_mounted:
            self.query_one("#panes").set_class(self.panes[index] is self.followups, "-followups")
        if self.is_mounted:
            self.panes[index].list.focus()
            self.query_one(KeyBar).show(self.footer(self.panes[index]))

    @property
    def focused_pane(self) -> Pane:
        node = self.focused
        while node is not None:
            if isinstance(node, Pane):
                return node
            node = node.parent  # type: ignore[assignment]
        return self.panes[self.active]

    def selected(self) -> Row | None:
        """The row under the cursor of the focused pane."""
        row = self.focused_pane.list.selected
        return row if isinstance(row, Incident | Agency | AgendaRow | ActionItem) else None

    def selected_incident(self) -> Incident | None:
        """The incident under the cursor, if the incidents pane has the focus."""
        row = self.selected()
        return row if isinstance(row, Incident) else None

    def on_descendant_focus(self) -> None:
        pane = self.focused_pane
        if pane in self.panes:
            index = self.panes.index(pane)
            if index != self.active:
                self.active = index

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def on_virtual_list_chosen(self, message: VirtualList.Chosen) -> None:
        self.action_open()

    # -- actions ----------------------------------------------------------------

    def action_pane(self, index: int) -> None:
        self.active = index

    def action_cycle(self, step: int) -> None:
        self.active = (self.active + step) % len(self.panes)

    def action_filter(self) -> None:
        self.focused_pane.start_filter()

    def action_clear_filter(self) -> None:
        pane = self.focused_pane
        if pane.filter_text:
            pane.clear_filter()

    def action_open(self) -> None:
        row = self.selected()
        if isinstance(row, Incident):
            self.app.push_screen(IncidentDetailScreen(self.ctx, row.id))
        elif isinstance(row, Agency):
            self.app.push_screen(AgencyDetailScreen(self.ctx, row.id, row.source))
        elif isinstance(row, AgendaRow) and row.meeting is not None:
            self.app.push_screen(MeetingDetailScreen(self.ctx, row.meeting.id))
        elif isinstance(row, ActionItem):
            self.app.push_screen(ItemDetailScreen(self.ctx, row.id))

    def action_item_done(self) -> None:
        row = self.selected() if self.focused_pane is self.followups else None
        item_done(self, self.ctx, row if isinstance(row, ActionItem) else None)

    def action_act(self, action: str) -> None:
        act_on(self, self.ctx, action, self.selected_incident())

    def action_link_event(self) -> None:
        from cc_console.screens.crisis import link_to_event

        link_to_event(self, self.ctx, self.selected_incident())

    def action_sort(self) -> None:
        """Sort the pane in view (never a hidden one)."""
        pane = self.focused_pane
        if pane is self.incidents:
            self.incidents.toggle_sort()
        elif pane is self.agencies:
            self.agencies.toggle_sort()
        else:
            self.notify(self.ctx.t("refused.no_sort"), severity="warning")

    def action_late(self) -> None:
        """Only the incidents past a deadline (the count the alarm line and `sla` give)."""
        if self.focused_pane is self.incidents:
            self.incidents.toggle_late()

    def action_all(self) -> None:
        if self.focused_pane is self.incidents:
            self.incidents.toggle_all()

    def footer(self, pane: Pane | None = None) -> list[str]:
        """The key line for the pane in view: what acts there, with ? and q always."""
        pane = pane or self.panes[self.active]
        incident = {a.id for a in actions_in("incident")}
        item = {a.id for a in actions_in("item")}
        drop = incident | item if self.ctx.read_only else set()
        if pane is not self.incidents:
            drop |= (
                incident
                | {"all", "late"}
                | ({"sort"} if pane in (self.agenda, self.followups) else set())
            )
        if pane is not self.followups:
            drop |= item
        return [a for a in footer_actions("main", "incident", "item", "app") if a not in drop]

    def show_site(self) -> None:
        """Show only ``ctx.site`` (None: every site) in the panes that know sites."""
        self.incidents.source.query = replace(
            self.incidents.source.query, sites=self.ctx.site_filter()
        )
        for pane in (self.incidents, self.agencies):
            pane.list.forget_selection()
            pane.reload()

    def jump_targets(self) -> list[tuple[str, str]]:
        """``(name, key)`` of the first rows of the focused pane, for the palette's jump
        (the incidents' filter ``/`` reaches the rest of a large cache)."""
        pane = self.focused_pane
        source = pane.list.source
        out = []
        for offset in range(0, JUMP_ROWS, 100):
            rows = source.page(offset, 100)
            for row in rows:
                name = row_name(row)
                if name:
                    out.append((name, source.key(row)))
            if len(rows) < 100:
                break
        return out

    def jump_to(self, key: str) -> None:
        """Put the focused pane's cursor on the row ``key``."""
        pane = self.focused_pane
        found = pane.list.source.locate(key, pane.list.cursor)
        if found is not None:
            pane.list.cursor = found
        pane.list.focus()

    def reload(self) -> None:
        """New data in the store: every pane re-reads; cursors and filters stay."""
        for pane in self.panes:
            pane.reload()


def row_name(row: object) -> str:
    """What a pane's row is called: an agency's name, an incident's or a meeting's title,
    an action item's text (a day heading: none)."""
    if isinstance(row, Agency):
        return row.name
    if isinstance(row, Incident):
        return f"{row.title} ({row.id})"
    if isinstance(row, AgendaRow):
        return row.meeting.title if row.meeting is not None else ""
    if isinstance(row, ActionItem):
        return f"{row.text} ({row.id})"
    return ""
