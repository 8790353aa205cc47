"""The Textual console: an operator's whole shift on the keyboard.

The app reads the store and never the network.  Pollers run as workers (one
group per source, the next poll scheduled when the last one finishes) and write
through their own connection; the UI notices new data through SQLite's
``PRAGMA data_version``, which also catches a ``cc-console poll`` running in
another process for several SSH operators.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.align import Align
from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets.option_list import Option

from cc_console.actions import ACTIONS
from cc_console.config import Config
from cc_console.i18n import Translator
from cc_console.models import SourceHealth
from cc_console.poll import Refresher, SourceOutcome
from cc_console.poll.scheduler import run_pollers
from cc_console.screens import (
    HealthScreen,
    HelpScreen,
    JournalScreen,
    KinerjaScreen,
    MainScreen,
    NotificationsScreen,
    SitesScreen,
)
from cc_console.screens.base import SubScreen
from cc_console.screens.detail import IncidentDetailScreen
from cc_console.store import Alarm, Store
from cc_console.store.outbox import WAITING_BOUND
from cc_console.timefmt import utcnow
from cc_console.watchdog import GRACE_S, TerminalWatch, Watchdog
from widgets import partial_update
from widgets.alarm_line import AlarmLine
from widgets.bindings import bind_scopes
from widgets.context import ConsoleContext
from widgets.key_bar import key_label
from widgets.messages import OperatorActed, ScreenShown, SiteChosen, StoreChanged
from widgets.status_bar import StatusBar
from widgets.visibility import shown_screens

if TYPE_CHECKING:
    from cc_console.cli.state import State

__all__ = ["CcConsoleApp", "run_console"]


NARROW = 100  # below this many columns a toast is one line over the key line
TOASTS_KEPT = 50  # the toasts the m view lists

COUNTS_AFTER = 0.5  # seconds after start before the first count of active incidents
COUNTS_EVERY = 5.0  # and at most this often after


class ActionCommands(Provider):
    """The palette's commands: our actions, found by words of either language.

    Only the operator's language is shown; the other language's label is
    searched too, unseen ("resolve" finds Selesaikan).
    """

    async def discover(self) -> Hits:
        for title, _other, callback in self._commands():
            yield DiscoveryHit(title, callback)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, other, callback in self._commands():
            score = max(matcher.match(title), matcher.match(other))
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback)

    def _commands(self) -> Iterable[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, CcConsoleApp)
        return app.palette_commands(self.screen)


class Palette(CommandPalette):
    """Textual's command palette with its own words in the operator's language."""

    def __init__(self, t: Translator) -> None:
        super().__init__(placeholder=t("palette.placeholder"), id="--command-palette")
        self.nothing = t("palette.nothing")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual writes "No matches found" in English in this method; it is said
        # here in the operator's language (same countdown, same option id).
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(self.nothing, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class RowJumps(Provider):
    """The palette's jump: typing a row's name ("Kota Sukabumi") goes to that row of the
    list in view (a table view, or the focused pane of the main screen)."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        targets = getattr(screen, "jump_targets", None)
        if targets is None or not query.strip():
            return
        t = self.app.ctx.t  # type: ignore[attr-defined]
        matcher = self.matcher(query)
        for name, key in targets():
            score = matcher.match(name)
            if score > 0:
                label = t("jump.to", name=name)
                yield Hit(score, matcher.highlight(label), _jumper(screen, key), text=label,
                          help=t("jump.help"))  # fmt: skip


def _jumper(screen: Screen[Any], key: str) -> Callable[[], None]:
    def jump() -> None:
        screen.jump_to(key)  # type: ignore[attr-defined]

    return jump


class CcConsoleApp(App[None]):
    """cc-console's operator console: what is global (lists, pause, refresh, quit) and the pollers.

    Pane and incident actions are bound on the screens that own them.
    """

    TITLE = "cc-console"
    CSS_PATH = "console.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        ActionCommands,
        RowJumps,
    }
    BINDINGS: ClassVar[list[BindingType]] = bind_scopes("app")
    HEALTH_EVERY: ClassVar[float] = 15.0  # seconds between health checks without new data

    @dataclass
    class SourcePolled(Message):
        """A poller finished one poll of one source."""

        outcome: SourceOutcome

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        lang: str = "id",
        read_only: bool = False,
        clock: Callable[[], datetime] = utcnow,
        live: bool = True,
        poll_store: Store | None = None,
    ) -> None:
        super().__init__()
        partial_update.install()  # over SSH a countdown's repaint costs its cells, not its row
        self.ctx = ConsoleContext(config, store, Translator(lang), clock, read_only)
        self.live = live
        self.paused = False
        self._paused_at_seq: int | None = None
        self.poll_store = poll_store
        self._stop_polling = asyncio.Event()
        self._troubles: set[str] = set()
        self._wake: dict[str, asyncio.Event] = {}
        self._data_version = -1
        self.health: tuple[SourceHealth, ...] = ()
        self.notices: tuple[int, int] = (0, 0)
        self.alarm: Alarm | None = None
        self.counts: dict[str, int] | None = None
        self._counts_store: Store | None = None
        self._counts_stale = True  # data changed since the top line's counts were read
        self._alarm_seen: frozenset[tuple[str, int]] = frozenset()
        # Screens hidden when the cache changed: they re-read it when on top again.
        self._behind: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        # Every toast shown, newest last: one missed while looking away is in m.
        self.toasts: deque[Toast] = deque(maxlen=TOASTS_KEPT)
        self._toasts_seen = 0

    @property
    def keys(self) -> dict[str, str]:
        """Every action's key(s), as configured (shared with every screen)."""
        return self.ctx.keys

    # -- toasts ---------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast and keep it for the m view. On a narrow terminal a toast is one
        line over the key line (the title leads its text), so it hides no part of a view."""
        plain = Text.from_markup(message).plain if markup else message
        self._toasts_seen += 1
        self.toasts.append(Toast(self._toasts_seen, self.ctx.now(), severity, title, plain))
        if title and self.size.width < NARROW:
            message = f"{escape(title) if markup else title}: {message}"
            title = ""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def action_toasts(self) -> None:
        from cc_console.screens.toasts import ToastsScreen

        if not isinstance(self.screen, ToastsScreen):
            self.push_screen(ToastsScreen(self.ctx))

    # -- lifecycle ------------------------------------------------------------

    def on_mount(self) -> None:
        self.set_keymap({f"cc.{action}": key for action, key in self.keys.items()})
        self.main = MainScreen(self.ctx)
        self.push_screen(self.main)
        self._data_version = self.ctx.store.db.data_version()
        self.update_health()
        self.update_alarm()
        # After the first frame: on a million active incidents the count takes a
        # moment, and the panes come first; then at most every COUNTS_EVERY seconds.
        self.set_timer(COUNTS_AFTER, self._count_if_stale)
        self.set_interval(COUNTS_EVERY, self._count_if_stale)
        if self.live:
            # Twice a second: an acknowledgement in another console clears the alarm here.
            self.set_interval(0.5, self.check_store)
            # Staleness moves with the clock, not only with new data (a watcher
            # whose poller died must not stay green).
            self.set_interval(self.HEALTH_EVERY, self.update_health)
            self.set_interval(self.HEALTH_EVERY, self.update_alarm)  # deadlines pass too
            if self.poll_store is not None:
                # The same poller as `cc-console poll` (schedules, backoff, deadline
                # checks, notifications), one worker; `r` wakes its sources.
                self._wake = {s.name: asyncio.Event() for s in self.ctx.config.sources}
                self.run_worker(
                    run_pollers(
                        self.ctx.config,
                        self.poll_store,
                        self._stop_polling,
                        self._polled,
                        wake=self._wake,
                        on_error=self._poller_trouble,
                    ),
                    group="poll",
                    exclusive=True,
                )

    async def on_unmount(self) -> None:
        self._stop_polling.set()
        if self._counts_store is not None:
            self._counts_store.close()

    def _polled(self, outcome: SourceOutcome) -> None:
        self.post_message(self.SourcePolled(outcome))

    def _poller_trouble(self, message: str) -> None:
        """What failed outside a source's own state (shown in `f`): said once per message."""
        if message not in self._troubles:
            self._troubles.add(message)
            self.notify(
                self.ctx.t("notify.poller_trouble", message=message), severity="error", timeout=30
            )

    def on_cc_console_app_source_polled(self, message: SourcePolled) -> None:
        self.update_health()
        if message.outcome.changed:
            self.check_store()

    def check_store(self) -> None:
        """Reload the views when the cache changed (any process). Paused, the views stay
        as they are; the alarm, the feeds' state and the count of what arrived since the
        pause still follow the cache."""
        version = self.ctx.store.db.data_version()
        if version != self._data_version:
            self._data_version = version
            if not self.paused:
                self.reload_views()
                return
            self.update_alarm()
            self.update_health()

    def reload_views(self) -> None:
        """Every screen shown re-reads what it shows; a hidden one when it is on top again.

        Nothing is sent to a hidden screen (Textual's own default screen at the
        bottom, the main screen under a view): handling anything there repaints
        the whole screen on top, over SSH a screen of bytes for one changed row.
        """
        self.ctx.forget_sites()
        self.update_health()
        self.update_alarm()
        self.update_counts()
        shown = shown_screens(self)
        for screen in self.screen_stack:
            if screen in shown:
                screen.post_message(StoreChanged())
            else:
                self._behind.add(screen)

    def on_screen_shown(self, message: ScreenShown) -> None:
        """A screen is on top again: its top and alarm lines, and its data if it changed."""
        screen = message.screen
        for bar in screen.query(StatusBar):
            self._fill(bar)
            bar.tick()
        for line in screen.query(AlarmLine):
            line.alarm = self.alarm
        if screen in self._behind:
            self._behind.discard(screen)
            screen.post_message(StoreChanged())

    def on_operator_acted(self, message: OperatorActed) -> None:
        self._data_version = self.ctx.store.db.data_version()
        self.reload_views()

    def update_health(self) -> None:
        cfg = self.ctx.config
        self.health = tuple(
            self.ctx.store.sources.health(cfg.sources, cfg.poll.stale_after, self.ctx.now())
        )
        outbox = self.ctx.store.outbox
        now = self.ctx.now()
        sending = outbox.state(now, WAITING_BOUND)  # (on the UI thread: bounded)
        self.notices = (sending.silences, sending.failed)
        for bar in self._status_bars():
            self._fill(bar)

    def update_alarm(self) -> None:
        """Recompute the alarm; ring the bell once when it gains a member."""
        now = self.ctx.now()
        store = self.ctx.store
        alarm = store.deadlines.alarm(now).with_expiring(store.crisis.alarmed(now))
        fresh = alarm.keys - self._alarm_seen
        self._alarm_seen = alarm.keys
        self.alarm = alarm
        for line in self._alarm_lines():
            line.alarm = alarm
        if fresh and self.ctx.config.alert.bell and not self.ctx.read_only:
            self.bell()

    def update_counts(self) -> None:
        """The data changed: the top line's counts are read again on the next beat."""
        self._counts_stale = True

    def _count_if_stale(self) -> None:
        """Count the active incidents by severity, off the UI thread, on a read
        connection of its own (a million active incidents take a moment)."""
        if not self._counts_stale:
            return
        self._counts_stale = False
        self.run_worker(
            self._read_counts, thread=True, group="counts", exclusive=True, exit_on_error=False
        )

    def _read_counts(self) -> None:
        if self._counts_store is None:
            self._counts_store = Store(self.ctx.store.path, read_only=True)
        counts = self._counts_store.incidents.severity_counts()
        self.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        for bar in self._status_bars():
            bar.counts = counts

    def on_alarm_line_mounted(self, message: AlarmLine.Mounted) -> None:
        message.line.alarm = self.alarm

    def _alarm_lines(self) -> Iterable[AlarmLine]:
        """The alarm lines the terminal shows (a hidden one is set when shown again)."""
        for screen in shown_screens(self):
            yield from screen.query(AlarmLine)

    def on_status_bar_mounted(self, message: StatusBar.Mounted) -> None:
        self.fill_status(message.bar)

    def fill_status(self, bar: StatusBar) -> None:
        """Give a top line what this app knows (a new one asks as it mounts)."""
        self._fill(bar)

    def _fill(self, bar: StatusBar) -> None:
        bar.health = self.health
        bar.paused = self.arrived_while_paused()
        bar.counts = self.counts
        bar.notices = self.notices

    def _status_bars(self) -> Iterable[StatusBar]:
        """The top lines the terminal shows (a hidden one is filled when shown again)."""
        for screen in shown_screens(self):
            yield from screen.query(StatusBar)

    # -- actions ----------------------------------------------------------------

    def action_alarm(self) -> None:
        """Open the worst incident the alarm line names."""
        alarm = self.alarm
        if alarm is None:
            return
        if alarm.worst is None and alarm.expiring:  # an emergency status ends: its event
            from cc_console.screens.crisis import EventDetailScreen

            self.push_screen(EventDetailScreen(self.ctx, alarm.expiring[0].id))
            return
        if alarm.worst is None and alarm.items:  # only overdue action items: their pane
            while not isinstance(self.screen, MainScreen):
                self.pop_screen()
            self.screen.active = 3
            return
        if alarm.worst is None:
            self.notify(self.ctx.t("refused.no_alarm"))
            return
        screen = self.screen
        if isinstance(screen, IncidentDetailScreen) and screen.incident_view.incident_id == (
            alarm.worst.id
        ):
            return
        self.push_screen(IncidentDetailScreen(self.ctx, alarm.worst.id))

    def action_health(self) -> None:
        if not isinstance(self.screen, HealthScreen):
            self.push_screen(HealthScreen(self.ctx))

    def action_kinerja(self) -> None:
        if not isinstance(self.screen, KinerjaScreen):
            self.push_screen(KinerjaScreen(self.ctx))

    def action_sites(self) -> None:
        if not isinstance(self.screen, SitesScreen):
            self.push_screen(SitesScreen(self.ctx))

    def on_site_chosen(self, message: SiteChosen) -> None:
        """Every pane shows only the chosen site (or every site again)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.show_site()

    def action_notifications(self) -> None:
        if not isinstance(self.screen, NotificationsScreen):
            self.push_screen(NotificationsScreen(self.ctx))

    def action_handover(self) -> None:
        from cc_console.screens.handover import HandoverScreen

        if not isinstance(self.screen, HandoverScreen):
            self.push_screen(HandoverScreen(self.ctx))

    def action_events(self) -> None:
        from cc_console.screens.crisis import EventsScreen

        if not isinstance(self.screen, EventsScreen):
            self.push_screen(EventsScreen(self.ctx))

    def action_journal(self) -> None:
        if not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen(self.ctx))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.ctx))

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._paused_at_seq = self.ctx.store.incidents.last_seq() if self.paused else None
        self.notify(self.ctx.t("notify.paused" if self.paused else "notify.resumed"))
        self.update_health()
        if not self.paused:
            self._data_version = -1  # what changed while paused is shown now
            self.check_store()

    def arrived_while_paused(self) -> int | None:
        """How many incidents arrived since the display was paused (None: not paused)."""
        if self._paused_at_seq is None:
            return None
        return self.ctx.store.incidents.last_seq() - self._paused_at_seq

    def action_copy_id(self) -> None:
        """Copy the id at hand to the operator's clipboard (OSC 52), and say which."""
        from cc_console.screens.copying import id_at_hand

        t = self.ctx.t
        found = id_at_hand(self.screen)
        if found is None:
            self.notify(t("copy.nothing"), severity="warning")
            return
        self.copy_to_clipboard(found)
        self.notify(t("copy.done", id=found), markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52 to the terminal, and wrapped for tmux or screen when inside one."""
        from cc_console.screens.copying import passthrough

        super().copy_to_clipboard(text)
        wrapped = passthrough(text, os.environ)
        if wrapped is not None and self._driver is not None:
            self._driver.write(wrapped)

    async def action_quit(self) -> None:
        """Quit; while this console polls, only once the operator says so (a q meant for a
        view that had already closed would stop the feeds of everyone who reads this cache)."""
        if not self._wake:
            self.exit()
            return
        from cc_console.screens.dialogs import ConfirmPrompt

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        if not isinstance(self.screen, ConfirmPrompt):
            self.push_screen(ConfirmPrompt(self.ctx.t("quit.ask")), answered)

    def action_refresh_now(self) -> None:
        t = self.ctx.t
        if self._wake:
            self.notify(t("notify.refreshing"))
            for event in self._wake.values():
                event.set()
            return
        self.notify(t("notify.refreshing"))
        self.run_worker(self._refresh_once(), group="refresh", exclusive=True, exit_on_error=False)

    async def _refresh_once(self) -> None:
        store = self.poll_store or Store.for_config(
            self.ctx.config, operator=self.ctx.store.operator
        )
        refresher = Refresher(self.ctx.config, store)
        try:
            outcomes = await refresher.refresh([s for s in self.ctx.config.sources if s.enabled])
        finally:
            await refresher.aclose()
        ok = sum(1 for o in outcomes if o.status != "failed")
        self.notify(self.ctx.t("notify.refreshed", ok=ok, total=len(outcomes)))
        self.check_store()
        self.update_health()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers the actions of the app and of ``screen``, in the UI language.

        Only ours: Textual's built-in commands are English and not the operator's.
        """
        for label, _other, run in self.palette_commands(screen):
            yield SystemCommand(label, "", run)

    def palette_commands(self, screen: Screen[Any]) -> Iterable[tuple[str, str, Callable[[], Any]]]:
        """(label, the other language's label, what it runs) of each action of the palette."""
        t = self.ctx.t
        other = Translator("en" if t.lang == "id" else "id")
        own = screen.scopes if isinstance(screen, MainScreen | SubScreen) else ()
        scopes = ("app", *own)
        for action in ACTIONS:
            if action.palette and action.scope in scopes:
                where = self if action.scope == "app" else screen
                label = f"{t(action.label)} ({key_label(self.keys[action.id])})"
                yield label, other(action.label), _runner(self, action.target, where)

    def action_command_palette(self) -> None:
        """The command palette, its own words in the operator's language."""
        if self.use_command_palette and not self.screen.has_class("--textual-command-palette"):
            self.push_screen(Palette(self.ctx.t))


@dataclass(frozen=True)
class Toast:
    """One toast as it was shown (its text without markup)."""

    n: int
    at: datetime
    severity: str
    title: str
    message: str


def _runner(app: CcConsoleApp, action: str, where: App[None] | Screen[Any]) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action, where)

    return run


def run_console(state: State) -> None:
    """Open the console for the CLI (``cc-console``, ``tui``, ``demo``)."""
    cfg = state.config
    store = state.store()
    poll_store = None
    if not state.read_only and any(s.enabled for s in cfg.sources):
        poll_store = Store.for_config(cfg, operator=store.operator)
    app = CcConsoleApp(
        cfg, store, lang=state.language, read_only=state.read_only, poll_store=poll_store
    )
    # A dropped SSH link sends SIGHUP (and a service stop SIGTERM): leave as if
    # the operator pressed q, so the cache is closed and the demo cleans up. And
    # whatever the console is drawing, the process ends a few seconds later: the
    # watchdog closes the caches and exits if the clean way hangs (it has, in
    # Textual's shutdown on a dead terminal).
    watchdog = Watchdog([store] + ([poll_store] if poll_store is not None else []))

    def leave(signum: int, _frame: object) -> None:
        watchdog.arm(128 + signum)
        app.exit()

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGHUP, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, leave)
    # A terminal that hangs up without a signal reaching us is the same as SIGHUP.
    tty = _terminal_watch(lambda: os.kill(os.getpid(), signal.SIGHUP))
    try:
        app.run(mouse=not state.no_mouse)
        watchdog.extend(GRACE_S)  # the console has closed: the rest is short
        if app.return_code:  # a crash: Textual has printed it and restored the terminal
            raise SystemExit(app.return_code)
    finally:
        if tty is not None:
            tty.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if poll_store is not None:
            poll_store.close()


def _terminal_watch(gone: Callable[[], None]) -> TerminalWatch | None:
    """Watch the terminal the console runs in for a hang-up (None: not a terminal)."""
    stream = sys.__stdin__
    try:
        fd = stream.fileno() if stream is not None else -1
    except (OSError, ValueError):
        return None
    if fd < 0 or not os.isatty(fd):
        return None
    return TerminalWatch(fd, gone).start()
