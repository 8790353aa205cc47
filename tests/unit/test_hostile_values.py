"""One bad value never fails everything; odd arguments are exit 2, not tracebacks."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.conftest import incident, incidents_doc, native_source, write_config


def test_a_lone_surrogate_in_one_title_loses_nothing_else(tmp_path, feeds, cli):
    items = [incident(f"A{i}", f"Banjir {i}") for i in range(20)]
    body = incidents_doc(*items).replace('"Banjir 7"', '"Banjir \\ud800 7"')
    feeds.route("/inc.json", body)
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out + r.err
    rows = cli("--config", str(cfg), "incidents", "--json").json()
    assert len(rows) == 20
    assert {i["title"] for i in rows if i["id"] == "bpbd:A7"} == {"Banjir \ufffd 7"}


def test_a_position_off_the_earth_is_left_out_with_a_warning(tmp_path, feeds, cli):
    body = incidents_doc(incident("A1", lat=200, lon=107.5), incident("A2"))
    feeds.route("/inc.json", body.replace('"lat": 200', '"lat": NaN'))
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    r = cli("--config", str(cfg), "refresh", "--json")
    (source,) = r.json()["sources"]
    assert any("not on Earth" in w for w in source["warnings"]), source
    (a1,) = [
        i for i in cli("--config", str(cfg), "incidents", "--json").json() if i["id"] == "bpbd:A1"
    ]
    assert a1["lat"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["agenda", "--from", "9999-12-31"],
        ["agenda", "--from", "0001-01-01"],
        ["agenda", "--to", "9999-12-31"],
        ["handover", "--hours", "99999999"],
        ["handover", "--hours", "-1"],
    ],
)
def test_extreme_arguments_are_exit_2(tmp_path, cli, args):
    cfg = write_config(tmp_path / "c.toml", [])
    r = cli("--config", str(cfg), *args)
    assert r.code == 2 and "Traceback" not in r.err, r.err


def test_a_source_never_fetched_is_not_healthy(tmp_path, cli):
    cfg = write_config(tmp_path / "c.toml", [native_source("bpbd", "http://127.0.0.1:9/x.json")])
    r = cli("--config", str(cfg), "status", "--json")
    assert r.code == 1 and json.loads(r.out)["ok"] is False


def test_an_empty_db_file_is_made_private_like_a_new_cache(tmp_path, cli):
    db = tmp_path / "zero.db"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    cfg = write_config(tmp_path / "c.toml", [])
    assert cli("--config", str(cfg), "--db", str(db), "status").code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
