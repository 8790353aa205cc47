"""The top line: badges, active incidents by severity, feed health, clock, site, by priority.

Feed health tells apart "a source failed" (some feeds failing: named count)
from "everything failed" (all feeds failing: our own uplink is the likely
cause), instead of painting everything red.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from cc_console.i18n import Translator
from cc_console.looks import SEVERITY_LOOK
from cc_console.models import SEVERITIES, SourceHealth
from cc_console.store.outbox import shown_count
from cc_console.timefmt import age
from widgets.cells import Painted, changed_cells, painted
from widgets.context import ConsoleContext
from widgets.visibility import is_shown

__all__ = ["StatusBar", "active_text", "health_text", "poller_silence"]


def health_text(
    health: Sequence[SourceHealth], now: datetime, t: Translator, *, detail: bool = True
) -> Text:
    """The feed-health summary of the top line (``detail``: with the oldest data's age)."""
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
    oldest = oldest_text(health, now, t) if detail else None
    if oldest:
        text.append(f" · {oldest}", style="dim")
    if stale:
        text.append(f" · {t('health.stale')} {len(stale)}", style="bold red")
    insecure = [h.name for h in health if h.insecure]
    if insecure:
        text.append(
            f" · ⚠ {t('health.insecure', names=', '.join(insecure))}", style="bold reverse red"
        )
    return text


POLLER_GRACE = timedelta(minutes=2)


def oldest_text(health: Sequence[SourceHealth], now: datetime, t: Translator) -> str | None:
    """``data tertua 5m``: the age of the oldest data among the feeds, or None."""
    oldest = min((h.data_time for h in health if h.data_time), default=None)
    return None if oldest is None else t("health.oldest", age=age(oldest, now))


def active_text(counts: dict[str, int], t: Translator, *, word: bool = True) -> Text:
    """``aktif ▲▲2 ▲5 ■12 ·20``: active incidents by severity, worst first (``?`` has the legend)."""
    text = Text(f"{t('status.active')} " if word else "", style="bold")
    shown = [s for s in SEVERITIES if counts.get(s)]
    if not shown:
        text.append("0")
    for i, severity in enumerate(shown):
        symbol, style = SEVERITY_LOOK[severity]
        if i:
            text.append(" ")
        text.append(f"{symbol.strip()}{counts[severity]}", style=style)
    return text


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


class StatusBar(Widget):
    """Redrawn only when one of its parts changes (the clock shows minutes), and then only
    the cells that changed (the clock's, not the line's: over SSH the line is 700 bytes
    at 200 columns)."""

    DEFAULT_CSS = """
    StatusBar { dock: top; height: 1; background: $primary-background; color: $text; }
    """

    # Each part redraws the line in its watcher, which repaints the cells that
    # changed: no repaint of the whole line by the reactive itself.
    clock_text: reactive[str] = reactive("", repaint=False)
    health: reactive[tuple[SourceHealth, ...]] = reactive((), repaint=False)
    # None: live; a number: paused, with how many incidents arrived since
    paused: reactive[int | None] = reactive(None, repaint=False)
    counts: reactive[dict[str, int] | None] = reactive(None, repaint=False)
    # (active silences, notifications that failed to go out)
    notices: reactive[tuple[int, int]] = reactive((0, 0), repaint=False)

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(id="status-bar")
        self.ctx = ctx
        self._line = Text()
        self._painted: Painted | None = None

    def render(self) -> Text:
        return self._line

    @dataclass
    class Mounted(Message):
        """A status line appeared (on a new screen): whoever holds the health fills it in."""

        bar: StatusBar

    def on_mount(self) -> None:
        fill = getattr(self.app, "fill_status", None)
        if callable(fill):  # at once: a new view's first frame must not say "no feeds yet"
            fill(self)
        else:
            self.post_message(self.Mounted(self))
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        if not is_shown(self.screen):  # a hidden screen's clock would repaint the one on top
            return
        now = self.ctx.now().astimezone(self.ctx.tz)
        self.clock_text = f"{now:%d-%m-%Y %H:%M} {now.tzname() or ''}".strip()

    def watch_clock_text(self) -> None:
        self._redraw()

    def watch_health(self) -> None:
        self._redraw()

    def watch_paused(self) -> None:
        self._redraw()

    def watch_counts(self) -> None:
        self._redraw()

    def watch_notices(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        """The parts by priority: what does not fit goes, the least needed first.

        Badges, the active incidents by severity and the feeds' state always
        fit at 80 columns; then the time, the feeds' detail, the date, the site.
        """
        t = self.ctx.t
        now = self.ctx.now()
        # (priority, text, compact text): compact forms are used before anything
        # of priority 0 or 1 is dropped.
        parts: list[tuple[int, Text, Text]] = []

        def add(priority: int, text: Text, compact: Text | None = None) -> None:
            parts.append((priority, text, compact or text))

        if self.ctx.read_only:
            badge = t("badge.read_only")
            add(0, Text(f" {badge} ", style="bold reverse"), Text(badge, style="bold reverse"))
        if self.paused is not None:
            badge = t("badge.paused")
            since = t("top.paused_new", n=shown_count(self.paused, 100)) if self.paused else ""
            style = "bold reverse yellow"
            add(0, Text(f" {badge}{since} ", style=style), Text(f"{badge}{since}", style=style))
        silences, failed = self.notices
        if failed:
            style = "bold red"
            n = shown_count(failed)
            add(0, Text(t("top.failed", n=n), style=style), Text(f"✉✖{n}", style=style))
        if self.counts is not None:
            add(1, active_text(self.counts, t), active_text(self.counts, t, word=False))
        if silences:
            add(1, Text(t("top.silences", n=silences), style="yellow"), Text(f"◌{silences}"))
        # The feeds' headline always; its advice ("— check our own network link")
        # and the oldest data's age where there is room.
        core = health_text(self.health, now, t, detail=False)
        headline, _, advice = core.plain.partition(" — ")
        add(1, core[: len(headline)])
        date, _, clock = self.clock_text.partition(" ")
        add(2, Text(clock))
        oldest = oldest_text(self.health, now, t) if self.health else None
        detail = " · ".join(x for x in (advice, oldest) if x)
        if detail:
            add(3, Text(detail, style="dim"))
        add(4, Text(date))
        add(5, Text(self.ctx.config.site.name, style="bold"))
        width = self.size.width or 80
        sep = " │ "

        def cells(compact: bool) -> int:
            texts = [c if compact and p <= 1 else f for p, f, c in parts]
            return sum(x.cell_len for x in texts) + len(sep) * (len(parts) - 1) + 1

        while len(parts) > 1 and cells(False) > width and max(p for p, _, _ in parts) > 1:
            del parts[max(range(len(parts)), key=lambda i: (parts[i][0], i))]
        compact = cells(False) > width
        while len(parts) > 1 and cells(compact) > width:
            del parts[max(range(len(parts)), key=lambda i: (parts[i][0], i))]
        line = Text(" ", no_wrap=True, overflow="ellipsis")
        for i, (priority, text, short) in enumerate(parts):
            if i:
                line.append(sep, style="dim")
            line.append_text(short if compact and priority <= 1 else text)
        self._line = line
        now_painted = painted(line, self.app.console)
        before, self._painted = self._painted, now_painted
        if before is None:
            self.refresh()
            return
        span = changed_cells(before, now_painted)
        if span is not None:  # one line, its size never changes: no relayout
            self.refresh(Region(span[0], 0, span[1] - span[0], 1))
