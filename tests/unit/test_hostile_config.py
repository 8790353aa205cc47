"""Hostile config values: refused at load with exit 2 naming the key, never a traceback later."""

from __future__ import annotations

import json

import pytest

from tests.conftest import incident, incidents_doc, native_source, run_subprocess, write_config


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("interval = inf", "'interval'"),
        ("interval = nan", "'interval'"),
        ('interval = "100000000h"', "'interval'"),
        ('interval = "1ms"', "'interval'"),
        ("timeout = nan\n", "'timeout'"),
        ('timeout = "2d"\n', "'timeout'"),
        ('max_bytes = "10GB"', "'max_bytes'"),
        ("concurrency = 100000", "'concurrency'"),
    ],
)
def test_durations_and_sizes_out_of_range_are_exit_2(tmp_path, cli, extra, key):
    cfg = write_config(tmp_path / "c.toml", [], extra=extra)
    for command in ("status", "doctor", "refresh"):
        r = cli("--config", str(cfg), command)
        assert r.code == 2 and key in r.err and "Traceback" not in r.err, (command, r.err)


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ('quit = "1"', ["'quit'", "'1'", "'pane1'"]),
        ('journal = "a"', ["'journal'", "'ack'"]),
        ('quit = "notakey+++"', ["'quit'", "names no key"]),
        ('help = "hyper2+x"', ["'help'", "modifier"]),
        ('filter = "bogus_key_name"', ["'filter'", "not a key name"]),
    ],
)
def test_keys_that_clash_or_are_nonsense_are_exit_2(tmp_path, cli, keys, words):
    cfg = write_config(tmp_path / "c.toml", [], extra=f"[keys]\n{keys}")
    r = cli("--config", str(cfg), "status")
    assert r.code == 2, r.err
    for word in words:
        assert word in r.err


def test_a_remap_that_moves_both_keys_is_fine(tmp_path, cli):
    cfg = write_config(tmp_path / "c.toml", [], extra='[keys]\nquit = "1"\npane1 = "ctrl+1"')
    assert cli("--config", str(cfg), "status").code == 0


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:99999/x.json", False),
        ("http://127.0.0.1:8080/x\n.json", False),
        ("http://127.0.0.1:8080/a b.json", False),
        ("HTTP://127.0.0.1:8080/x.json", True),
        ("ftp://127.0.0.1/x.json", False),
    ],
)
def test_urls_are_checked_at_load(tmp_path, cli, url, ok):
    cfg = write_config(tmp_path / "c.toml", [native_source("bmkg", url)])
    r = cli("--config", str(cfg), "status")
    if ok:
        assert r.code in (0, 1), r.err
    else:
        assert r.code == 2 and "'url'" in r.err and "'bmkg'" in r.err, r.err


def test_a_config_with_a_bom_loads(tmp_path, cli):
    cfg = write_config(tmp_path / "c.toml", [])
    cfg.write_bytes(b"\xef\xbb\xbf" + cfg.read_bytes())
    assert cli("--config", str(cfg), "status").code == 0


def test_json_is_utf8_whatever_the_locale(tmp_path, feeds):
    feeds.route("/inc.json", incidents_doc(incident("A1", "Banjir — évakuasi ✓ 洪水")))
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    env = {"PYTHONIOENCODING": "ascii", "CC_CONSOLE_CONFIG": str(cfg)}
    assert run_subprocess("refresh", env=env).code == 0
    r = run_subprocess("incidents", "--json", env=env)
    assert r.code == 0, r.err
    assert json.loads(r.out)[0]["title"] == "Banjir — évakuasi ✓ 洪水"
