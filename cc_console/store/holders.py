"""Who has the cache open: a shared ``flock`` per process, taken exclusively to rebuild.

Every process that opens the cache holds a shared lock on the database file
for as long as it keeps it open (``flock`` locks are separate from the POSIX
byte-range locks SQLite takes, so they never interfere with its own
locking). ``doctor --rebuild`` takes the lock exclusively, so it refuses while
a poller or a console still has the old file open (they would carry on in the
backup), and a process starting during a rebuild waits for the new file.
On Linux the refusal names the holders from ``/proc/locks``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from cc_console.errors import StoreError
from cc_console.text import clean_line

__all__ = ["exclusive", "holders", "shared"]


def shared(path: Path, wait_s: float) -> int | None:
    """A shared lock on the cache file, as an fd to close with the connection.

    Waits up to ``wait_s`` while a rebuild holds it, then re-checks that
    ``path`` is still the file it locked (a rebuild swaps files). ``None``
    where the file cannot be opened for locking (the store then says why).

    Raises:
        StoreError: a rebuild still holds it after ``wait_s``.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            _lock_until(fd, fcntl.LOCK_SH, deadline)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(
                f"the cache {path} is being rebuilt ({_named(holders(path))}); "
                "try again when `cc-console doctor --rebuild` is done"
            ) from None
        if _same_file(fd, path):
            return fd
        os.close(fd)  # locked the file a rebuild just moved aside: take the new one


def exclusive(path: Path) -> int:
    """The rebuild's lock: the cache file locked against every other opener.

    Raises:
        StoreError: another process has the cache open (named where the OS says).
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        others = holders(path)
        os.close(fd)
        raise StoreError(
            f"the cache {path} is open in {_named(others)}; stop them first "
            "(a poller or a console would go on writing into the old file)"
        ) from None
    return fd


def release(fd: int | None) -> None:
    """Close a lock's fd (idempotent on ``None``)."""
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def holders(path: Path) -> list[str]:
    """``pid N (command)`` for each other process holding a lock on ``path`` (Linux)."""
    try:
        st = os.stat(path)
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    want = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids: list[int] = []
    for line in table.splitlines():
        fields = line.split()
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":
            continue
        if fields[5] == want and fields[4].isdigit():
            pid = int(fields[4])
            if pid != os.getpid() and pid not in pids:
                pids.append(pid)
    return [f"pid {pid} ({_command(pid)})" for pid in pids]


def _named(found: list[str]) -> str:
    return ", ".join(found) if found else "another process"


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    for i, arg in enumerate(args):  # from the program on: "cc-console poll", not python's path
        if arg.endswith(("cc-console", "cc_console")):
            args = ["cc-console", *args[i + 1 :]]
            break
    return clean_line(" ".join(args), 200)


def _lock_until(fd: int, kind: int, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
