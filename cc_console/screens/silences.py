"""Silences from the console: add one (from a message in ``N``, a source in ``f``) with a
preview of what it holds, expire one. The writes are the store's, the ones ``cc-console
silence add/expire`` make (journaled); a read-only console refuses before asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from cc_console.config_values import SILENCE
from cc_console.errors import CcConsoleError, ReadOnlyError
from cc_console.looks import outbox_words
from cc_console.screens.base import Dialog
from cc_console.screens.dialogs import ChoicePicker
from cc_console.silencing import (
    MatcherProblem,
    known_values,
    matchers_text,
    parse_matchers,
    unknown_value,
)
from cc_console.store.outbox import SILENCE_KEYS, Silence
from cc_console.text import clean_line
from cc_console.timefmt import local
from widgets.context import ConsoleContext
from widgets.messages import OperatorActed

__all__ = ["SilenceAsked", "SilenceDialog", "add_silence", "expire_silence", "silence_line"]

PREVIEW_HOURS = 24  # how far back the preview looks (as `silence add --dry-run`)
PREVIEW_COUNT = 100  # counted up to this many ("100+"): the preview runs as one types
PREVIEW_ROWS = 3  # and lists this many of them
DEFAULT_FOR = "2h"


@dataclass(frozen=True)
class SilenceAsked:
    """What the dialog asks the store to add."""

    matchers: dict[str, str]
    seconds: float
    reason: str


class SilenceDialog(Dialog[SilenceAsked | None]):
    """Matchers (prefilled), how long, why; under them, live, how many messages of the
    last day the silence would have held and the first few. Enter goes to the next field,
    and on the reason adds the silence; Esc cancels."""

    def __init__(
        self, ctx: ConsoleContext, matchers: dict[str, str], duration: str = DEFAULT_FOR
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.matchers = matchers
        self.duration = duration

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        with Vertical(id="silence-box"):
            yield Label(Text(t("silence.ask"), style="bold"))
            yield Label(t("silence.matchers_label", keys=", ".join(SILENCE_KEYS)))
            yield Input(matchers_text(self.matchers), id="silence-matchers")
            yield Label(t("silence.for_label"))
            yield Input(self.duration, id="silence-for")
            yield Label(t("silence.reason_label"))
            yield Input(id="silence-reason")
            yield Static(id="silence-preview")

    def on_mount(self) -> None:
        self.preview()
        # Matchers and duration come prefilled: what is left to type is why.
        self.query_one("#silence-matchers" if not self.matchers else "#silence-reason").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "silence-matchers":
            self.preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        following = {"silence-matchers": "#silence-for", "silence-for": "#silence-reason"}
        if event.input.id in following:
            self.query_one(following[event.input.id], Input).focus()
            return
        self.submit()

    def _matchers(self) -> dict[str, str] | str:
        """The typed matchers, or why they are refused (in the operator's language)."""
        t = self.ctx.t
        try:
            matchers = parse_matchers(self.query_one("#silence-matchers", Input).value)
        except MatcherProblem as exc:
            return t(f"silence.bad_{exc.code}", part=exc.part, keys=", ".join(SILENCE_KEYS))
        found = unknown_value(matchers, known_values(self.ctx.config, self.ctx.store))
        if found is not None:
            key, want, known = found
            return t("silence.never", name=key, value=want, known=", ".join(known) or "–")
        return matchers

    def preview(self) -> None:
        """How many messages of the last day these matchers hold, and the newest few."""
        t, ctx = self.ctx.t, self.ctx
        box = self.query_one("#silence-preview", Static)
        matchers = self._matchers()
        if isinstance(matchers, str):
            box.update(Text(f"✖ {matchers}", style="red"))
            return
        since = ctx.now() - timedelta(hours=PREVIEW_HOURS)
        rows = ctx.store.outbox.would_hold(matchers, since, limit=PREVIEW_COUNT + 1)
        n = f"{PREVIEW_COUNT}+" if len(rows) > PREVIEW_COUNT else str(len(rows))
        text = Text(t("silence.preview", n=n, hours=PREVIEW_HOURS), style="bold")
        for m in rows[:PREVIEW_ROWS]:
            _, event = outbox_words(m, t)
            text.append(f"\n  {local(m.created_at, ctx.tz, '%H:%M')} {event}: ", style="dim")
            text.append(clean_line(m.title, 60))
        box.update(text)

    def submit(self) -> None:
        t = self.ctx.t
        matchers = self._matchers()
        if isinstance(matchers, str):
            self.preview()
            self.query_one("#silence-matchers", Input).focus()
            return
        box = self.query_one("#silence-preview", Static)
        try:
            seconds = SILENCE(self.query_one("#silence-for", Input).value)
        except ValueError:
            box.update(Text(f"✖ {t('silence.bad_for')}", style="red"))
            self.query_one("#silence-for", Input).focus()
            return
        reason = self.query_one("#silence-reason", Input).value.strip()
        if not reason or not reason.isprintable():
            box.update(Text(f"✖ {t('silence.bad_reason')}", style="red"))
            self.query_one("#silence-reason", Input).focus()
            return
        self.dismiss(SilenceAsked(matchers, seconds, clean_line(reason, 200)))


def _writable(screen: Screen[Any], ctx: ConsoleContext) -> bool:
    """A read-only console changes nothing: it says so before asking anything."""
    if ctx.read_only:
        t = ctx.t
        screen.notify(t("refused.read_only"), title=t("badge.read_only"), severity="warning")
        return False
    return True


def add_silence(screen: Screen[Any], ctx: ConsoleContext, matchers: dict[str, str]) -> None:
    """Ask for a silence starting from ``matchers``; add it (journaled) when confirmed."""
    if not _writable(screen, ctx):
        return
    t = ctx.t

    def added(asked: SilenceAsked | None) -> None:
        if asked is None:
            return
        try:
            silence = ctx.store.outbox.silence(
                asked.matchers, asked.seconds, asked.reason, ctx.now()
            )
        except ReadOnlyError:
            screen.notify(t("refused.read_only"), severity="warning")
            return
        except CcConsoleError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        until = t.when(silence.ends_at, ctx.tz)
        screen.notify(t("silence.added", id=f"S-{silence.id}", until=until), markup=False)
        screen.post_message(OperatorActed())

    screen.app.push_screen(SilenceDialog(ctx, matchers), added)


def silence_line(s: Silence, ctx: ConsoleContext, hits: int) -> str:
    """``S-3 source=usgs → 18:00 · 12 ditahan: gempa luar wilayah (siti)``."""
    until = local(s.ends_at, ctx.tz)
    held = ctx.t("silence.hits", n=hits)
    return f"S-{s.id} {matchers_text(s.matchers)} → {until} · {held}: {s.reason} ({s.created_by})"


def expire_silence(screen: Screen[Any], ctx: ConsoleContext) -> None:
    """Pick an active silence and end it now (journaled)."""
    if not _writable(screen, ctx):
        return
    t, outbox = ctx.t, ctx.store.outbox
    active = outbox.silences(ctx.now(), active_only=True)
    if not active:
        screen.notify(t("silence.none_active"), severity="warning")
        return
    hits = outbox.hits()
    choices = [(str(s.id), silence_line(s, ctx, hits.get(s.id, 0))) for s in active]

    def chosen(key: str | None) -> None:
        if key is None:
            return
        try:
            outbox.expire(int(key), ctx.now())
        except ReadOnlyError:
            screen.notify(t("refused.read_only"), severity="warning")
            return
        except CcConsoleError as exc:  # ended meanwhile (another console, its time)
            screen.notify(str(exc), severity="warning", markup=False)
            return
        screen.notify(t("silence.expired", id=f"S-{key}"))
        screen.post_message(OperatorActed())

    screen.app.push_screen(ChoicePicker(t("silence.pick_expire"), choices), chosen)
