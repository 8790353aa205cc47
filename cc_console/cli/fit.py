"""Tables laid out for a width (80 columns over SSH, a page of paper).

A boxed Rich table squeezed into 80 columns wraps every cell over several
lines and cuts ids ("bpbd-lapor…"): a handover of ten pages that nobody can
copy an id from.  :func:`fit_table` draws a table without side borders, keeps
the columns that must be read whole (ids, times, figures, statuses) on one line
at their full width, lets only the columns of words (titles, notes) wrap, and
leaves out whole the columns named as the first to go when even that does not
fit.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

__all__ = ["fit_table"]

WORDS_MIN = 12  # the fewest cells a column of words is given before a column is left out
GAP = 3  # between two columns: a cell of padding each side and the (blank) rule


def _lines(cell: object) -> list[str]:
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    return plain.split("\n") or [""]


def fit_table(table: Table, width: int, *, words: Iterable[str], drop: Iterable[str] = ()) -> Table:
    """``table`` (changed in place, and returned) laid out to fit ``width`` cells.

    Args:
        table: a Rich table whose cells are text.
        width: the cells it may take.
        words: the headings of the columns that may wrap (titles, notes, names).
        drop: headings of columns to leave out, first to last, until the rest fits
            one line a row (what another column already says, what can be looked up).
    """
    words, drop = set(words), list(drop)
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.pad_edge = False
    table.expand = False

    def natural(column: object) -> int:
        cells = [str(column.header), *(line for c in column._cells for line in _lines(c))]  # type: ignore[attr-defined]
        return max(cell_len(line) for line in cells)

    def least() -> int:
        total = 0
        for column in table.columns:
            n = natural(column)
            total += min(n, WORDS_MIN) if str(column.header) in words else n
        return total + GAP * (len(table.columns) - 1)

    def whole() -> int:
        return sum(natural(c) for c in table.columns) + GAP * (len(table.columns) - 1)

    # What may go, goes while the rest does not fit on one line each; then, if the
    # words cannot even have their least, the others too.
    for heading in drop:
        if whole() <= width:
            break
        table.columns[:] = [c for c in table.columns if str(c.header) != heading]
        for index, column in enumerate(table.columns):
            column._index = index  # Rich measures a column by its place  # type: ignore[attr-defined]
    for column in table.columns:
        if str(column.header) in words:
            column.no_wrap = False
            column.overflow = "fold"  # a long word (a URL) folds, never cut
            column.min_width = min(natural(column), WORDS_MIN)
        else:
            column.no_wrap = True
            column.min_width = natural(column)
    return table
