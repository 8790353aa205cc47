"""Fitting text into columns by terminal cells, not characters (CJK and emoji take two)."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

__all__ = ["fit"]


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded (on the left if ``right``) or cut with "…" to exactly ``width`` cells."""
    if width <= 0:
        return ""
    cells = cell_len(text)
    if cells <= width:
        return " " * (width - cells) + text if right else set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
