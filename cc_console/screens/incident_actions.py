"""Acknowledge, note, assign, resolve: the prompt and the journaled write, on any screen
with an incident at hand (the main screen and the incident view bind them)."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from cc_console.errors import CcConsoleError, ReadOnlyError
from cc_console.models import Incident
from cc_console.screens.dialogs import AgencyPicker, NotePrompt
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = ["act_on"]


def act_on(
    screen: Screen[Any], ctx: ConsoleContext, action: str, incident: Incident | None
) -> None:
    """Ask for what ``action`` needs, then journal it; the screen tells the app it wrote."""
    t = ctx.t
    if incident is None:
        screen.notify(t("refused.no_selection"), severity="warning")
        return
    if ctx.read_only:
        screen.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
        return

    def write(note: str | None = None, agency: str | None = None) -> None:
        try:
            entry = ctx.store.journal.act(action, incident.id, note=note, agency=agency)
        except ReadOnlyError:
            screen.notify(t("refused.read_only"), severity="warning")
            return
        except CcConsoleError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(t(f"done.{action}", id=entry.target, agency=agency or ""))
        screen.post_message(OperatorActed())

    if action == "assign":

        def assign(agency: str | None) -> None:
            if agency:
                write(agency=agency)

        agencies = ctx.store.agencies.listing()
        screen.app.push_screen(AgencyPicker(t("prompt.assign", id=incident.id), agencies), assign)
        return

    def noted(note: str | None) -> None:
        if note is None:
            return
        if action == "note" and not note:
            screen.notify(t("refused.empty_note"), severity="warning")
            return
        write(note=note or None)

    screen.app.push_screen(NotePrompt(t(f"prompt.{action}", id=incident.id)), noted)
