"""A full-screen table of a view (feeds, journal, outbox, Kinerja, Wilayah, events).

Every table moves the same way: the rows keep the selected row across live
updates; ``o`` sorts by the next column and ``O`` turns the order round (the
heading says which, ▼ or ▲); ``/`` filters the rows as one types; ``:`` (the
command palette) jumps to a row by its name; a table wider than the terminal
shows the columns that fit whole and ``h``/``l`` bring the others in, a column
at a time, the row's own columns staying put.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from cc_console.screens.base import SubScreen
from widgets.bindings import bind_scopes
from widgets.columns import Column, Shown, as_column, natural_widths, shown_columns, sort_key
from widgets.context import ConsoleContext
from widgets.key_bar import key_label
from widgets.messages import StoreChanged
from widgets.pane import FilterInput

__all__ = ["ListTable", "Row", "TableScreen", "TableView"]

Row = tuple[list[Text], str]
"""The cells of one table row, and its key."""

GAP = 2  # the table's padding: one cell on each side of a column
SCROLLBAR = 2  # kept free for the table's vertical scrollbar, when the rows overflow


class TableView(Protocol):
    """What a table screen shows: its title, its columns, its rows (read anew on each change).

    A view may also name ``pinned`` row keys (a total, "not assigned") that stay
    first whatever the sort.
    """

    title_key: str

    def columns(self) -> Sequence[str | Column]:
        """The columns: translation keys of the headings, or :class:`Column` to say more."""

    def rows(self, ctx: ConsoleContext) -> Iterable[Row]:
        """The rows to show."""

    def summary(self, ctx: ConsoleContext) -> Text | None:
        """A line or two above the table (None: none)."""


class ListTable(DataTable[Any]):
    """A table that moves like the panes' lists: j k g G, Home and End go by rows;
    left and right (h and l) scroll by whole columns."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("left", "screen.columns(-1)", show=False),
        Binding("right", "screen.columns(1)", show=False),
        *bind_scopes("list"),  # j k g G, remappable in [keys]
    ]

    def action_cursor(self, step: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.cursor_row + step, self.row_count - 1)))

    def action_jump(self, where: int) -> None:
        if self.row_count:
            self.move_cursor(row=0 if where == 0 else self.row_count - 1)

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor (None: no row)."""
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        value = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return None if value is None else str(value)

    def select_key(self, key: str) -> bool:
        """Put the cursor on the row ``key`` (False: not shown)."""
        for index, row in enumerate(self.rows):
            if row.value == key:
                self.move_cursor(row=index, animate=False)
                return True
        return False


@dataclass(frozen=True)
class Sort:
    """The column the rows are sorted by, and which way (None: the view's own order)."""

    column: int
    descending: bool


class TableScreen(SubScreen):
    """A full-screen table of a :class:`TableView`; Esc goes back (or clears the filter).

    Subclasses that add their own scope list ``table`` in ``scopes`` too.
    """

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("table")
    scopes: ClassVar[tuple[str, ...]] = ("view", "table")

    def __init__(self, ctx: ConsoleContext, view: TableView) -> None:
        super().__init__(ctx)
        self.view = view
        self.sort: Sort | None = None
        self.column_offset = 0  # columns scrolled sideways
        self.filter_text = ""
        self.shown: Shown | None = None
        self.rows_read: list[Row] = []  # every row of the view, as last read
        self._layout: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(id="table-title")
        yield Static(id="table-summary")
        yield ListTable(cursor_type="row", zebra_stripes=True)
        yield FilterInput(placeholder=self.ctx.t("table.filter_placeholder"), id="table-filter")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload()

    @property
    def columns(self) -> list[Column]:
        """The view's columns."""
        return [as_column(c) for c in self.view.columns()]

    def heading(self, index: int) -> str:
        """The heading of column ``index`` in the UI's language, with ▼/▲ on the sorted one."""
        key = self.columns[index].key
        text = self.ctx.t(key) if "." in key else key
        if self.sort is not None and self.sort.column == index:
            text += " ▼" if self.sort.descending else " ▲"
        return text

    def reload(self) -> None:
        """Read the rows again, keeping the selected row (by its key) and the scroll.

        A live update must not move the operator's cursor: rows whose key and
        place are unchanged are updated cell by cell (only changed cells are
        redrawn); otherwise the rows are laid out again and the cursor goes back
        to the row it was on, wherever that row now stands.
        """
        table = self.query_one(ListTable)
        columns = self.columns
        self.rows_read = rows = list(self.view.rows(self.ctx))
        headings = [self.heading(i) for i in range(len(columns))]
        # Measured on every row, not the filtered ones: typing a filter does not move columns.
        widths = natural_widths(headings, [cells for cells, _ in rows])
        # The vertical scrollbar takes cells only when the rows overflow the table.
        height = table.size.height
        overflow = not height or len(rows) + 1 > height
        width = (self.size.width or 80) - (SCROLLBAR if overflow else 0)
        shown = self.shown = shown_columns(columns, widths, width, self.column_offset, GAP)
        self.column_offset = shown.hidden_left
        layout = tuple((i, w, headings[i]) for i, w in shown.columns)
        if layout != self._layout:
            self._layout = layout
            table.clear(columns=True)
            for i, w, heading in layout:
                table.add_column(Text(heading, no_wrap=True), width=w, key=str(i))
        self._fill(table, [(self._cells(cells, shown), key) for cells, key in self._order(rows)])
        self._show_title(len(rows))
        summary = self.view.summary(self.ctx)
        box = self.query_one("#table-summary", Static)
        box.display = summary is not None
        if summary is not None:
            box.update(summary)

    def _cells(self, cells: list[Text], shown: Shown) -> list[Text]:
        """The cells of the columns shown; words cut with "…" to their column, never figures."""
        out = []
        for i, w in shown.columns:
            cell = cells[i] if i < len(cells) else Text("")
            if cell.cell_len > w:
                cell = cell.copy()
                cell.truncate(w, overflow="ellipsis")
            out.append(cell)
        return out

    def _order(self, rows: list[Row]) -> list[Row]:
        """The rows that match the filter, sorted; pinned rows first, empty cells last."""
        pinned = set(getattr(self.view, "pinned", ()))
        needle = self.filter_text.casefold()
        if needle:
            rows = [r for r in rows if needle in " ".join(c.plain for c in r[0]).casefold()]
        if self.sort is None:
            return rows
        col, down = self.sort.column, self.sort.descending
        top = [r for r in rows if r[1] in pinned]
        keyed = [(sort_key(r[0][col]) if col < len(r[0]) else (2, ""), r) for r in rows
                 if r[1] not in pinned]  # fmt: skip
        present = sorted((x for x in keyed if x[0][0] != 2), key=lambda x: x[0], reverse=down)
        return top + [r for _, r in present] + [r for k, r in keyed if k[0] == 2]

    def _show_title(self, total: int) -> None:
        t = self.ctx.t
        table = self.query_one(ListTable)
        title = Text(t(self.view.title_key), style="bold")
        if self.filter_text:
            title.append(" · ")
            title.append(t("filter.active", text=self.filter_text), style="reverse")
            title.append(" " + t("rows", shown=table.row_count, total=total))
        if self.sort is not None:
            title.append(" · " + t("table.sorted", column=self.heading(self.sort.column)))
        shown = self.shown
        if shown is not None and (shown.hidden_left or shown.hidden_right):
            title.append(" · ")
            keys = "/".join(key_label(self.ctx.keys[k]) for k in ("column_left", "column_right"))
            title.append(t("table.more_columns", left=shown.hidden_left,
                           right=shown.hidden_right, keys=keys), style="yellow")  # fmt: skip
        self.query_one("#table-title", Static).update(title)

    @staticmethod
    def _fill(table: DataTable[Any], rows: list[Row]) -> None:
        keys = [key for _, key in rows]
        if [k.value for k in table.rows] == keys:
            columns = list(table.columns)
            for cells, key in rows:
                old = table.get_row(key)
                for column, cell, before in zip(columns, cells, old, strict=False):
                    if cell != before:
                        table.update_cell(key, column, cell)
            return
        selected = table.selected_key if isinstance(table, ListTable) else None
        x, y = table.scroll_x, table.scroll_y
        table.clear()
        for cells, key in rows:
            table.add_row(*cells, key=key)
        # Once the new rows are measured: the same scroll, then the cursor in view.
        table.call_after_refresh(table.scroll_to, x, y, animate=False)
        if selected in keys:
            table.move_cursor(row=keys.index(selected), animate=False)

    # -- keys -------------------------------------------------------------------

    def action_columns(self, step: int) -> None:
        """Scroll sideways by one column (h / l, ← / →)."""
        shown = self.shown
        if shown is None:
            return
        if (step < 0 and shown.hidden_left) or (step > 0 and shown.hidden_right):
            self.column_offset += step
            self.reload()

    def action_sort_next(self) -> None:
        """Sort by the next column (after the last: the view's own order again)."""
        count = len(self.columns)
        nxt = 0 if self.sort is None else self.sort.column + 1
        if nxt >= count:
            self.sort = None
        else:
            # Figures first the largest (the most late, the worst score), words A to Z.
            figures = [sort_key(cells[nxt])[0] == 0 for cells, _ in self.rows_read
                       if nxt < len(cells)]  # fmt: skip
            self.sort = Sort(nxt, descending=bool(figures) and sum(figures) * 2 >= len(figures))
            self._bring_into_view(nxt)
        self.reload()

    def action_sort_reverse(self) -> None:
        """Turn the order round (on the view's own order: by its first column, reversed)."""
        if self.sort is None:
            self.sort = Sort(0, descending=True)
        else:
            self.sort = Sort(self.sort.column, not self.sort.descending)
        self.reload()

    def _bring_into_view(self, index: int) -> None:
        """Scroll sideways so that column ``index`` is on screen (it leads the scrolled part)."""
        shown, columns = self.shown, self.columns
        if columns[index].frozen or shown is None or any(i == index for i, _ in shown.columns):
            return
        self.column_offset = [i for i, c in enumerate(columns) if not c.frozen].index(index)

    def action_filter_rows(self) -> None:
        box = self.query_one(FilterInput)
        box.display = True
        box.value = self.filter_text
        self.set_focus(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.filter_text:
            self.filter_text = event.value
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._end_filter()

    def on_filter_input_done(self, event: FilterInput.Done) -> None:
        event.stop()
        self._end_filter()

    def _end_filter(self) -> None:
        self.query_one(FilterInput).display = False
        self.set_focus(self.query_one(ListTable))

    def action_back(self) -> None:
        """Esc clears the filter first, then goes back."""
        if self.filter_text:
            self.filter_text = ""
            self.query_one(FilterInput).value = ""
            self.reload()
            return
        super().action_back()

    # -- the jump (":") -----------------------------------------------------------

    def jump_targets(self) -> list[tuple[str, str]]:
        """``(name, row key)`` of every row, for the palette's jump."""
        columns = self.columns
        named = [i for i, c in enumerate(columns) if c.name]
        if not named:
            named = [i for i, c in enumerate(columns) if c.frozen or c.shrink][:2] or [0]
        out = []
        for cells, key in self.rows_read:
            words = " · ".join(cells[i].plain for i in named if i < len(cells) and cells[i].plain)
            if words and key not in ("", "empty"):
                out.append((words, key))
        return out

    def jump_to(self, key: str) -> None:
        """Put the cursor on row ``key`` (clearing a filter that hides it)."""
        table = self.query_one(ListTable)
        if not table.select_key(key) and self.filter_text:
            self.filter_text = ""
            self.query_one(FilterInput).value = ""
            self.reload()
            table.select_key(key)
        table.focus()
