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
