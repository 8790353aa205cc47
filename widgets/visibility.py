"""Which screens the terminal shows: the top one, and those under a see-through one (a dialog).

Textual treats the screen under the top one as showing through even when the
top is opaque: any repaint in it (a clock, a reloaded pane, the message that
asked for it) repaints the whole top screen, about a screen's worth of bytes
(6 KB at 80x24) over an SSH link. So nothing is drawn, and nothing is sent, to
a screen the operator cannot see; it catches up when it is on top again.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import Screen

__all__ = ["is_shown", "shown_screens"]


def shown_screens(app: App[Any]) -> list[Screen[Any]]:
    """The top screen and, below it, each screen that shows through the one above it."""
    stack = app.screen_stack
    if not stack:
        return []
    shown = [stack[-1]]
    for below in reversed(stack[:-1]):
        if shown[-1].styles.background.a >= 1:  # opaque: nothing under it is seen
            break
        shown.append(below)
    return shown


def is_shown(screen: Screen[Any]) -> bool:
    """Whether the terminal shows ``screen`` (see :func:`shown_screens`)."""
    return screen in shown_screens(screen.app)
