"""Decisions and action items through the CLI, against a real cache filled by a real refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cc_console.store import Store
from tests.conftest import agencies_doc, native_source, write_config

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//garut//rakor//ID\r\n"
    "BEGIN:VEVENT\r\nUID:rakor@garut\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:{start}\r\nDTEND:{end}\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\n"
    "SUMMARY:Rapat Koordinasi Mingguan\r\nLOCATION:Ruang CC\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _setup(tmp_path, feeds, cli):
    first = datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(days=8)
    feeds.route(
        "/rakor.ics",
        ICS.format(
            start=f"{first:%Y%m%dT%H%M%SZ}", end=f"{first + timedelta(hours=1):%Y%m%dT%H%M%SZ}"
        ),
    )
    feeds.route(
        "/opd.json", agencies_doc({"id": "pupr", "name": "Dinas PUPR", "status": "operational"})
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")},
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    week = [
        m["id"]
        for m in cli(
            "--config", str(cfg), "agenda", "--from", f"{first:%Y-%m-%d}",
            "--to", f"{first + timedelta(days=15):%Y-%m-%d}", "--json",
        ).json()
    ]  # fmt: skip
    return cfg, week


def test_the_whole_life_of_an_action_item(tmp_path, feeds, cli):
    cfg, (last_week, this_week, *_) = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg), "--operator", "siti")
    r = cli(*run, "decide", last_week, "Normalisasi saluran Cimanuk dimulai", "--json")
    assert r.code == 0, r.err
    assert r.json()["id"] == "D-1"
    past = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d")
    r = cli(*run, "action", "add", "Kirim alat berat ke Cimanuk", "--owner", "pupr",
            "--due", past, "--meeting", last_week, "--allow-past", "--json")  # fmt: skip
    assert r.code == 0, r.err
    item = r.json()
    assert item["id"] == "A-1" and item["overdue"] and item["status"] == "open"
    assert item["meeting_title"] == "Rapat Koordinasi Mingguan"
    assert cli(*run, "refresh").code == 0  # the check records it overdue, once
    assert cli(*run, "refresh").code == 0
    store = Store(tmp_path / "cache.db")
    overdue = [e for e in store.events.latest(kinds=("action.overdue",))]
    store.close()
    assert [e.target for e in overdue] == ["A-1"]
    listed = cli(*run, "action", "list", "--overdue", "--json").json()
    assert [i["id"] for i in listed] == ["A-1"]
    # This week's meeting starts with last week's open item.
    minutes = cli(*run, "minutes", this_week, "--json").json()
    assert [i["id"] for i in minutes["carried_over"]] == ["A-1"]
    assert cli(*run, "minutes", last_week, "--json").json()["decisions"][0]["id"] == "D-1"
    md = cli(*run, "minutes", last_week, "--format", "md").out
    assert (
        md.startswith("# Notulen Rapat\n\n## Rapat Koordinasi Mingguan")
        and "## Keputusan" in md
        and "A-1" in md
    )
    assert cli(*run, "action", "done", "A-1", "--note", "alat tiba").code == 0
    r = cli(*run, "action", "done", "A-1")
    assert r.code == 3 and "A-1 sudah selesai" in r.err  # in the site's language (id)
    journal = cli(*run, "journal", "--json").json()
    assert [(e["action"], e["operator"]) for e in journal] == [
        ("decide", "siti"), ("action.add", "siti"), ("action.done", "siti"),
    ]  # fmt: skip
    assert cli(*run, "journal", "--verify").code == 0
    assert cli(*run, "action", "list", "--open", "--json").json() == []


def test_a_meeting_dropped_by_the_feed_keeps_its_minutes(tmp_path, feeds, cli):
    cfg, (last_week, *_) = _setup(tmp_path, feeds, cli)
    assert cli("--config", str(cfg), "decide", last_week, "Posko dibuka").code == 0
    feeds.route("/rakor.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert cli("--config", str(cfg), "refresh").code == 0
    doc = cli("--config", str(cfg), "minutes", last_week, "--json").json()
    assert doc["meeting"]["title"] == "Rapat Koordinasi Mingguan"
    assert [d["text"] for d in doc["decisions"]] == ["Posko dibuka"]


def test_exit_codes_2_and_3(tmp_path, feeds, cli):
    cfg, (meeting, *_) = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    add = (*run, "action", "add", "Tugas")
    assert cli(*add, "--owner", "pupr", "--due", "31-12-2026").code == 2
    assert cli(*add, "--owner", "pupr", "--due", "2026-02-30").code == 2
    r = cli(*add, "--owner", "nobody", "--due", "2026-12-31")
    assert r.code == 3 and "nobody" in r.err
    assert cli(*add, "--owner", "pupr", "--due", "2026-12-31", "--meeting", "x:y").code == 3
    assert cli(*add, "--owner", "pupr", "--due", "2026-12-31", "--incident", "x:y").code == 3
    assert cli(*run, "decide", "nope:meeting", "teks").code == 3
    assert cli(*run, "action", "done", "A-99").code == 3
    r = cli(*run, "--read-only", "decide", meeting, "teks")
    assert r.code == 3 and "read-only" in r.err


def test_handover_and_rebuild_keep_the_follow_up(tmp_path, feeds, cli):
    cfg, (meeting, *_) = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    soon = (datetime.now(UTC) + timedelta(hours=30)).strftime("%Y-%m-%d")
    far = (datetime.now(UTC) + timedelta(days=9)).strftime("%Y-%m-%d")
    for text, due in (("Terlambat", past), ("Besok", soon), ("Nanti", far)):
        late = ("--allow-past",) if due == past else ()
        assert cli(*run, "action", "add", text, "--owner", "pupr", "--due", due, *late).code == 0
    doc = cli(*run, "handover", "--json").json()
    assert [i["text"] for i in doc["action_items_overdue"]] == ["Terlambat"]
    assert cli(*run, "decide", meeting, "Dicatat").code == 0
    r = cli(*run, "doctor", "--rebuild")
    assert r.code in (0, 1), r.out + r.err
    assert "decisions and action items carried over: 4" in r.out
    assert len(cli(*run, "action", "list", "--json").json()) == 3
    assert cli(*run, "journal", "--verify").code == 0


def test_the_demo_has_last_weeks_meeting_with_its_follow_up(tmp_path):
    from zoneinfo import ZoneInfo

    from cc_console.demo import DemoServer
    from cc_console.demo.session import seed_follow_up
    from tests.conftest import demo_store

    with DemoServer(tick_seconds=3600) as server:
        store, refresh = demo_store(server, tmp_path)
        refresh()
        seed_follow_up(store, ZoneInfo("Asia/Jakarta"))
        now = datetime.now(UTC)
        items = store.followups.items()
        assert {i.status for i in items} == {"open", "done"}
        assert any(i.overdue(now) for i in items)
        meeting = items[0].meeting_id
        assert meeting and len(store.followups.decisions(meeting)) == 2
        # Last week's meeting is closed: a notulen with attendance and discussion, its record
        # frozen as of the close (the item done two days later is open in it), its hash
        # journaled and verified.
        closure = store.meetings.closure(meeting)
        assert closure is not None and closure.record["minute_taker"]
        rec = closure.record
        assert len(rec["attendance"]) >= 3 and len(rec["discussion"]) == 3
        assert {i["status"] for i in rec["actions"]} == {"open"}
        assert store.journal.verify().ok
        # The meeting under way is open, with a decision taken on an incident and an agency.
        under_way = [m for m in store.agenda.between(now - timedelta(hours=2), now)
                     if m.uid == "sekarang@garutkab.go.id"]  # fmt: skip
        assert under_way and store.meetings.closure(under_way[0].id) is None
        (decision,) = store.followups.decisions(under_way[0].id)
        assert [e["kind"] for e in decision.evidence] == ["incident", "agency"]
        store.close()
