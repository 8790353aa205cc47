"""What every screen over the main one shares: the status line, the key line, Esc to go back."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from widgets.context import ConsoleContext
from widgets.key_bar import KeyBar
from widgets.status_bar import StatusBar

__all__ = ["SubScreen"]


class SubScreen(Screen[None]):
    """A full screen opened from the main one; subclasses compose their ``body``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", show=False)]
    key_actions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str]) -> None:
        super().__init__()
        self.ctx = ctx
        self.keys = keys

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        yield from self.body()
        yield KeyBar(self.ctx.t, {**self.keys, "back": "escape"}, (*self.key_actions, "back"))

    def body(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError
