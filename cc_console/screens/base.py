"""What the screens over the main one share: the status and key lines, Esc to go back; dialogs."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen, Screen

from cc_console.actions import actions_in
from widgets.bindings import bind, bind_scopes
from widgets.context import ConsoleContext
from widgets.key_bar import KeyBar
from widgets.messages import ScreenShown
from widgets.status_bar import StatusBar

__all__ = ["Dialog", "SubScreen", "footer_actions"]

R = TypeVar("R")


def footer_actions(*scopes: str) -> list[str]:
    """The ids of the actions of ``scopes`` that the key line offers, in table order."""
    return [a.id for a in actions_in(*scopes) if a.footer]


class SubScreen(Screen[None]):
    """A full screen opened from the main one; subclasses compose their body after ours.

    ``scopes`` names the actions bound here (see :mod:`cc_console.actions`);
    the key line and the command palette offer those.
    """

    # q closes this view (quitting is from the main screen only, as in k9s or mutt).
    BINDINGS: ClassVar[list[BindingType]] = [*bind_scopes("view"), *bind("quit", target="back")]
    scopes: ClassVar[tuple[str, ...]] = ("view",)

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        yield StatusBar(self.ctx)
        yield KeyBar(self.ctx.t, self.ctx.keys, footer_actions(*self.scopes))

    def on_screen_resume(self) -> None:
        self.post_message(ScreenShown(self))  # the app brings it up to date

    def action_back(self) -> None:
        self.dismiss()


class Dialog(ModalScreen[R]):
    """A box over the screen (styled in ``console.tcss``); Esc cancels with None."""

    BINDINGS: ClassVar[list[BindingType]] = bind("back", target="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)
