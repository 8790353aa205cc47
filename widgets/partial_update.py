"""A partial repaint writes the cells that changed, from the segment they start in.

Textual repaints a region of a line by writing its widget's part of the line
from the widget's left edge to the end of the region ("TODO: crop to x
extents" in its own code). A countdown at the right of an incident row
("⚠ late 1h 12m" -> "13m") then costs the row: over SSH, a busy pane of
countdowns and ages costs a screen a minute. Textual's Rich rendering of the
same update (``ChopsUpdate.__rich_console__``) already starts at the segment
that holds the region's first cell; :class:`SegmentCroppedChops` makes the
raw rendering the console writes (``render_segments``) do the same. A segment
is a run of one style, so a wide character is never cut.

:func:`install` swaps it in for Textual's own, only where Textual's is the
shape this was written against; otherwise Textual's stays (correct, dearer).
"""

from __future__ import annotations

import inspect

from rich.console import Console
from rich.control import Control

__all__ = ["SegmentCroppedChops", "install"]

try:  # Textual's internals: checked before use (see install)
    from textual import _compositor
    from textual._compositor import ChopsUpdate
except ImportError:  # pragma: no cover - a Textual without them keeps its own
    _compositor = None  # type: ignore[assignment]
    ChopsUpdate = object  # type: ignore[assignment,misc]


class SegmentCroppedChops(ChopsUpdate):
    """Textual's partial update, each run written from the segment its change starts in."""

    def render_segments(self, console: Console) -> str:
        """The update as terminal data (as Textual's, with the start cropped too)."""
        sequences: list[str] = []
        append = sequences.append
        move_to = Control.move_to
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                if x < x1:
                    # Skip the whole segments before the change (never part of one).
                    skip = 0
                    for segment in strip:
                        if x + skip + segment.cell_length > x1:
                            break
                        skip += segment.cell_length
                    strip, x = strip.crop(skip), x + skip
                strip = strip.crop(0, min(end, x2) - x)
                append(move_to(x, y).segment.text)
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


def install() -> bool:
    """Use :class:`SegmentCroppedChops` for Textual's partial updates; whether it is in use.

    Only where Textual builds its partial updates as this module expects (a
    ``ChopsUpdate(chops, spans, chop_ends)`` with ``render_segments``).
    """
    if _compositor is None or getattr(_compositor, "ChopsUpdate", None) is SegmentCroppedChops:
        return _compositor is not None
    try:
        params = list(inspect.signature(ChopsUpdate.__init__).parameters)
    except (TypeError, ValueError):  # pragma: no cover
        return False
    if params != ["self", "chops", "spans", "chop_ends"] or not hasattr(
        ChopsUpdate, "render_segments"
    ):
        return False  # pragma: no cover - another Textual: its own rendering stays
    _compositor.ChopsUpdate = SegmentCroppedChops  # type: ignore[misc]
    return True
