"""A meeting's minutes in the console: ``m`` shows them, ``w`` saves them, ``c`` closes
the meeting (after a confirmation), from the meeting's view or the minutes' own.

The page is the same document ``cc-console minutes`` prints, rendered from the same
record: a closed meeting's frozen one, else the record as of now. ``w`` writes it as
Markdown and as the A4 HTML page into the home folder (never over the cache or the
config: :func:`cc_console.outfile.write_output`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen

from cc_console import minutes as notulen
from cc_console.errors import CcConsoleError
from cc_console.models import Meeting
from cc_console.outfile import OutputRefused, write_output
from cc_console.screens.detail import DetailScreen
from cc_console.screens.dialogs import ConfirmPrompt
from cc_console.screens.followup_actions import said
from cc_console.text import clean_line
from widgets.bindings import bind_scopes
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = ["MinutesScreen", "close_meeting", "save_minutes", "shown_meeting"]


def shown_meeting(ctx: ConsoleContext, meeting_id: str) -> Meeting | None:
    """The meeting as the calendar says it now, else as its record keeps it."""
    return ctx.store.agenda.get(meeting_id) or ctx.store.followups.remembered(meeting_id)


def _record(ctx: ConsoleContext, meeting: Meeting) -> dict[str, Any]:
    return notulen.stored_record(ctx.store, meeting, ctx.config.site, ctx.now())


def save_minutes(screen: Screen[Any], ctx: ConsoleContext, meeting: Meeting | None) -> None:
    """Write the minutes as Markdown and HTML into the home folder; say where."""
    if meeting is None:
        return
    rec = _record(ctx, meeting)
    t = ctx.t
    stamp = meeting.start.astimezone(ctx.tz).strftime("%Y%m%d-%H%M")
    code = (ctx.config.site.code or "cc").replace(".", "")
    base = Path.home() / f"notulen-{code}-{stamp}"
    written = []
    for suffix, text in ((".md", notulen.markdown(rec, t)), (".html", notulen.html(rec, t))):
        path = base.with_suffix(suffix)
        try:
            written.append(str(write_output(path, text, ctx.config)))
        except OutputRefused as exc:
            # A file name with brackets is a name, not markup.
            message = t(f"save.{exc.reason}", path=str(path), detail=exc.detail)
            screen.notify(message, severity="error", markup=False)
            return
    screen.notify(t("notify.saved", path=", ".join(written)), markup=False)


def close_meeting(screen: Screen[Any], ctx: ConsoleContext, meeting: Meeting | None) -> None:
    """Ask, then close ``meeting``: its record is frozen and its hash journaled."""
    t = ctx.t
    if meeting is None:
        return
    if ctx.read_only:
        screen.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
        return
    if ctx.store.meetings.closure(meeting.id) is not None:
        screen.notify(t("refused.meeting_closed"), severity="warning")
        return

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        from cc_console.cli.followup import close_meeting as close

        try:
            closure = close(ctx.store, meeting, ctx.config.site)
        except CcConsoleError as exc:
            screen.notify(said(ctx, exc), severity="warning", markup=False)
            return
        screen.notify(t("done.meeting_close", id=meeting.id, hash=closure.hash[:16]), markup=False)
        screen.post_message(OperatorActed())

    question = t("prompt.close_meeting", title=clean_line(meeting.title, 60))
    screen.app.push_screen(ConfirmPrompt(question), answered)


class MinutesView:
    """The minutes of one meeting, as the printed document reads."""

    def __init__(self, meeting_id: str) -> None:
        self.meeting_id = meeting_id
        self.meeting: Meeting | None = None

    def render(self, ctx: ConsoleContext) -> tuple[Text, RenderableType]:
        m = self.meeting = shown_meeting(ctx, self.meeting_id)
        if m is None:
            return Text(self.meeting_id), Text(ctx.t("empty.agenda"))
        rec = _record(ctx, m)
        title = Text(f"{ctx.t('minutes.heading')} · ", style="bold")
        title.append(m.title)
        if rec["closed_at"]:
            title.append(f"  ({ctx.t('minutes.closed')})", style="green")
        return title, Markdown(notulen.markdown(rec, ctx.t))


class MinutesScreen(DetailScreen):
    """A meeting's minutes; w saves them, c closes the meeting."""

    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("minutes")
    scopes: ClassVar[tuple[str, ...]] = ("view", "minutes")

    def __init__(self, ctx: ConsoleContext, meeting_id: str) -> None:
        self.minutes_view = MinutesView(meeting_id)
        super().__init__(ctx, self.minutes_view)
        self.meeting_id = meeting_id

    def action_save_minutes(self) -> None:
        save_minutes(self, self.ctx, self.minutes_view.meeting)

    def action_close_meeting(self) -> None:
        close_meeting(self, self.ctx, self.minutes_view.meeting)
