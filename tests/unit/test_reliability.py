"""Reliability: doctor and rebuild, tamper-evident journal, locks, crashes, concurrent writers."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import (
    agencies_doc,
    incident,
    incidents_doc,
    native_source,
    run_subprocess,
    write_config,
)


def _setup(tmp_path: Path, feeds, **extra) -> Path:
    feeds.route("/inc.json", incidents_doc(incident("A1"), incident("A2", "Longsor")))
    feeds.route("/opd.json", agencies_doc({"id": "bpbd", "name": "BPBD", "status": "operational"}))
    return write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json"), **extra),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )


def test_doctor_healthy_and_offline(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    r = cli("--config", str(cfg), "doctor")
    assert r.code == 0, r.out
    for words in (
        "integrity check ok",
        "schema version",
        "journal intact",
        "source bpbd: HTTP 200",
    ):
        assert words in r.out
    feeds.route("/inc.json", "gone", status=404)
    r = cli("--config", str(cfg), "doctor")
    assert r.code == 1 and "source bpbd: HTTP 404" in r.out
    assert cli("--config", str(cfg), "doctor", "--offline").code == 0


def test_doctor_on_a_corrupt_cache_exits_4_and_leaves_it(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    db = tmp_path / "cache.db"
    db.write_bytes(b"garbage" * 1000)
    r = cli("--config", str(cfg), "doctor", "--offline")
    assert r.code == 4 and "not a valid cc-console database" in r.out
    assert db.read_bytes() == b"garbage" * 1000


def test_rebuild_carries_the_journal_and_operator_state(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    cli("--config", str(cfg), "--operator", "siti", "ack", "bpbd:A1", "--note", "meluncur")
    cli("--config", str(cfg), "--operator", "siti", "assign", "bpbd:A2", "bpbd")
    before = cli("--config", str(cfg), "journal", "--json").json()
    r = cli("--config", str(cfg), "doctor", "--rebuild")
    assert r.code == 0, r.out + r.err
    assert "journal carried over: 2 entries" in r.out
    assert cli("--config", str(cfg), "journal", "--json").json() == before
    assert cli("--config", str(cfg), "journal", "--verify").code == 0
    inc = {i["id"]: i for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert inc["bpbd:A1"]["status"] == "acknowledged" and inc["bpbd:A2"]["assigned_to"] == "bpbd"
    assert list(tmp_path.glob("cache.db.bak-*"))


def test_journal_is_append_only_and_tampering_is_found(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    for n in range(3):
        cli("--config", str(cfg), "note", "bpbd:A1", f"catatan {n}")
    db = tmp_path / "cache.db"
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE journal SET note = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM journal WHERE seq = 2")
    # someone with the file drops the guard and edits history
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET note = 'tidak ada apa-apa' WHERE seq = 2")
    conn.commit()
    conn.close()
    r = cli("--config", str(cfg), "journal", "--verify", "--json")
    assert r.code == 1 and r.json()["broken_seq"] == 2 and r.json()["reason"] == "entry altered"


def test_locked_past_the_timeout_exits_4(tmp_path, feeds, cli, monkeypatch):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    holder = sqlite3.connect(tmp_path / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setenv("CC_CONSOLE_BUSY_TIMEOUT_MS", "300")
    try:
        r = cli("--config", str(cfg), "ack", "bpbd:A1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.code == 4 and "locked" in r.err and "Traceback" not in r.err


def test_insecure_source_is_loudly_flagged(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds, insecure=True)
    cli("--config", str(cfg), "refresh")
    r = cli("--config", str(cfg), "status", "--json")
    assert "TLS verification is OFF for source bpbd" in r.err
    assert {s["name"]: s["insecure"] for s in r.json()["sources"]} == {"bpbd": True, "opd": False}


@pytest.mark.slow
def test_sigkill_during_big_refreshes_leaves_each_source_old_or_new(tmp_path, feeds):
    n = 20_000
    old = incidents_doc(*[incident(f"K{i}", f"lama {i}") for i in range(n)])
    new = incidents_doc(
        *[
            incident(f"K{i}", f"baru {i}", severity="severe", updated_at="2026-11-28T00:00:00Z")
            for i in range(n)
        ]
    )
    feeds.route("/big.json", old, etag=False)
    feeds.route(
        "/opd.json",
        agencies_doc(*[{"id": f"a{i}", "name": f"lama {i}"} for i in range(500)]),
        etag=False,
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            native_source("big", feeds.url("/big.json")),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    rng = random.Random(5)
    db = tmp_path / "cache.db"
    for attempt in range(6):
        body, names = (new, "baru") if attempt % 2 == 0 else (old, "lama")
        feeds.route("/big.json", body, etag=False)
        feeds.route(
            "/opd.json",
            agencies_doc(*[{"id": f"a{i}", "name": f"{names} {i}"} for i in range(500)]),
            etag=False,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "cc_console", "--config", str(cfg), "refresh"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = {
            r[0].split()[0]
            for r in conn.execute("SELECT title FROM incidents WHERE source = 'big'")
        }
        count = conn.execute("SELECT count(*) FROM incidents WHERE source = 'big'").fetchone()[0]
        agencies = {r[0].split()[0] for r in conn.execute("SELECT name FROM agencies")}
        fts = conn.execute(
            "SELECT count(*) FROM incidents_fts WHERE incidents_fts MATCH 'baru OR lama'"
        ).fetchone()[0]
        conn.close()
        assert count == n and len(titles) == 1, (attempt, titles)  # wholly old or wholly new
        assert len(agencies) == 1 and fts == n
    assert run_subprocess("--config", str(cfg), "refresh").code == 0


@pytest.mark.slow
def test_concurrent_writers_never_show_database_is_locked(tmp_path, feeds):
    feeds.route("/inc.json", incidents_doc(*[incident(f"C{i}") for i in range(3000)]), etag=False)
    feeds.route("/opd.json", agencies_doc({"id": "bpbd", "name": "BPBD"}))
    cfg = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json"), interval="1s"),
            native_source("opd", feeds.url("/opd.json"), "agencies", interval="1s"),
        ],
    )
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    daemon = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "poll"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []

    def writer(k: int) -> None:
        for i in range(4):
            # change the feed so every refresh really writes
            feeds.route(
                "/inc.json",
                incidents_doc(*[incident(f"C{j}", f"v{k}-{i} {j}") for j in range(3000)]),
                etag=False,
            )
            r = run_subprocess("--config", str(cfg), "refresh")
            if r.code not in (0, 1) or "locked" in r.err:
                errors.append(r.err)
            a = run_subprocess(
                "--config", str(cfg), "--operator", f"op{k}", "note", "bpbd:C1", f"catatan {k}-{i}"
            )
            if a.code != 0:
                errors.append(a.err)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    daemon.send_signal(signal.SIGTERM)
    _out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert not errors, errors
    assert "locked" not in err
    r = run_subprocess("--config", str(cfg), "journal", "--json")
    assert len(json.loads(r.out)) == 12
    assert run_subprocess("--config", str(cfg), "journal", "--verify").code == 0


def test_rebuild_is_refused_while_poll_has_the_cache_open_and_says_which(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds, interval="1s")
    assert cli("--config", str(cfg), "refresh").code == 0
    daemon = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "poll"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not Path(f"{tmp_path / 'cache.db'}-wal").exists():  # the daemon has it open
            assert time.monotonic() < deadline and daemon.poll() is None
            time.sleep(0.05)
        r = cli("--config", str(cfg), "doctor", "--rebuild")
        assert r.code == 4, r.out + r.err
        said = r.out + r.err
        assert f"pid {daemon.pid} (cc-console --config {cfg} poll)" in said, said
        assert not list(tmp_path.glob("cache.db.bak-*"))  # nothing moved under the daemon
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=30)
    r = cli("--config", str(cfg), "doctor", "--rebuild")
    assert r.code == 0, r.out + r.err


def test_a_process_starting_during_a_rebuild_waits_and_opens_the_new_cache(tmp_path, feeds, cli):
    from cc_console.store import Store, holders

    cfg = _setup(tmp_path, feeds)
    assert cli("--config", str(cfg), "refresh").code == 0
    db = tmp_path / "cache.db"
    hold = holders.exclusive(db)  # as doctor --rebuild holds it
    reader = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "incidents", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    assert reader.poll() is None  # waiting, not reading the file about to be moved
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()  # an empty new cache takes the old one's place
    db.rename(tmp_path / "old.db")
    fresh.rename(db)
    holders.release(hold)
    out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    assert json.loads(out) == []  # read the new file, not the old one's two incidents
