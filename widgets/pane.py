"""A pane: a title line, column headings, a virtual list and a filter line.

``/`` opens the filter; typing filters as you go; Enter or Esc returns to the
list with the filter kept; Esc on the list clears it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from widgets.bindings import bind
from widgets.context import ConsoleContext
from widgets.virtual_list import RowSource, VirtualList

__all__ = ["Pane", "PaneSource"]

T = TypeVar("T")

FILTER_DELAY = 0.12  # seconds of quiet before a typed filter is applied


class PaneSource(RowSource[T], Protocol):
    """A pane's rows, with the column headings and the filter they answer to."""

    def header(self, width: int) -> Text:
        """The column headings at ``width``."""

    def status(self) -> str:
        """Extra words for the title line (sort order, view), or ""."""

    def set_filter(self, text: str) -> None:
        """Show only the rows matching ``text`` from the next count on."""


class FilterInput(Input):
    """The filter line; Esc (and Enter) hand the focus back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = bind("back", target="done")
    DEFAULT_CSS = """
    FilterInput, FilterInput:focus { dock: bottom; height: 1; border: none; padding: 0 1; display: none; }
    """

    class Done(Message):
        """The operator left the filter line."""

    def action_done(self) -> None:
        self.post_message(self.Done())


class TextLine(Static):
    """A line of text that repaints only when its text changes (an idle console writes nothing)."""

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._text: Text | None = None

    def show(self, text: Text) -> None:
        if text != self._text:
            self._text = text
            self.update(text, layout=False)  # one line: no relayout


class Pane(Vertical, can_focus=False):
    """A list of rows from a :class:`PaneSource`, with its title, headings and filter."""

    DEFAULT_CSS = """
    Pane { border: round $primary 50%; height: 1fr; width: 1fr; padding: 0; }
    Pane:focus-within { border: round $accent; }
    Pane > .pane-title { height: 1; background: $boost; text-style: bold; }
    Pane > .pane-header { height: 1; color: $text-muted; text-style: underline; }
    """

    filter_text: reactive[str] = reactive("")

    def __init__(
        self,
        ctx: ConsoleContext,
        source: PaneSource[Any],
        *,
        title_key: str,
        list_id: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.ctx = ctx
        self.title_key = title_key
        self.rows = source
        self.list: VirtualList[Any] = VirtualList(source, id=list_id)
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TextLine(classes="pane-title")
        yield TextLine(classes="pane-header")
        yield self.list
        yield FilterInput(placeholder=self.ctx.t("filter.placeholder"), classes="filter")

    def on_mount(self) -> None:
        self.update_title()

    def on_resize(self) -> None:
        self.update_title()

    def update_title(self) -> None:
        t = self.ctx.t
        width = max(self.size.width, 20)
        title = Text(f" {t(self.title_key)} ", style="bold")
        title.append(
            t("rows", shown=min(self.list.cursor + 1, self.list.total), total=self.list.total),
            style="",
        )
        extra = self.rows.status()
        if extra:
            title.append(f" · {extra}")
        if self.filter_text:
            title.append(" · ")
            title.append(t("filter.active", text=self.filter_text), style="reverse")
        self.query_one(".pane-title", TextLine).show(title)
        self.query_one(".pane-header", TextLine).show(self.rows.header(width))

    def reload(self) -> None:
        """Re-read the store (after new data); cursor and filter stay."""
        self.list.reload()
        self.update_title()

    # -- filter ---------------------------------------------------------------

    def start_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.display = True  # set now, not by a class, so the focus below lands
        box.value = self.filter_text
        self.screen.set_focus(box)

    def end_filter(self) -> None:
        self.screen.set_focus(self.list)
        self.query_one(FilterInput).display = False

    def on_filter_input_done(self, event: FilterInput.Done) -> None:
        event.stop()
        self.end_filter()

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after "/" can reach the list before the focus moves
        (a burst over SSH): they go to the filter line, as typed."""
        if self.screen.focused is self.list and self._to_filter(event):
            event.stop()
            event.prevent_default()

    def _to_filter(self, event: events.Key) -> bool:
        box = self.query_one(FilterInput)
        if not box.display:
            # Open the filter right here, so the keys queued behind "/" land in it.
            if event.key in self.ctx.filter_keys:
                self.start_filter()
                return True
            return False
        if event.key in ("enter", "escape"):
            self.end_filter()
        elif event.key == "backspace":
            box.action_delete_left()
        elif event.is_printable and event.character:
            box.insert_text_at_cursor(event.character)
        else:
            return False
        return True

    def clear_filter(self) -> None:
        self.filter_text = ""

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Apply once typing pauses: a burst of keys costs one query, not one per key.
        if self._debounce is not None:
            self._debounce.stop()
        value = event.value
        self._debounce = self.set_timer(FILTER_DELAY, lambda: setattr(self, "filter_text", value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self.filter_text = event.value
        self.end_filter()

    def watch_filter_text(self, old: str, new: str) -> None:
        if old != new and self.is_mounted:
            self.rows.set_filter(new)
            self.list.forget_selection()
            self.reload()

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.update_title()
