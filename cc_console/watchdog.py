"""The console's way out when its terminal is gone: a watchdog that ends the process.

A console told to go (SIGHUP when the SSH link or tmux session drops, SIGTERM
from a service stop, or its terminal hanging up under it) leaves as if the
operator pressed ``q``. That can hang: Textual's shutdown has been seen stuck
for 20 minutes on a dead terminal (``LinuxDriver.close`` waiting on its writer
thread), holding the cache open, so ``doctor --rebuild`` refused and nothing
polled. Once armed, the watchdog gives the clean way a grace period; then it
closes the caches (releasing their locks), puts the terminal back as far as it
can without blocking, and ends the process with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

__all__ = ["GRACE_S", "TerminalWatch", "Watchdog"]

GRACE_S = 3.0  # the clean way's time, from the signal to the end of the process
CLOSE_S = 1.0  # the most a cache may take to close before the process ends anyway
# Leave the alternate screen, show the cursor, stop mouse reports, reset attributes.
_RESTORE = b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[0m"


class Closable(Protocol):
    def close(self) -> None: ...


class Watchdog:
    """``arm(code)`` once the console is told to go; the process ends ``grace`` later
    unless it has ended by itself (``extend`` gives the clean way's last steps time)."""

    def __init__(
        self, stores: Sequence[Closable], grace: float = GRACE_S, *, terminal: bool = True
    ) -> None:
        self.stores = list(stores)
        self.grace = grace
        self.terminal = terminal  # the console's: put the terminal back on the way out
        self._deadline: float | None = None
        self._code = 1
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def armed(self) -> bool:
        return self._deadline is not None

    def arm(self, code: int) -> None:
        """Start the countdown (a second call keeps the first deadline). Signal-safe:
        it takes no lock the interrupted code may hold."""
        if self._deadline is not None:
            return
        self._code = code
        self._deadline = time.monotonic() + self.grace
        self._thread = threading.Thread(target=self._run, name="cc-console-watchdog", daemon=True)
        self._thread.start()

    def extend(self, seconds: float) -> None:
        """Give an armed watchdog ``seconds`` more from now (the console has closed;
        the rest of the clean way is short)."""
        if self._deadline is not None:
            self._deadline = max(self._deadline, time.monotonic() + seconds)

    def _run(self) -> None:
        while True:
            deadline = self._deadline
            assert deadline is not None
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.25))
        self._release()
        os._exit(self._code)

    def _release(self) -> None:
        """Close the caches (each in its own thread: one stuck must not keep the
        process), then put the terminal back without waiting on it."""
        closers = [
            threading.Thread(target=_quietly(store.close), daemon=True) for store in self.stores
        ]
        for closer in closers:
            closer.start()
        end = time.monotonic() + CLOSE_S
        for closer in closers:
            closer.join(max(0.0, end - time.monotonic()))
        if not self.terminal:
            return
        with contextlib.suppress(Exception):
            fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else -1
            if fd >= 0 and os.isatty(fd):
                os.set_blocking(fd, False)  # a terminal nobody reads must not block us
                os.write(fd, _RESTORE)


def _quietly(fn: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        with contextlib.suppress(Exception):
            fn()

    return run


class TerminalWatch:
    """Calls ``gone`` once the terminal on ``fd`` hangs up (its master side closed,
    as when tmux or sshd goes away without a signal reaching us)."""

    def __init__(self, fd: int, gone: Callable[[], None], every: float = 0.5) -> None:
        self.fd, self.gone, self.every = fd, gone, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cc-console-tty", daemon=True)

    def start(self) -> TerminalWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, select.POLLHUP | select.POLLERR | select.POLLNVAL)
        while not self._stop.is_set():
            try:
                events = poller.poll(self.every * 1000)
            except OSError:
                events = [(self.fd, select.POLLERR)]
            hung = any(e & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, e in events)
            if hung and not self._stop.is_set():
                self.gone()
                return
