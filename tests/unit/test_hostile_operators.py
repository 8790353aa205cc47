"""Hostile operator names, notes and arguments: refused or cleaned, never raw on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cc_console.config import load_config
from cc_console.store import Store
from tests.conftest import incident, incidents_doc, native_source, write_config

EVIL = "x\x1b[2J\x1b[Hy\x1b]52;c;SGVsbG8=\x1b\\z"


@pytest.fixture
def config(tmp_path, feeds, cli):
    feeds.route("/inc.json", incidents_doc(incident("A1", "Banjir di Kec. Cisewu")))
    path = write_config(tmp_path / "config.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    assert cli("--config", str(path), "refresh").code == 0
    return path


def test_an_operator_name_with_escapes_is_refused(config, cli, monkeypatch):
    r = cli("--config", str(config), "--operator", EVIL, "note", "bpbd:A1", "hi")
    assert r.code == 2 and "operator" in r.err and "\x1b" not in r.err + r.out
    monkeypatch.setenv("CC_OPERATOR", EVIL)
    r = cli("--config", str(config), "ack", "bpbd:A1")
    assert r.code == 2 and "\x1b" not in r.err
    monkeypatch.delenv("CC_OPERATOR")
    assert cli("--config", str(config), "journal", "--json").json() == []
    ok = cli("--config", str(config), "--operator", "  Siti   Nurhaliza ", "ack", "bpbd:A1")
    assert ok.code == 0, ok.err
    (entry,) = cli("--config", str(config), "journal", "--json").json()
    assert entry["operator"] == "Siti Nurhaliza"


def test_raw_names_from_an_older_cache_never_reach_a_terminal(config, cli):
    cfg = load_config(config)
    store = Store(cfg.cache.path)
    with store.db.tx() as c:  # as an older cc-console stored it: raw
        c.execute(
            "INSERT INTO journal(seq, at, operator, action, target, note, agency, prev_hash, hash) "
            "VALUES (1, '2026-11-27T03:00:00Z', ?, 'note', 'bpbd:A1', ?, NULL, '0', '1')",
            [EVIL, "catatan \x1b]0;judul\x07 palsu"],
        )
    store.close()
    for command in (["journal"], ["handover"]):
        r = cli("--config", str(config), *command)
        assert "\x1b" not in r.out and "\x07" not in r.out, command


async def test_the_console_journal_shows_names_cleaned(config):
    from cc_console.app import CcConsoleApp

    cfg = load_config(config)
    store = Store(cfg.cache.path)
    with store.db.tx() as c:
        c.execute(
            "INSERT INTO journal(seq, at, operator, action, target, note, agency, prev_hash, hash) "
            "VALUES (1, '2026-11-27T03:00:00Z', ?, 'note', 'bpbd:A1', 'ok', NULL, '0', '1')",
            [EVIL],
        )
    app = CcConsoleApp(cfg, store, live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("J")
        journal = app.export_screenshot()
        await pilot.press("escape", "enter")
        detail = app.export_screenshot()
    for svg in (journal, detail):
        assert "\x1b" not in svg
        assert "SGVsbG8=" in svg  # the name is shown, its escapes are not
    store.close()


def test_a_note_past_the_limit_is_refused_not_cut(config, cli):
    r = cli("--config", str(config), "note", "bpbd:A1", "a" * 4001)
    assert r.code == 2 and "4000" in r.err
    assert cli("--config", str(config), "journal", "--json").json() == []
    assert cli("--config", str(config), "note", "bpbd:A1", "a" * 4000).code == 0


def test_a_note_argument_that_is_not_utf8_is_stored_cleanly(config):
    env = {**os.environ, "CC_CONSOLE_CONFIG": str(config)}
    note = b"air naik \xff\xfe setinggi lutut"
    proc = subprocess.run(
        [sys.executable, "-m", "cc_console", "note", "bpbd:A1", note],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    out = subprocess.run(
        [sys.executable, "-m", "cc_console", "journal", "--json"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert "air naik \ufffd\ufffd setinggi lutut" in out.stdout.decode()
