"""Messages between the console's parts: children post, parents handle."""

from __future__ import annotations

from textual.message import Message

__all__ = ["OperatorActed", "SiteChosen", "StoreChanged"]


class StoreChanged(Message, bubble=False):
    """The cache has new data: re-read what is shown (the app sends it to each screen)."""


class OperatorActed(Message):
    """An operator's action was written to the cache (a screen tells the app)."""


class SiteChosen(Message):
    """The Wilayah view chose a site (``ConsoleContext.site``): the panes show only it."""
