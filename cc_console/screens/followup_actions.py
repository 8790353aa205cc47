"""Recording decisions and action items from the console: the prompts and the writes.

``d`` (a meeting's decision), ``t`` (an action item of a meeting or an
incident: text, owner picked by typing, due date re-asked until it reads),
``x`` (an item done, with an optional note). Read-only consoles say why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.screen import Screen

from cc_console.errors import CcConsoleError, RefusedError
from cc_console.models import Meeting
from cc_console.screens.dialogs import AgencyPicker, ConfirmPrompt, NotePrompt
from cc_console.store import ActionItem
from cc_console.text import clean_line
from cc_console.timefmt import WhenError, parse_when
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = ["add_item", "decide", "item_done", "said"]


def _refused(screen: Screen[Any], ctx: ConsoleContext) -> bool:
    if ctx.read_only:
        t = ctx.t
        screen.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
        return True
    return False


def said(ctx: ConsoleContext, exc: CcConsoleError) -> str:
    """A refused write in the console's language where it has words for it."""
    if isinstance(exc, RefusedError) and exc.reason == "meeting_closed":
        return ctx.t("refused.meeting_closed")
    return ctx.t.error(exc, ctx.tz)


def _done(screen: Screen[Any], message: str) -> None:
    screen.notify(message)
    screen.post_message(OperatorActed())


def decide(screen: Screen[Any], ctx: ConsoleContext, meeting: Meeting | None) -> None:
    """Ask for a decision of ``meeting`` and record it."""
    if meeting is None or _refused(screen, ctx):
        return
    t = ctx.t

    def record(text: str | None) -> None:
        if not text:
            return
        try:
            decision = ctx.store.followups.decide(meeting, text)
        except CcConsoleError as exc:
            screen.notify(said(ctx, exc), severity="error", markup=False)
            return
        _done(screen, t("done.decide", id=decision.id))

    title = clean_line(meeting.title, 60)
    screen.app.push_screen(NotePrompt(t("prompt.decide", title=title)), record)


def add_item(
    screen: Screen[Any],
    ctx: ConsoleContext,
    *,
    meeting: Meeting | None = None,
    incident_id: str | None = None,
    title: str = "",
) -> None:
    """Text, then owner, then due: a new action item of a meeting or an incident."""
    if _refused(screen, ctx):
        return
    t = ctx.t
    named = clean_line(title, 60)

    def with_text(text: str | None) -> None:
        if not text:
            return

        def with_owner(owner: str | None) -> None:
            if owner:
                ask_due(text, owner)

        screen.app.push_screen(
            AgencyPicker(t("prompt.item_owner"), ctx.store.agencies.listing()), with_owner
        )

    def ask_due(text: str, owner: str) -> None:
        def with_due(value: str | None) -> None:
            if value is None:  # Esc: said, so the typed task is not lost unawares
                screen.notify(t("refused.item_cancelled"), severity="warning", markup=False)
                return
            if not value:  # Enter on an empty field: the placeholder is only an example
                screen.notify(t("refused.item_due_empty"), severity="error", markup=False)
                ask_due(text, owner)
                return
            now = ctx.now()
            try:
                due = parse_when(value, ctx.tz, now)
            except WhenError as exc:
                screen.notify(t(f"when.{exc.reason}", **exc.facts), severity="error", markup=False)
                ask_due(text, owner)  # a bad date is asked again, not lost
                return
            if due >= now:
                record(text, owner, due)
                return

            def past_ok(yes: bool | None) -> None:
                if yes:
                    record(text, owner, due)
                else:
                    ask_due(text, owner)

            question = t("prompt.past_due", when=t.when(due, ctx.tz))
            screen.app.push_screen(ConfirmPrompt(question), past_ok)

        screen.app.push_screen(
            NotePrompt(t("prompt.item_due"), placeholder=t("prompt.item_due_hint")), with_due
        )

    def record(text: str, owner: str, due: datetime) -> None:
        try:
            item = ctx.store.followups.add(
                text, owner, due, meeting=meeting, incident_id=incident_id
            )
        except CcConsoleError as exc:
            screen.notify(said(ctx, exc), severity="error", markup=False)
            return
        _done(screen, t("done.action_add", id=item.id, owner=owner))

    screen.app.push_screen(NotePrompt(t("prompt.item_text", title=named)), with_text)


def item_done(screen: Screen[Any], ctx: ConsoleContext, item: ActionItem | None) -> None:
    """Confirm, then mark ``item`` done with an optional note."""
    t = ctx.t
    if item is None:
        screen.notify(t("refused.no_item"), severity="warning")
        return
    if _refused(screen, ctx):
        return

    def close(note: str | None) -> None:
        if note is None:
            return
        try:
            ctx.store.followups.close(item.id, "done", note or None)
        except CcConsoleError as exc:
            screen.notify(said(ctx, exc), severity="warning")
            return
        _done(screen, t("done.action_done", id=item.id))

    prompt = t("prompt.item_done", id=item.id, title=clean_line(item.text, 60))
    screen.app.push_screen(NotePrompt(prompt), close)
