"""Messages between the console's parts: children post, parents handle."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.screen import Screen

__all__ = ["OperatorActed", "ScreenShown", "SiteChosen", "StoreChanged"]


class StoreChanged(Message, bubble=False):
    """The cache has new data: re-read what is shown (the app sends it to each screen the
    terminal shows; a hidden one gets it when it is on top again)."""


class OperatorActed(Message):
    """An operator's action was written to the cache (a screen tells the app)."""


class SiteChosen(Message):
    """The Wilayah view chose a site (``ConsoleContext.site``): the panes show only it."""


class ScreenShown(Message):
    """``screen`` is on top again (a view or dialog over it closed): the app brings what it
    shows up to date, which it does not do while the screen is hidden (see
    :mod:`widgets.visibility`)."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.screen = screen
