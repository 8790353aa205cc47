"""The main screen: status line, the three panes, the key line.

Wide terminals show the panes side by side; narrow ones (80x24 over SSH) one
at a time, the one chosen with 1, 2, 3.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen

from widgets.agencies_pane import AgenciesPane
from widgets.agenda_pane import AgendaPane
from widgets.context import ConsoleContext
from widgets.incidents_pane import IncidentsPane
from widgets.key_bar import KeyBar
from widgets.pane import Pane
from widgets.status_bar import StatusBar

__all__ = ["MainScreen"]

WIDE = 140
MAIN_KEYS = (
    "pane1",
    "pane2",
    "pane3",
    "filter",
    "open",
    "ack",
    "note",
    "assign",
    "resolve",
    "sort",
    "all",
    "health",
    "journal",
    "pause",
    "refresh",
    "help",
    "quit",
)


class MainScreen(Screen[None]):
    """Agencies, Incidents, Agenda."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", show=False),
        Binding("tab", "cycle(1)", show=False),
        Binding("shift+tab", "cycle(-1)", show=False),
    ]
    DEFAULT_CSS = """
    MainScreen #panes { height: 1fr; }
    MainScreen #panes > Pane { display: none; }
    MainScreen #panes > Pane.-active { display: block; }
    MainScreen #panes.-wide > Pane { display: block; }
    MainScreen #panes.-wide > IncidentsPane { width: 2fr; }
    """

    AUTO_FOCUS = "#incident-list"
    active: reactive[int] = reactive(1)

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str]) -> None:
        super().__init__(id="main")
        self.ctx = ctx
        self.keys = keys
        self.agencies = AgenciesPane(ctx, id="agencies")
        self.incidents = IncidentsPane(ctx, id="incidents")
        self.agenda = AgendaPane(ctx, id="agenda")
        self.panes: list[Pane] = [self.agencies, self.incidents, self.agenda]

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        with Horizontal(id="panes"):
            yield from self.panes
        yield KeyBar(self.ctx.t, self.keys, MAIN_KEYS)

    def on_mount(self) -> None:
        self.watch_active(self.active)
        self.on_resize()
        # Ages and "now/next" move with the clock even when no data does.
        self.set_interval(30.0, self.tick)

    def tick(self) -> None:
        self.agenda.reload()
        for pane in self.panes:
            pane.list.refresh_stale_lines()

    def on_resize(self) -> None:
        self.query_one("#panes").set_class(self.size.width >= WIDE, "-wide")

    def watch_active(self, index: int) -> None:
        for i, pane in enumerate(self.panes):
            pane.set_class(i == index, "-active")
        if self.is_mounted:
            self.panes[index].list.focus()

    @property
    def focused_pane(self) -> Pane:
        node = self.focused
        while node is not None:
            if isinstance(node, Pane):
                return node
            node = node.parent  # type: ignore[assignment]
        return self.panes[self.active]

    def on_descendant_focus(self) -> None:
        pane = self.focused_pane
        if pane in self.panes:
            index = self.panes.index(pane)
            if index != self.active:
                self.active = index

    def action_cycle(self, step: int) -> None:
        self.active = (self.active + step) % len(self.panes)

    def action_clear_filter(self) -> None:
        pane = self.focused_pane
        if pane.filter_text:
            pane.clear_filter()

    def reload(self) -> None:
        """New data in the store: every pane re-reads; cursors and filters stay."""
        for pane in self.panes:
            pane.reload()
