"""Acknowledge, note (private or public), assign, resolve, reopen: the prompt and the journaled write, on any
screen with an incident at hand (the main screen and the incident view bind them).

An action that does not apply to the incident as it stands is refused with the
reason before anything is asked; the prompts name the incident's title.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from cc_console.errors import CcConsoleError, ReadOnlyError, RefusedError
from cc_console.i18n import Translator
from cc_console.models import Incident
from cc_console.screens.dialogs import AgencyPicker, NotePrompt
from cc_console.store.journal import why_not
from cc_console.text import clean_line
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = ["act_on", "refused"]


def may_change(
    screen: Screen[Any], ctx: ConsoleContext, incident: Incident | None
) -> Incident | None:
    """``incident`` if an operator action on it may go ahead; otherwise None, and the
    screen says why (nothing selected, or a read-only console)."""
    if incident is None:
        screen.notify(ctx.t("refused.no_selection"), severity="warning")
        return None
    if ctx.read_only:
        t = ctx.t
        screen.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
        return None
    return incident


def act_on(
    screen: Screen[Any], ctx: ConsoleContext, action: str, incident: Incident | None
) -> None:
    """Ask for what ``action`` needs, then journal it; the screen tells the app it wrote."""
    t = ctx.t
    incident = may_change(screen, ctx, incident)
    if incident is None:
        return
    refusal = why_not(action, incident.status)
    if refusal is not None:  # say why before asking for anything
        screen.notify(refused(t, refusal[0], incident), severity="warning")
        return
    named = {"id": incident.id, "title": clean_line(incident.title, 60)}

    def write(note: str | None = None, agency: str | None = None) -> None:
        try:
            entry = ctx.store.journal.act(action, incident.id, note=note, agency=agency)
        except ReadOnlyError:
            screen.notify(t("refused.read_only"), severity="warning")
            return
        except RefusedError as exc:  # another console acted first
            screen.notify(
                refused(t, exc.reason, incident, str(exc.facts.get("status", ""))),
                severity="warning",
            )
            return
        except CcConsoleError as exc:
            screen.notify(ctx.t.error(exc, ctx.tz), severity="error")
            return
        screen.notify(t(f"done.{action}", id=entry.target, agency=agency or ""))
        screen.post_message(OperatorActed())

    if action == "assign":

        def assign(agency: str | None) -> None:
            if agency:
                write(agency=agency)

        agencies = ctx.store.agencies.listing()
        screen.app.push_screen(AgencyPicker(t("prompt.assign", **named), agencies), assign)
        return

    def noted(note: str | None) -> None:
        if note is None:
            return
        if action in ("note", "note.public") and not note:
            screen.notify(t("refused.empty_note"), severity="warning")
            return
        write(note=note or None)

    screen.app.push_screen(NotePrompt(t(f"prompt.{action}", **named)), noted)


def refused(t: Translator, reason: str, incident: Incident, status: str | None = None) -> str:
    """Why an action does not apply, in the operator's language, naming the incident."""
    return t(
        f"refused.{reason}",
        title=clean_line(incident.title, 60),
        status=t.word("status", status or incident.status),
    )
