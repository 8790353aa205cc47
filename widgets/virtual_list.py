"""A keyboard-driven list that renders only the lines on screen (Textual's Line API).

Rows come from a :class:`RowSource` in pages, so a list over a million cached
incidents costs what the visible window costs.  The selection is kept by key
across reloads: new rows arriving above it do not move what the operator is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.bindings import bind_scopes
from widgets.cells import Painted, changed_cells, painted

__all__ = ["RowSource", "VirtualList"]

T = TypeVar("T")
PAGE = 100


class RowSource(Protocol[T]):
    """Where a list's rows come from."""

    def count(self) -> int:
        """How many rows there are."""

    def page(self, offset: int, limit: int) -> Sequence[T]:
        """Rows ``offset .. offset + limit``."""

    def key(self, row: T) -> str:
        """A stable identity of ``row``."""

    def locate(self, key: str, hint: int) -> int | None:
        """The index of the row with ``key`` (``hint``: where it was), or None."""

    def render(self, row: T, width: int) -> Text:
        """The text of one row at ``width`` cells."""


class VirtualList(ScrollView, Generic[T], can_focus=True):
    """Rows rendered on demand; the cursor is a reactive index."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown,space", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        *bind_scopes("list"),  # j k g G, remappable in [keys]
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-list--cursor"}
    DEFAULT_CSS = """
    VirtualList { height: 1fr; scrollbar-size-vertical: 1; }
    VirtualList > .virtual-list--cursor { background: $accent 40%; }
    VirtualList:focus > .virtual-list--cursor { background: $accent; color: $text; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    @dataclass
    class Moved(Message):
        """The operator moved the cursor (a key, not new data): what is shown has been seen."""

        list: VirtualList[Any]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to ``row`` (None when the list is empty)."""

        list: VirtualList[Any]
        row: Any

    @dataclass
    class Chosen(Message):
        """The operator pressed Enter on ``row``."""

        list: VirtualList[Any]
        row: Any

    def __init__(
        self, source: RowSource[T], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source
        self.total = 0
        self._pages: dict[int, Sequence[T]] = {}
        self._loaded = False  # read once: later reloads repaint only what changed
        self._selected_key: str | None = None
        # screen line -> what was last painted there, as (text, style) segments
        self._shown: dict[int, Painted] = {}

    # -- data ----------------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Re-read the rows, keeping the selection on the same row when it still exists.

        Only the lines whose row changed are repainted: over SSH, an update of
        one incident costs one line, not a screen.
        """
        top, height = self.scroll_offset.y, self.size.height
        # What each line shows now (the first time: nothing yet, all is painted).
        # An empty list has no pages but is shown: it is compared like any other.
        before = [self.row(top + y) for y in range(height)] if self._loaded else None
        self._loaded = True
        old_total, old_cursor = self.total, self.cursor
        self._pages.clear()
        self.total = self.source.count()
        target = self.cursor
        # On the first row the list follows what arrives (as `tail -f` does):
        # the newest stays in view instead of being pushed off above the cursor.
        if old_cursor == 0:
            self._selected_key = None
        if self._selected_key is not None:
            found = self.source.locate(self._selected_key, self.cursor)
            if found is not None:
                target = found
        if self.total != old_total:
            self.virtual_size = Size(self.size.width, self.total)
        self.cursor = max(0, min(target, self.total - 1))
        current = self.row(self.cursor)
        self._selected_key = self.source.key(current) if current is not None else None
        if before is None or self.total != old_total or self.cursor != old_cursor:
            self.refresh()
            return
        for y in range(height):
            if self.row(top + y) != before[y]:
                self._repaint_changed(y)

    def refresh_stale_lines(self) -> None:
        """Repaint only the cells that moved on in the visible lines (ages: "5m" -> "6m")."""
        for y in list(self._shown):
            self._repaint_changed(y)

    def _repaint_changed(self, y: int) -> None:
        """Repaint the cells of screen line ``y`` that differ from what was painted there.

        Over SSH a countdown ticking from "12m" to "13m" then costs those cells,
        not the line: the terminal gets the segments that changed.
        """
        width = self.size.width
        row = self.row(self.scroll_offset.y + y)
        shown = self._shown.get(y)
        if row is None and shown is None:
            return  # blank, and painted blank
        if row is None or shown is None:
            self.refresh(Region(0, y, width, 1))
            return
        span = changed_cells(shown, self._segments(row, width))
        if span is not None:
            start, end = span
            self.refresh(Region(start, y, end - start, 1))

    def forget_selection(self) -> None:
        """Start again from the top (a new filter: the old row may not be in it)."""
        self._selected_key = None
        self.cursor = 0

    def row(self, index: int) -> T | None:
        """The row at ``index`` (fetched with its page), or None."""
        if not 0 <= index < self.total:
            return None
        number, offset = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            if len(self._pages) > 64:  # keep memory flat while scrolling far
                self._pages.clear()
            page = self._pages[number] = self.source.page(number * PAGE, PAGE)
        return page[offset] if offset < len(page) else None

    @property
    def selected(self) -> T | None:
        """The row under the cursor."""
        return self.row(self.cursor)

    # -- rendering -------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        row = self.row(index)
        if row is None:
            self._shown.pop(y, None)
            return Strip.blank(width, self.rich_style)
        shown = self._shown[y] = self._segments(row, width)
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("virtual-list--cursor")
        segments = [Segment(text, base + style if style else base) for text, style in shown]
        return Strip(segments, width).crop(scroll_x, scroll_x + width)

    def _segments(self, row: T, width: int) -> Painted:
        """The (text, style) segments of ``row`` at ``width`` cells, before the list's styles."""
        text = self.source.render(row, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        return painted(text, self.app.console)

    def watch_cursor(self, old: int, new: int) -> None:
        if old == new:
            return
        row = self.row(new)
        self._selected_key = self.source.key(row) if row is not None else None
        self.refresh(Region(0, old - self.scroll_offset.y, self.size.width, 1))
        self.refresh(Region(0, new - self.scroll_offset.y, self.size.width, 1))
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)
        self.post_message(self.Highlighted(self, row))

    # -- keys -----------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.cursor + step, self.total - 1))
        self.post_message(self.Moved(self))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor = 0 if where == 0 else self.total - 1
        self.post_message(self.Moved(self))

    def action_choose(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Chosen(self, row))
