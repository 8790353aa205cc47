"""A dropped SSH link (SIGHUP) closes the console like `q`: the demo leaves nothing behind."""

from __future__ import annotations

import os
import select
import signal
import sys
import time

import pytest


@pytest.mark.slow
def test_sighup_exits_cleanly_and_removes_the_demo_folder(tmp_path):
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: a console on the demo, in a terminal
        os.environ.update(
            {"TMPDIR": str(tmp_path), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        )
        os.execv(sys.executable, [sys.executable, "-m", "cc_console", "demo"])
    seen = b""
    deadline = time.monotonic() + 60
    while b"Kejadian" not in seen and time.monotonic() < deadline:  # wait for the first frame
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    assert b"Kejadian" in seen, seen[-500:]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("cc-console-demo-")]
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        try:
            select.select([fd], [], [], 0.2)
            os.read(fd, 65536)
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    assert status is not None and os.WIFEXITED(status), status
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("cc-console-demo-")]


def _console_in_a_pty(tmp_path, columns: int, lines: int) -> tuple[int, int]:
    """The demo console started by the real CLI in a new terminal; (pid, master fd)
    once its first frame is drawn."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(
            {"TMPDIR": str(tmp_path), "TERM": "xterm-256color",
             "COLUMNS": str(columns), "LINES": str(lines)}
        )  # fmt: skip
        os.execv(sys.executable, [sys.executable, "-m", "cc_console", "demo"])
    seen = b""
    deadline = time.monotonic() + 60
    while b"Kejadian" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    assert b"Kejadian" in seen, seen[-500:]
    return pid, fd


def _gone_within(pid: int, seconds: float) -> float | None:
    """Seconds until ``pid`` ended (reaped), or None if it still runs after ``seconds``."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return time.monotonic() - start
        time.sleep(0.1)
    return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


@pytest.mark.slow
@pytest.mark.parametrize("how", ["close", "sigterm"])
def test_a_console_whose_terminal_is_gone_mid_frame_exits_within_seconds(tmp_path, how):
    """Nobody reads the terminal any more while the console draws (a big screen, a
    filter typed, frames queued in a full terminal buffer); then the terminal is
    closed (the kernel's SIGHUP, as tmux kill-session or an SSH drop) or SIGTERM
    comes. The process must be gone within a few seconds, whatever it was drawing."""
    pid, fd = _console_in_a_pty(tmp_path, 250, 80)
    try:
        # Keys that redraw the panes, typed without reading a byte of what is drawn.
        for keys in (b"/banjir", b"\x1b", b"/longsor\r", b"jjjjkkkk", b"\t\t\t", b"/a\r") * 6:
            try:
                os.write(fd, keys)
            except OSError:
                break
            time.sleep(0.05)
        if how == "close":
            os.close(fd)
        else:
            os.kill(pid, signal.SIGTERM)
        took = _gone_within(pid, 10)
        assert took is not None, f"the console outlived its terminal ({how}) by 10 s"
    finally:
        _kill(pid)
        if how != "close":
            os.close(fd)
