"""Another account's cache: refused with exit 4 when unreadable, read when readable.

Real files and real permissions: as root the scenario runs as ``nobody``
(tests/stranger.py); as any other user, mode bits take the rights away.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.clock import python_path
from tests.conftest import (
    incident,
    incidents_doc,
    native_source,
    run_as_stranger,
    write_config,
)

ROOT = os.geteuid() == 0


def _filled_cache(shared_dir, feeds, cli, *titles: str):
    feeds.route("/inc.json", incidents_doc(*(incident(f"A{i}", t) for i, t in enumerate(titles))))
    cfg = write_config(shared_dir / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    db = shared_dir / "cache.db"
    assert cli("--config", str(cfg), "--db", str(db), "refresh").code == 0
    cfg.chmod(0o644)
    return cfg, db


def test_another_users_private_cache_is_exit_4_naming_the_owner(shared_dir, feeds, cli):
    cfg, db = _filled_cache(shared_dir, feeds, cli, "Banjir")
    db.chmod(0o600 if ROOT else 0o000)
    r = run_as_stranger("--config", str(cfg), "--db", str(db), "incidents", "--json")
    assert r.code == 4, (r.code, r.err)
    assert "cannot read the cache" in r.err and "Traceback" not in r.err
    assert r.out == ""


def test_a_watcher_reads_a_cache_it_cannot_write(shared_dir, feeds, cli):
    cfg, db = _filled_cache(shared_dir, feeds, cli, "Banjir", "Longsor")
    db.chmod(0o644 if ROOT else 0o444)
    if not ROOT:
        shared_dir.chmod(0o555)
    args = ("--config", str(cfg), "--db", str(db), "--read-only")
    r = run_as_stranger(*args, "incidents", "--json")
    assert r.code == 0, r.err
    assert sorted(i["title"] for i in r.json()) == ["Banjir", "Longsor"]
    assert run_as_stranger(*args, "status", "--json").code == 0
    # Nothing was written beside it, and the owner's cache is as it was.
    assert sorted(p.name for p in shared_dir.iterdir()) == ["c.toml", "cache.db"]
    # Without --read-only the same user is told it cannot write: exit 4.
    w = run_as_stranger("--config", str(cfg), "--db", str(db), "incidents", "--json")
    assert w.code == 4 and "Traceback" not in w.err, w.err


def test_a_frozen_watcher_goes_live_when_the_owners_poller_starts(shared_dir, feeds, cli):
    from cc_console.store import Store
    from tests.conftest import feed_poll, feed_row

    _cfg, db = _filled_cache(shared_dir, feeds, cli, "Banjir")
    db.chmod(0o644 if ROOT else 0o444)
    if not ROOT:
        shared_dir.chmod(0o755)  # the owner's poller makes its WAL files here
        db.chmod(0o644)
    scenario = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from cc_console.store import Store
        store = Store(Path({str(db)!r}), read_only=True)
        before = store.db.data_version()
        print(len(store.incidents.listing(include_all=True)), flush=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if store.db.data_version() != before:
                n = len(store.incidents.listing(include_all=True))
                if n > 1:
                    print(n, flush=True)
                    break
            time.sleep(0.05)
        """
    )
    stranger = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent.parent / "stranger.py"), "--code", scenario],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": python_path(str(Path(__file__).parent.parent.parent))},
        cwd="/",
    )
    assert stranger.stdout is not None
    assert stranger.stdout.readline().strip() == "1"  # opened while nobody wrote
    owner = Store(db)  # the poller: keeps the cache open, in WAL mode
    try:
        owner.apply("incidents", feed_poll(5), [feed_row("Gempa M5.1")])
        out, err = stranger.communicate(timeout=30)
    finally:
        owner.close()
    assert out.strip() == "2", err
