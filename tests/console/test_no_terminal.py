"""The console without a terminal: one line and exit 2, never a spin or a traceback."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import write_config
from tests.timing import Budget


@pytest.mark.parametrize(
    "stdin",
    [subprocess.DEVNULL, "closed"],
    ids=["stdin-devnull", "stdin-closed"],
)
def test_the_console_refuses_without_a_terminal(tmp_path, stdin):
    cfg = write_config(tmp_path / "c.toml", [])
    budget, started = Budget(20), time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "cc_console", "--config", str(cfg)],
        stdin=None if stdin == "closed" else stdin,
        capture_output=True,
        text=True,
        timeout=120,
        # Closing fd 0 in the child, as `cc-console 0<&-` does.
        preexec_fn=(lambda: __import__("os").close(0)) if stdin == "closed" else None,
    )
    assert budget.allows(time.monotonic() - started)
    assert proc.returncode == 2, proc.stderr
    assert "terminal" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_term_dumb_is_refused(tmp_path):
    import os
    import pty

    cfg = write_config(tmp_path / "c.toml", [])
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execv(sys.executable, [sys.executable, "-m", "cc_console", "--config", str(cfg)])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert b"TERM=dumb" in out


def test_a_console_crash_exits_non_zero(tmp_path):
    """A crash inside the app (here: a cache row the console cannot read) is exit 1, not 0."""
    import os
    import pty
    import sqlite3

    from cc_console.config import load_config
    from cc_console.store import PollRecord, Store
    from tests.conftest import FEED_NOW, feed_row

    cfg_path = write_config(tmp_path / "c.toml", [])
    cfg = load_config(cfg_path)
    store = Store(cfg.cache.path)
    store.apply("incidents", PollRecord("bpbd", FEED_NOW, ok=True), [feed_row()])
    store.close()
    with sqlite3.connect(cfg.cache.path) as db:  # damage what the first frame reads
        db.execute("UPDATE incidents SET reported_at = 'not a time'")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
        os.execv(sys.executable, [sys.executable, "-m", "cc_console", "--config", str(cfg_path)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) != 0
