"""Fitting text into columns by terminal cells, not characters (CJK and emoji take two);
which cells of a line changed (a repaint of those only)."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.style import Style
from rich.text import Text

__all__ = ["Painted", "changed_cells", "fit", "painted"]


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded (on the left if ``right``) or cut with "…" to exactly ``width`` cells."""
    if width <= 0:
        return ""
    cells = cell_len(text)
    if cells <= width:
        return " " * (width - cells) + text if right else set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


Painted = tuple[tuple[str, Style | None], ...]
"""A line as painted: its (text, style) segments."""


def changed_cells(old: Painted, new: Painted) -> tuple[int, int] | None:
    """The cells ``[start, end)`` outside which ``old`` and ``new`` look the same, or None.

    Compared character by character, style included (a row turning dim is a
    change). A common tail counts only where the two take the same cells: a
    line that grew or shrank ("0s" -> "19s") moved everything after the
    change, so the span then runs to the end of the longer one.
    """
    a = [(ch, style) for text, style in old for ch in text]
    b = [(ch, style) for text, style in new for ch in text]
    if a == b:
        return None

    def cells(chars: list[tuple[str, Style | None]]) -> int:
        return cell_len("".join(ch for ch, _ in chars))

    first = 0
    while first < min(len(a), len(b)) and a[first] == b[first]:
        first += 1
    end_a, end_b = len(a), len(b)
    if cells(a) == cells(b):
        while end_a > first and end_b > first and a[end_a - 1] == b[end_b - 1]:
            end_a, end_b = end_a - 1, end_b - 1
    return cells(b[:first]), max(cells(a[:end_a]), cells(b[:end_b]))


def painted(text: Text, console: Console) -> Painted:
    """``text`` as the (text, style) segments it paints, to compare with :func:`changed_cells`."""
    return tuple((seg.text, seg.style) for seg in text.render(console, end=""))
