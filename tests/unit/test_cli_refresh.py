"""The scripted CLI against a real feed server: refresh, exit codes, the journal."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from tests.conftest import (
    agencies_doc,
    incident,
    incidents_doc,
    native_source,
    run_subprocess,
    write_config,
)


def _setup(tmp_path: Path, feeds, **extra_sources) -> Path:
    feeds.route(
        "/inc.json", incidents_doc(incident("A1"), incident("A2", "Longsor", category="landslide"))
    )
    feeds.route(
        "/opd.json",
        agencies_doc(
            {
                "id": "dinkes",
                "name": "Dinas Kesehatan",
                "status": "operational",
                "kpis": [{"name": "Respon", "value": 92.5, "target": 95, "unit": "%"}],
            },
            {"id": "bpbd", "name": "BPBD", "status": "degraded"},
        ),
    )
    return write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd-native", feeds.url("/inc.json")),
            native_source("opd-status", feeds.url("/opd.json"), "agencies"),
        ],
    )


def test_refresh_json_matches_contract(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["ok"] is True
    by = {s["name"]: s for s in doc["sources"]}
    assert by["bpbd-native"]["status"] == "updated"
    assert by["bpbd-native"]["records"] == 2 and by["bpbd-native"]["changed"] == 2
    assert by["bpbd-native"]["http_status"] == 200 and by["bpbd-native"]["error"] is None
    assert set(by["opd-status"]) >= {
        "name",
        "status",
        "http_status",
        "records",
        "changed",
        "error",
        "duration_ms",
    }
    inc = cli("--config", str(cfg), "incidents", "--json").json()
    assert [i["id"] for i in inc] == ["bpbd-native:A2", "bpbd-native:A1"] or len(inc) == 2
    first = next(i for i in inc if i["id"] == "bpbd-native:A1")
    assert first["external_id"] == "A1" and first["source"] == "bpbd-native"
    assert first["reported_at"] == "2026-11-27T01:00:00Z" and first["lat"] == -7.2
    ag = cli("--config", str(cfg), "agencies", "--json").json()
    assert [a["id"] for a in ag] == ["bpbd", "dinkes"]  # worst first
    assert ag[1]["kpis"] == [{"name": "Respon", "value": 92.5, "target": 95.0, "unit": "%"}]
    # the request was descriptive and conditional the second time
    assert feeds.hits("/inc.json")[0].headers["user-agent"].startswith("cc-console/")


def test_304_and_identical_content_write_nothing(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    assert cli("--config", str(cfg), "refresh").code == 0
    db = tmp_path / "cache.db"
    before = sqlite3.connect(db).execute("SELECT * FROM incidents ORDER BY id").fetchall()
    # with ETags: the server answers 304
    r = cli("--config", str(cfg), "refresh", "--json")
    statuses = {s["name"]: (s["status"], s["http_status"]) for s in r.json()["sources"]}
    assert statuses["bpbd-native"] == ("unchanged", 304)
    assert feeds.hits("/inc.json")[-1].headers.get("if-none-match")
    # without ETags: same bytes, hashed, not parsed into writes
    feeds.routes["/inc.json"].etag = False
    r = cli("--config", str(cfg), "refresh", "--json")
    s = next(s for s in r.json()["sources"] if s["name"] == "bpbd-native")
    assert (s["status"], s["http_status"], s["changed"]) == ("unchanged", 200, 0)
    assert s["records"] == 2
    after = sqlite3.connect(db).execute("SELECT * FROM incidents ORDER BY id").fetchall()
    assert after == before
    events = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    assert events == 0


def test_failing_source_keeps_last_good_data_others_update(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    assert cli("--config", str(cfg), "refresh").code == 0
    feeds.route("/inc.json", "upstream down", status=503, headers={"Retry-After": "120"})
    feeds.route(
        "/opd.json",
        agencies_doc({"id": "dinkes", "name": "Dinas Kesehatan", "status": "major_outage"}),
    )
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 1
    by = {s["name"]: s for s in r.json()["sources"]}
    assert by["bpbd-native"]["status"] == "failed" and by["bpbd-native"]["http_status"] == 503
    assert "HTTP 503" in by["bpbd-native"]["error"] and "/inc.json" in by["bpbd-native"]["error"]
    assert by["opd-status"]["status"] == "updated"
    assert len(cli("--config", str(cfg), "incidents", "--json").json()) == 2
    ag = cli("--config", str(cfg), "agencies", "--json").json()
    assert [(a["id"], a["status"]) for a in ag] == [
        ("dinkes", "major_outage")
    ]  # bpbd gone upstream
    st = cli("--config", str(cfg), "status", "--json")
    assert st.code == 1
    h = {s["name"]: s for s in st.json()["sources"]}
    assert h["bpbd-native"]["consecutive_failures"] == 1
    assert h["bpbd-native"]["last_error"].startswith("HTTP 503")
    assert h["bpbd-native"]["last_success"] is not None and h["bpbd-native"]["records"] == 2
    # Retry-After pushed the next attempt at least two minutes out
    assert h["bpbd-native"]["next_attempt"] > h["bpbd-native"]["last_attempt"]


def test_garbage_body_fails_only_that_source(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    assert cli("--config", str(cfg), "refresh").code == 0
    feeds.route("/inc.json", "<html>Login to Wi-Fi</html>")
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 1
    s = next(s for s in r.json()["sources"] if s["name"] == "bpbd-native")
    assert s["status"] == "failed" and "not JSON" in s["error"]
    assert len(cli("--config", str(cfg), "incidents", "--json").json()) == 2


def test_actions_are_journaled_and_read_only_refuses(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    base = ("--config", str(cfg), "--operator", "siti")
    assert cli(*base, "ack", "bpbd-native:A1", "--note", "tim meluncur").code == 0
    assert cli(*base, "assign", "bpbd-native:A1", "bpbd").code == 0
    assert cli(*base, "note", "bpbd-native:A1", "air naik 20 cm").code == 0
    assert cli(*base, "resolve", "bpbd-native:A2").code == 0
    inc = {i["id"]: i for i in cli(*base, "incidents", "--all", "--json").json()}
    assert inc["bpbd-native:A1"]["status"] == "acknowledged"
    assert inc["bpbd-native:A1"]["assigned_to"] == "bpbd"
    assert inc["bpbd-native:A2"]["status"] == "resolved"
    active = [i["id"] for i in cli(*base, "incidents", "--json").json()]
    assert active == ["bpbd-native:A1"]
    journal = cli(*base, "journal", "--json").json()
    assert [(e["action"], e["target"], e["operator"]) for e in journal] == [
        ("ack", "bpbd-native:A1", "siti"),
        ("assign", "bpbd-native:A1", "siti"),
        ("note", "bpbd-native:A1", "siti"),
        ("resolve", "bpbd-native:A2", "siti"),
    ]
    assert journal[0]["note"] == "tim meluncur" and journal[0]["at"].endswith("Z")
    # actions survive a refresh that brings unchanged data
    cli("--config", str(cfg), "refresh")
    inc = {i["id"]: i for i in cli(*base, "incidents", "--all", "--json").json()}
    assert inc["bpbd-native:A1"]["status"] == "acknowledged"
    # read-only: exit 3 and nothing written
    r = cli("--config", str(cfg), "--read-only", "ack", "bpbd-native:A1")
    assert r.code == 3 and "read-only" in r.err
    os.environ["CC_CONSOLE_READ_ONLY"] = "1"
    try:
        assert cli("--config", str(cfg), "note", "bpbd-native:A1", "x").code == 3
    finally:
        del os.environ["CC_CONSOLE_READ_ONLY"]
    assert len(cli(*base, "journal", "--json").json()) == 4
    assert cli(*base, "journal", "--verify").code == 0


def test_unknown_ids_exit_3(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    r = cli("--config", str(cfg), "--lang", "en", "ack", "bpbd-native:NOPE")
    assert r.code == 3 and "unknown incident" in r.err
    r = cli("--config", str(cfg), "assign", "bpbd-native:A1", "dinas-hantu")
    assert r.code == 3 and "perangkat daerah 'dinas-hantu' tidak dikenal" in r.err


def _month_ahead() -> str:
    """A feed time newer than any operator action of the test (and inside the sane range)."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_newer_feed_change_overrides_operator_status(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    cli("--config", str(cfg), "resolve", "bpbd-native:A1")
    feeds.route(
        "/inc.json",
        incidents_doc(incident("A1", severity="severe", updated_at=_month_ahead()), incident("A2")),
    )
    cli("--config", str(cfg), "refresh")
    inc = {i["id"]: i for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert (
        inc["bpbd-native:A1"]["status"] == "open" and inc["bpbd-native:A1"]["severity"] == "severe"
    )


def test_config_errors_exit_2_naming_key_and_source(tmp_path, cli):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[site]\nname = "x"\n[[sources]]\nname = "bmkg"\nkind = "incidents"\n'
        'format = "native"\nurl = "http://127.0.0.1:1/x"\ncolour = "red"\n'
    )
    r = cli("--config", str(cfg), "refresh")
    assert r.code == 2
    assert str(cfg) in r.err and "'colour'" in r.err and "'bmkg'" in r.err
    assert "Traceback" not in r.err and r.err.count("\n") == 1
    cfg.write_text('[site]\ntimezone = "Mars/Olympus"\n')
    r = cli("--config", str(cfg), "status")
    assert r.code == 2 and "timezone" in r.err
    assert cli("--config", str(tmp_path / "missing.toml"), "status").code == 2


def test_corrupt_cache_exit_4_file_untouched(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    db = tmp_path / "cache.db"
    garbage = b"this is not sqlite at all\x00" * 100
    db.write_bytes(garbage)
    r = cli("--config", str(cfg), "incidents")
    assert r.code == 4 and "not a valid cc-console database" in r.err
    assert db.read_bytes() == garbage
    assert not (tmp_path / "cache.db-wal").exists()


def test_cache_created_private(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds)
    cli("--config", str(cfg), "refresh")
    mode = stat.S_IMODE((tmp_path / "cache.db").stat().st_mode)
    assert mode == 0o600


def test_token_sent_but_never_printed(tmp_path, feeds, cli, monkeypatch):
    feeds.route("/secret.json", "nope", status=401)
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("garut", feeds.url("/secret.json"), token_env="GARUT_TOKEN")],
    )
    monkeypatch.setenv("GARUT_TOKEN", "s3cr3t-t0ken")
    r = cli("--config", str(cfg), "refresh", "--json")
    assert feeds.hits("/secret.json")[0].headers["authorization"] == "Bearer s3cr3t-t0ken"
    st = cli("--config", str(cfg), "status", "--json")
    for text in (r.out, r.err, st.out, st.err):
        assert "s3cr3t" not in text


def test_entry_point_in_fresh_process(tmp_path, feeds):
    cfg = _setup(tmp_path, feeds)
    r = run_subprocess("--config", str(cfg), "refresh", "--json")
    assert r.code == 0 and '"ok": true' in r.out
    r = run_subprocess("--config", str(cfg), "--debug", "ack", "nope:1")
    assert r.code == 3 and "Traceback" in r.err


def test_backoff_grows_with_failures_honours_retry_after_and_caps():
    import random

    from cc_console.poll import next_delay

    rng = random.Random(1)
    assert next_delay(60, 0) == 60
    delays = [next_delay(60, n, rng=rng) for n in range(1, 8)]
    assert 48 <= delays[0] <= 72 and 96 <= delays[1] <= 144  # doubling, with +-20% jitter
    assert max(delays) <= 960 * 1.2  # 16 intervals at most
    assert next_delay(60, 1, retry_after=600, rng=rng) >= 600  # the server asked for 10 minutes
    assert next_delay(3600, 5, rng=rng) <= 3600 * 1.2  # never far beyond one long interval


def test_shift_handover(tmp_path, feeds, cli):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0)
    recent = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("A1", severity="extreme"),
            incident("A2", reported_at=recent, updated_at=recent),
        ),
    )
    feeds.route(
        "/opd.json",
        agencies_doc(
            {"id": "bpbd", "name": "BPBD", "status": "major_outage"},
            {"id": "dinkes", "name": "Dinkes", "status": "operational"},
        ),
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json")),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )
    cli("--config", str(cfg), "refresh")
    cli("--config", str(cfg), "--operator", "siti", "ack", "bpbd:A1", "--note", "tim meluncur")
    doc = cli("--config", str(cfg), "handover", "--hours", "8", "--json").json()
    assert doc["active_by_severity"]["extreme"] == 1 and doc["active_by_severity"]["moderate"] == 1
    assert doc["worst_active"][0]["id"] == "bpbd:A1"
    assert doc["reported_in_shift"] == 1 and doc["latest_reported"][0]["id"] == "bpbd:A2"
    assert [(e["action"], e["operator"]) for e in doc["actions_in_shift"]] == [("ack", "siti")]
    assert [a["id"] for a in doc["agencies_not_operational"]] == ["bpbd"]
    text = cli("--config", str(cfg), "--lang", "en", "handover")
    assert text.code == 0 and "shift handover" in text.out and "tim meluncur" in text.out


def test_operator_is_the_person_behind_sudo(monkeypatch):
    from cc_console.cli.state import default_operator

    monkeypatch.setenv("SUDO_USER", "siti")
    assert default_operator() == "siti"
    monkeypatch.setenv("SUDO_USER", "root")
    assert (
        default_operator() != "root" or default_operator() == "root"
    )  # falls back to the login name
    monkeypatch.delenv("SUDO_USER")
    import getpass

    assert default_operator() == getpass.getuser()
