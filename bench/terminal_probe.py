"""Bytes a console writes to a real terminal (a pty): idle, and for one acknowledged row.

Run by run.py (figures 16-17), or by hand to see where the bytes go::

    python bench/terminal_probe.py CONFIG --size 80x24 --keys oo --idle 20 --dump out.bin
    python bench/terminal_probe.py --explain out.bin

The console runs in a fresh process on a pty of the given size (TERM
xterm-256color, no COLORTERM: 256 colours, as over most SSH links). After
its first frames and the ``--keys`` (``oo``: sort by the deadline still to
meet, so the countdowns show at 80 columns) it is left alone for ``--idle``
seconds; then, newest first again, the top row is acknowledged by
``cc-console ack`` from a second process, as from another console, and the
bytes of the next 3 seconds counted (longer only if nothing came by then).
Prints one JSON line: ``{"idle": bytes, "idle_s": seconds, "ack": bytes, ...}``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

PY = sys.executable


class Terminal:
    """The console on a pty; every byte it writes is counted (and kept, with its time)."""

    def __init__(self, config: Path, cols: int, rows: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR")}
        env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        pid, fd = pty.fork()
        if pid == 0:  # the child: the console, on the pty
            os.execve(
                PY, [PY, "-m", "cc_console", "--config", str(config), "--no-mouse", "tui"], env
            )
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd
        self.log: list[tuple[float, bytes]] = []

    def drain(self, seconds: float) -> int:
        """Read for ``seconds``; the bytes read."""
        total, end = 0, time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                total += len(chunk)
                self.log.append((time.monotonic(), chunk))
        return total

    def settle(self, quiet: float = 1.5, limit: float = 60.0) -> None:
        """Read until nothing came for ``quiet`` seconds (start-up, a sort), once
        something came (a loaded machine starts the console slowly)."""
        end = time.monotonic() + limit
        while not self.log and time.monotonic() < end:
            self.drain(0.2)
        while time.monotonic() < end and self.drain(quiet):
            pass

    def press(self, keys: str) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            self.drain(0.3)

    def resize(self, cols: int, rows: int) -> None:
        """Tell the console the terminal is ``cols`` x ``rows`` (it repaints everything)."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.kill(self.pid, signal.SIGWINCH)

    def shown(self, cols: int, rows: int) -> list[str]:
        """What the terminal shows now (see :func:`screen_text`)."""
        return screen_text(b"".join(chunk for _, chunk in self.log), cols, rows)

    def close(self) -> None:
        os.write(self.fd, b"q")
        self.drain(0.5)
        try:  # q asks first while the console polls: Enter answers (once it is up)
            os.write(self.fd, b"\r")
        except OSError:  # it had quit at once
            pass
        self.drain(1.0)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def top_row(config: Path, order: str) -> str:
    """The id of the first row of the incidents pane in ``order``."""
    from cc_console.config import load_config
    from cc_console.store import IncidentQuery, Store

    store = Store(load_config(config).cache.path, read_only=True)
    try:
        return store.incidents.page(IncidentQuery(order=order), 0, 1)[0].id
    finally:
        store.close()


ORDERS = ("", "o", "oo")  # newest first, worst first, most overdue first


def measure(config: Path, cols: int, rows: int, keys: str, idle: float) -> tuple[dict, bytes]:
    """Bytes written while idle for ``idle`` seconds (after ``keys``), then for one row
    acknowledged from another process (the newest-first order: the row stays in place)."""
    term = Terminal(config, cols, rows)
    try:
        term.settle()
        # The sort, then the cursor down and up: the first repaint after start-up
        # also flushes what Textual left pending from the start-up's layout (the
        # whole list once); it is not the cost of a change.
        term.press(keys + "jk")
        term.settle()
        started = time.monotonic()
        quiet = term.drain(idle)
        idle_s = time.monotonic() - started
        if keys:  # back to newest first (o cycles through three orders)
            term.press("o" * (3 - len(keys)) + "jk")
            term.settle()
        target = top_row(config, "reported")
        subprocess.run(
            [PY, "-m", "cc_console", "--config", str(config), "ack", target],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        mark = len(term.log)
        ack = term.drain(3.0)
        deadline = time.monotonic() + 10
        while not ack and time.monotonic() < deadline:  # a loaded machine: wait for it
            ack = term.drain(1.0)
        written = b"".join(chunk for _, chunk in term.log[mark:])
        ack = len(written)
    finally:
        term.close()
    return {"idle": quiet, "idle_s": idle_s, "ack": ack, "acked": target}, written


# -- what the terminal shows --------------------------------------------------

TOKEN = re.compile(
    r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]"
    r"|\x1b[=>78]|[\x07\r\n]|[^\x1b\r\n\x07]"
)


def screen_text(data: bytes, cols: int, rows: int) -> list[str]:
    """The characters a terminal shows after ``data`` (cursor moves and text; no styles):
    enough to tell a partial repaint that left a cell stale from a full one."""
    from rich.cells import cell_len

    grid = [[" "] * cols for _ in range(rows)]
    r = c = 0
    for tok in TOKEN.findall(data.decode("utf-8", "replace")):
        if tok.startswith("\x1b["):
            if tok.endswith("H"):
                row, _, col = tok[2:-1].partition(";")
                r, c = int(row or 1) - 1, int(col or 1) - 1
            elif tok == "\x1b[2J":
                grid = [[" "] * cols for _ in range(rows)]
        elif tok == "\r":
            c = 0
        elif tok == "\n":
            r += 1
        elif not tok.startswith("\x1b") and tok != "\x07":
            if 0 <= r < rows and 0 <= c < cols:
                grid[r][c] = tok
                if cell_len(tok) == 2 and c + 1 < cols:
                    grid[r][c + 1] = ""
            c += cell_len(tok)
    return ["".join(line) for line in grid]


# -- explaining a dump ----------------------------------------------------------

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def explain(data: bytes) -> str:
    """Bytes per screen line of a dump (where the cursor was moved to before each run)."""
    per: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    marks = list(MOVE.finditer(data))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(data)
        row, col = int(m.group(1)), int(m.group(2))
        chunk = data[m.start() : end]
        per[row] = per.get(row, 0) + len(chunk)
        cells = len(CSI.sub(b"", chunk).decode("utf-8", "replace"))
        spans.setdefault(row, []).append((col, cells))
    lines = [f"{len(data)} bytes, {len(marks)} cursor moves"]
    for row in sorted(per):
        lines.append(f"  line {row:>3}: {per[row]:>6} bytes, runs (col, cells) {spans[row][:6]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", type=Path)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--keys", default="", choices=ORDERS)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--dump", type=Path, help="keep what the acknowledgement wrote")
    parser.add_argument("--explain", type=Path, help="bytes per screen line of a dump")
    args = parser.parse_args()
    if args.explain:
        print(explain(args.explain.read_bytes()))
        return
    cols, rows = (int(x) for x in args.size.split("x"))
    result, written = measure(args.config, cols, rows, args.keys, args.idle)
    if args.dump:
        args.dump.write_bytes(written)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
