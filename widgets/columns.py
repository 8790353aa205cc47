"""Which columns of a table fit a terminal, at what widths; how a column's cells sort.

A column that does not fit is left out whole, never cut: a figure cut to its
first digit ("9" for 92%, "6" for "6m") reads as another figure.  Only the
columns that carry words (a name, a title, a note) may be shortened, with an
ellipsis that says so.  The columns left out are reached by scrolling sideways
a column at a time, the row's own columns (its number, its name) staying put,
as a spreadsheet's frozen panes or VisiData's key columns do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

__all__ = [
    "Cell",
    "Column",
    "Shown",
    "as_column",
    "natural_widths",
    "shown_columns",
    "sort_key",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table view.

    Attributes:
        key: the translation key of its heading (a key without a dot is shown as is).
        shrink: the fewest cells it may be shortened to, with "…" (0: never shortened;
            only for words, never for a figure).
        frozen: stays on screen when the table scrolls sideways (what names the row).
        name: what the row is called, offered by the jump (``:``); the first frozen
            or shrinkable column when no column says so.
    """

    key: str
    shrink: int = 0
    frozen: bool = False
    name: bool = False


def as_column(column: str | Column) -> Column:
    """A view's column as a :class:`Column` (a bare key: fixed width, scrolls)."""
    return column if isinstance(column, Column) else Column(column)


class Cell(Text):
    """A cell that sorts by ``value`` rather than by its text (a time shown as "05 Des 10:59")."""

    __slots__ = ("value",)

    def __init__(self, text: str, value: float | str, style: str = "") -> None:
        super().__init__(text, style=style)
        self.value = value


def natural_widths(headings: Sequence[str], rows: Sequence[Sequence[Text]]) -> list[int]:
    """Cells each column takes to show its heading and every cell whole (the longest line)."""
    widths = [cell_len(h) for h in headings]
    for cells in rows:
        for i, cell in enumerate(cells[: len(widths)]):
            longest = max((cell_len(line) for line in cell.plain.split("\n")), default=0)
            widths[i] = max(widths[i], longest)
    return widths


@dataclass(frozen=True, slots=True)
class Shown:
    """The columns on screen: their indexes (in the view's order) and widths; how many are
    left out on each side of the scrolled part."""

    columns: tuple[tuple[int, int], ...]
    hidden_left: int
    hidden_right: int


def shown_columns(
    columns: Sequence[Column], widths: Sequence[int], available: int, offset: int, gap: int = 2
) -> Shown:
    """The columns to show in ``available`` cells, scrolled ``offset`` columns sideways.

    The frozen columns come first, then the others from ``offset`` on; each takes
    its natural width plus ``gap``.  When they do not fit, the shrinkable columns
    give up cells (the widest first, down to their ``shrink``); when that is not
    enough the last columns are left out whole.  At least one scrolled column is
    shown, whatever the width.
    """
    frozen = [i for i, c in enumerate(columns) if c.frozen]
    rest = [i for i, c in enumerate(columns) if not c.frozen]
    offset = max(0, min(offset, max(0, len(rest) - 1)))
    chosen = frozen + rest[offset:]

    def least(i: int) -> int:
        c = columns[i]
        return (min(c.shrink, widths[i]) if c.shrink else widths[i]) + gap

    while len(chosen) > len(frozen) + 1 and sum(least(i) for i in chosen) > available:
        chosen.pop()
    given = {i: widths[i] for i in chosen}
    excess = sum(w + gap for w in given.values()) - available
    while excess > 0:
        # Take from the widest shrinkable column still above its floor.
        able = [i for i in chosen if columns[i].shrink and given[i] > columns[i].shrink]
        if not able:
            break
        widest = max(able, key=lambda i: given[i])
        others = [given[i] for i in able if i != widest]
        step = min(excess, given[widest] - columns[widest].shrink,
                   max(1, given[widest] - max(others, default=0)))  # fmt: skip
        given[widest] -= step
        excess -= step
    ordered = sorted(chosen, key=lambda i: (i not in frozen, chosen.index(i)))
    shown_rest = [i for i in chosen if i not in frozen]
    right = len(rest) - offset - len(shown_rest)
    return Shown(tuple((i, given[i]) for i in ordered), offset, max(0, right))


_MISSING = {"", "–", "-", "—"}
_SPAN = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?")


def sort_key(cell: Text) -> tuple[int, float | str]:
    """How a cell sorts: ``(0, number)`` for figures, spans ("2h 5m") and percentages,
    ``(1, words)`` for words; ``(2, "")`` for an empty cell ("–"), which goes last.

    A dot ("·") stands for zero, as the Wilayah view shows it.
    """
    if isinstance(cell, Cell):
        value = cell.value
        return (0, value) if isinstance(value, int | float) else (1, value)
    text = cell.plain.strip().lstrip("●✖◐◑◆⚠◷▲△·? ").strip() or cell.plain.strip()
    if text == "·":
        return (0, 0.0)
    if text in _MISSING:
        return (2, "")
    span = _SPAN.match(text)
    if span and any(span.groups()):
        d, h, m, s = (int(x or 0) for x in span.groups())
        return (0, float(((d * 24 + h) * 60 + m) * 60 + s))
    number = _NUMBER.match(text)
    if number:
        return (0, float(number.group().replace(",", ".")))
    return (1, text.casefold())
