"""Deadlines through the real pipeline: a 127.0.0.1 feed, a real refresh, a real cache."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from cc_console.config import load_config
from cc_console.store import Store
from cc_console.timefmt import iso_z
from tests.conftest import incident, incidents_doc, native_source, write_config

RULES = """
[[sla]]
match = { severity = ["extreme", "severe"] }
acknowledge_within = "15m"
resolve_within = "24h"

[[sla]]
match = { category = ["complaint"] }
acknowledge_within = "3d"
resolve_within = "14d"
clock = "working"
"""


def ago(minutes: float) -> str:
    return iso_z(datetime.now(UTC) - timedelta(minutes=minutes)) or ""


def _setup(tmp_path, feeds, *items, rules: str = RULES):
    feeds.route("/inc.json", incidents_doc(*items), etag=False)
    return write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", feeds.url("/inc.json"))],
        rules,
    )


def _events(tmp_path, kind: str) -> list[tuple]:
    conn = sqlite3.connect(tmp_path / "cache.db")
    try:
        return conn.execute(
            "SELECT target, data FROM events WHERE kind = ? ORDER BY seq", [kind]
        ).fetchall()
    finally:
        conn.close()


def test_sla_lists_breaches_and_what_falls_due_and_exits_1(tmp_path, feeds, cli):
    cfg = _setup(
        tmp_path,
        feeds,
        incident("LATE", "Banjir bandang", severity="extreme", reported_at=ago(120)),
        incident("SOON", "Longsor", severity="severe", reported_at=ago(5)),
        incident("NONE", "Jalan rusak", severity="minor", reported_at=ago(600)),
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    r = cli("--config", str(cfg), "sla", "--json")
    assert r.code == 1, r.err
    doc = r.json()
    (late,) = doc["breaches"]
    assert late["id"] == "bpbd:LATE" and late["breach"] == "acknowledge"
    assert 105 * 60 - 5 <= late["overdue_s"] <= 105 * 60 + 60
    (soon,) = doc["due_soon"]
    assert soon["id"] == "bpbd:SOON" and 9 * 60 <= soon["due_in_s"] <= 10 * 60 + 5
    rows = {i["id"]: i for i in cli("--config", str(cfg), "incidents", "--json").json()}
    assert rows["bpbd:LATE"]["breach"] == "acknowledge"
    assert rows["bpbd:LATE"]["acknowledge_due"] and rows["bpbd:LATE"]["resolve_due"]
    assert rows["bpbd:NONE"]["acknowledge_due"] is None and rows["bpbd:NONE"]["breach"] is None
    # Acknowledged: no longer in breach of the acknowledge deadline; exit 0.
    assert cli("--config", str(cfg), "ack", "bpbd:LATE").code == 0
    r = cli("--config", str(cfg), "sla", "--json")
    assert r.code == 0 and r.json()["breaches"] == []
    acked = cli("--config", str(cfg), "incidents", "--json").json()
    (row,) = [i for i in acked if i["id"] == "bpbd:LATE"]
    assert row["acknowledged_at"] and row["breach"] is None


def test_a_breach_is_one_timeline_event_not_one_per_poll(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds, incident("LATE", severity="severe", reported_at=ago(30)))
    for _ in range(3):
        assert cli("--config", str(cfg), "refresh").code == 0
    assert [t for t, _ in _events(tmp_path, "incident.breach")] == ["bpbd:LATE"]
    store = Store(tmp_path / "cache.db")
    kinds = [e.kind for e in store.incidents.timeline("bpbd:LATE")]
    store.close()
    assert kinds.count("incident.breach") == 1


def test_acknowledging_before_the_deadline_never_breaches(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds, incident("A", severity="severe", reported_at=ago(1)))
    assert cli("--config", str(cfg), "refresh").code == 0
    assert cli("--config", str(cfg), "ack", "bpbd:A").code == 0
    store = Store.for_config(load_config(cfg))
    # Twenty minutes on, the acknowledge deadline has passed: not a breach.
    assert store.deadlines.check(datetime.now(UTC) + timedelta(minutes=20)) == 0
    # A day on, the resolve deadline has: one breach, of the resolve kind.
    assert store.deadlines.check(datetime.now(UTC) + timedelta(hours=25)) == 1
    store.close()
    assert next(d for _, d in _events(tmp_path, "incident.breach")).count('"resolve"') == 1


def test_no_rule_no_deadline_and_a_rule_change_recomputes_on_the_next_start(tmp_path, feeds, cli):
    cfg = _setup(tmp_path, feeds, incident("A", severity="moderate", reported_at=ago(90)), rules="")
    assert cli("--config", str(cfg), "refresh").code == 0
    (row,) = cli("--config", str(cfg), "incidents", "--json").json()
    assert row["acknowledge_due"] is None
    assert cli("--config", str(cfg), "sla", "--json").code == 0
    text = cfg.read_text() + '\n[[sla]]\nacknowledge_within = "1h"\n'
    cfg.write_text(text)
    r = cli("--config", str(cfg), "sla", "--json")
    assert r.code == 1 and [b["id"] for b in r.json()["breaches"]] == ["bpbd:A"]


def test_new_incidents_after_the_first_snapshot_are_events_and_the_first_is_not(
    tmp_path, feeds, cli
):
    cfg = _setup(tmp_path, feeds, incident("OLD", severity="extreme"))
    reported = ago(1)  # once: two calls a second apart would be a change of the feed
    assert cli("--config", str(cfg), "refresh").code == 0
    assert _events(tmp_path, "incident.new") == []  # a feed's window is not news
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("OLD", severity="extreme"),
            incident("NEW", "Banjir bandang", severity="extreme", reported_at=reported),
        ),
        etag=False,
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    assert [t for t, _ in _events(tmp_path, "incident.new")] == ["bpbd:NEW"]
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("OLD", severity="minor"),
            incident("NEW", "Banjir bandang", severity="extreme", reported_at=reported),
        ),
        etag=False,
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    assert _events(tmp_path, "incident.severity") == []  # lowered, not raised
    assert [t for t, _ in _events(tmp_path, "incident.changed")] == ["bpbd:OLD"]


def test_agencies_down_and_up_and_sources_failing_and_recovered_are_events(tmp_path, feeds, cli):
    from tests.conftest import agencies_doc

    feeds.route("/opd.json", agencies_doc({"id": "pupr", "name": "PUPR", "status": "operational"}))
    cfg = write_config(
        tmp_path / "config.toml", [native_source("opd", feeds.url("/opd.json"), "agencies")]
    )
    run = ("--config", str(cfg), "refresh")
    assert cli(*run).code == 0
    feeds.route("/opd.json", agencies_doc({"id": "pupr", "name": "PUPR", "status": "major_outage"}))
    assert cli(*run).code == 0
    feeds.route("/opd.json", agencies_doc({"id": "pupr", "name": "PUPR", "status": "degraded"}))
    assert cli(*run).code == 0
    assert [t for t, _ in _events(tmp_path, "agency.down")] == ["pupr"]
    assert [t for t, _ in _events(tmp_path, "agency.up")] == ["pupr"]
    feeds.route("/opd.json", "down", status=503)
    for _ in range(3):
        assert cli(*run).code == 1
    assert [t for t, _ in _events(tmp_path, "source.failing")] == ["opd"]  # once, at the 2nd
    feeds.route("/opd.json", agencies_doc({"id": "pupr", "name": "PUPR", "status": "degraded"}))
    assert cli(*run).code == 0
    assert [t for t, _ in _events(tmp_path, "source.recovered")] == ["opd"]


def test_handover_names_the_breaches_and_what_falls_due_in_the_next_shift(tmp_path, feeds, cli):
    cfg = _setup(
        tmp_path,
        feeds,
        incident("LATE", "Banjir bandang", severity="extreme", reported_at=ago(120)),
        incident("NEXT", "Longsor", severity="severe", reported_at=ago(60 * 20)),
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    doc = cli("--config", str(cfg), "handover", "--json").json()
    assert [b["id"] for b in doc["breaches"]] == ["bpbd:NEXT", "bpbd:LATE"]
    assert doc["due_next_shift"] == []  # NEXT's resolve deadline is in 4h, but it is late already
    assert cli("--config", str(cfg), "ack", "bpbd:NEXT").code == 0
    doc = cli("--config", str(cfg), "handover", "--json").json()
    assert [b["id"] for b in doc["due_next_shift"]] == ["bpbd:NEXT"]
    text = cli("--config", str(cfg), "--lang", "en", "handover").out
    assert "Past their deadline" in text and "Deadlines in the next shift" in text
    assert "Banjir bandang" in text


DEMO_CLOCKS = {
    "weekday-morning": datetime(2026, 12, 3, 2, 30, tzinfo=UTC),  # Thursday 09:30 WIB
    "weekday-night": datetime(2026, 12, 3, 15, 19, tzinfo=UTC),  # Thursday 22:19 WIB
    "sunday": datetime(2026, 12, 6, 7, 0, tzinfo=UTC),  # Sunday 14:00 WIB
    "independence-day": datetime(2027, 8, 17, 1, 0, tzinfo=UTC),  # 17 August, 08:00 WIB
}


@pytest.mark.parametrize("when", DEMO_CLOCKS)
def test_the_demo_starts_with_a_few_breaches_and_an_extreme_flood_comes_a_minute_later(
    tmp_path, when
):
    from cc_console.demo import DemoServer, DemoWorld
    from cc_console.timefmt import utcnow
    from tests import clock
    from tests.conftest import demo_store

    with clock.at(DEMO_CLOCKS[when]):
        start = utcnow()
        world = DemoWorld(now=start)
        with DemoServer(world, tick_seconds=3600) as server:
            store, refresh = demo_store(server, tmp_path)
            refresh()
            late = store.deadlines.late(utcnow())
            assert 3 <= len(late) <= 15, len(late)
            alarm = store.deadlines.alarm(utcnow())
            assert 1 <= alarm.breaches <= 6 and alarm.new == 0, alarm.breaches
            world.tick(start + timedelta(seconds=61))
            refresh()
            alarm = store.deadlines.alarm(utcnow())
            assert alarm.new == 1 and alarm.worst is not None
            assert alarm.worst.title == "Banjir bandang menerjang permukiman di Kec. Cibatu"
            store.close()
