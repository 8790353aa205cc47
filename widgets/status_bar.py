"""The top line: site, clock in the site zone, feed health, READ-ONLY and PAUSED badges.

Feed health tells apart "a source failed" (some feeds failing: named count)
from "everything failed" (all feeds failing: our own uplink is the likely
cause), instead of painting everything red.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from cc_console.i18n import Translator
from cc_console.models import SourceHealth
from cc_console.timefmt import age
from widgets.context import ConsoleContext

__all__ = ["StatusBar", "health_text", "poller_silence"]


def health_text(health: Sequence[SourceHealth], now: datetime, t: Translator) -> Text:
    """The feed-health summary of the top line."""
    if not health:
        return Text(t("health.none"), style="dim")
    failing = [h for h in health if h.consecutive_failures and h.last_error]
    stale = [h for h in health if h.stale]
    ok = len(health) - len(failing)
    if failing and len(failing) == len(health):
        return Text(f"✖ {t('health.all_failed')}", style="bold reverse red")
    silent = poller_silence(health, now)
    if silent is not None:
        return Text(f"⚠ {t('health.no_poller', age=silent)}", style="bold reverse yellow")
    if failing:
        text = Text(
            f"⚠ {t('health.failed', ok=ok, total=len(health), failed=len(failing))}",
            style="bold yellow",
        )
    else:
        text = Text(f"✓ {t('health.ok', ok=ok, total=len(health))}", style="green")
    oldest = min((h.last_success for h in health if h.last_success), default=None)
    if oldest is not None:
        text.append(f" · {t('health.oldest', age=age(oldest, now))}", style="dim")
    if stale:
        text.append(f" · {t('health.stale')} {len(stale)}", style="bold red")
    insecure = [h.name for h in health if h.insecure]
    if insecure:
        text.append(
            f" · ⚠ {t('health.insecure', names=', '.join(insecure))}", style="bold reverse red"
        )
    return text


POLLER_GRACE = timedelta(minutes=2)


def poller_silence(health: Sequence[SourceHealth], now: datetime) -> str | None:
    """How long no poller has written, when every source's next poll is overdue; else None.

    A watcher (``--read-only``, fed by ``cc-console poll``) would otherwise
    stay green after the daemon died: nothing it reads would change.
    """
    due = [h.next_attempt for h in health if h.next_attempt is not None]
    if not due or len(due) < len(health) or max(due) > now - POLLER_GRACE:
        return None
    last = max((h.last_attempt for h in health if h.last_attempt), default=None)
    return age(last, now)


class StatusBar(Static):
    """Redrawn only when one of its parts changes (the clock shows minutes)."""

    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $primary-background; color: $text; }
    """

    clock_text: reactive[str] = reactive("")
    health: reactive[tuple[SourceHealth, ...]] = reactive(())
    paused: reactive[bool] = reactive(False)

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(id="status-bar")
        self.ctx = ctx

    @dataclass
    class Mounted(Message):
        """A status line appeared (on a new screen): whoever holds the health fills it in."""

        bar: StatusBar

    def on_mount(self) -> None:
        self.post_message(self.Mounted(self))
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        now = self.ctx.now().astimezone(self.ctx.tz)
        self.clock_text = f"{now:%d-%m-%Y %H:%M} {now.tzname() or ''}".strip()

    def watch_clock_text(self) -> None:
        self._redraw()

    def watch_health(self) -> None:
        self._redraw()

    def watch_paused(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        t = self.ctx.t
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {self.ctx.config.site.name} ", style="bold")
        line.append("│ ")
        line.append(self.clock_text)
        line.append(" │ ")
        line.append_text(health_text(self.health, self.ctx.now(), t))
        if self.ctx.read_only:
            line.append(" ")
            line.append(f" {t('badge.read_only')} ", style="bold reverse")
        if self.paused:
            line.append(" ")
            line.append(f" {t('badge.paused')} ", style="bold reverse yellow")
        self.update(line)
