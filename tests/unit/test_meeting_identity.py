"""A meeting keeps its id, decisions, items and minutes when its calendar moves or edits it.

Real calendars on a real feed server, read by the real CLI into a real cache.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from cc_console.store import Store
from cc_console.store.schema import MIGRATIONS, _statements
from tests.conftest import agencies_doc, native_source, write_config

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//garut//rapat//ID\r\n"
TAIL = "END:VCALENDAR\r\n"


def _z(at: datetime) -> str:
    return f"{at:%Y%m%dT%H%M%SZ}"


def _event(uid: str, start: datetime, title: str, *extra: str) -> str:
    lines = [
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T000000Z",
        f"DTSTART:{_z(start)}", f"DTEND:{_z(start + timedelta(hours=1))}",
        f"SUMMARY:{title}", *extra, "END:VEVENT",
    ]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


def _setup(tmp_path, feeds, cli, calendar: str):
    feeds.route("/rapat.ics", calendar)
    feeds.route(
        "/opd.json", agencies_doc({"id": "pupr", "name": "Dinas PUPR", "status": "operational"})
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {"name": "rapat", "kind": "agenda", "format": "ical", "url": feeds.url("/rapat.ics")},
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


def _agenda(cli, cfg, day: datetime) -> list[dict]:
    return cli(
        "--config", str(cfg), "agenda", "--from", f"{day - timedelta(days=10):%Y-%m-%d}",
        "--to", f"{day + timedelta(days=30):%Y-%m-%d}", "--json",
    ).json()  # fmt: skip


def test_a_moved_and_edited_meeting_keeps_its_id_decisions_items_and_minutes(tmp_path, feeds, cli):
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=2)
    cfg = _setup(tmp_path, feeds, cli, HEAD + _event("evaluasi@garut", start, "Evaluasi") + TAIL)
    run = ("--config", str(cfg))
    (meeting,) = _agenda(cli, cfg, start)
    assert meeting["id"] == "rapat:evaluasi@garut"
    assert cli(*run, "decide", meeting["id"], "Posko dibuka 24 jam").code == 0
    due = f"{start + timedelta(days=3):%Y-%m-%d}"
    added = cli(*run, "action", "add", "Kirim tenda", "--owner", "pupr", "--due", due,
                "--meeting", meeting["id"])  # fmt: skip
    assert added.code == 0, added.err
    # The calendar moves it two hours later and renames it.
    later = start + timedelta(hours=2)
    feeds.route("/rapat.ics", HEAD + _event("evaluasi@garut", later, "Evaluasi Banjir") + TAIL)
    assert cli(*run, "refresh").code == 0
    (moved,) = _agenda(cli, cfg, start)
    assert moved["id"] == meeting["id"]
    assert moved["title"] == "Evaluasi Banjir" and moved["start"] == f"{later:%Y-%m-%dT%H:%M:%SZ}"
    minutes = cli(*run, "minutes", moved["id"], "--json").json()
    assert [d["text"] for d in minutes["decisions"]] == ["Posko dibuka 24 jam"]
    assert [i["text"] for i in minutes["actions"]] == ["Kirim tenda"]
    assert minutes["carried_over"] == []  # its own item, not one of an earlier meeting
    # And moved back earlier than it first was: still the same meeting.
    earlier = start - timedelta(hours=3)
    feeds.route("/rapat.ics", HEAD + _event("evaluasi@garut", earlier, "Evaluasi Banjir") + TAIL)
    assert cli(*run, "refresh").code == 0
    assert [m["id"] for m in _agenda(cli, cfg, start)] == [meeting["id"]]
    again = cli(*run, "minutes", meeting["id"], "--json").json()
    assert len(again["decisions"]) == 1 and len(again["actions"]) == 1
    assert again["carried_over"] == []


def test_a_moved_occurrence_of_a_series_keeps_its_id_and_the_table_shows_ids(tmp_path, feeds, cli):
    first = datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(days=8)
    series = _event("rakor@garut", first, "Rakor", "RRULE:FREQ=WEEKLY;COUNT=4")
    cfg = _setup(tmp_path, feeds, cli, HEAD + series + TAIL)
    run = ("--config", str(cfg))
    ids = [m["id"] for m in _agenda(cli, cfg, first)]
    second = first + timedelta(days=7)
    assert ids[:2] == [f"rapat:rakor@garut:{f:%Y-%m-%dT%H:%M:%SZ}" for f in (first, second)]
    assert cli(*run, "decide", ids[0], "Keputusan pekan lalu").code == 0
    assert cli(*run, "decide", ids[1], "Keputusan pekan ini").code == 0
    due = f"{second + timedelta(days=20):%Y-%m-%d}"
    add = cli(*run, "action", "add", "Tugas lama", "--owner", "pupr", "--due", due,
              "--meeting", ids[0])  # fmt: skip
    assert add.code == 0, add.err
    # This week's occurrence moves a day later (an override with its RECURRENCE-ID).
    moved = _event("rakor@garut", second + timedelta(days=1), "Rakor (diundur)",
                   f"RECURRENCE-ID:{_z(second)}")  # fmt: skip
    feeds.route("/rapat.ics", HEAD + series + moved + TAIL)
    assert cli(*run, "refresh").code == 0
    after = _agenda(cli, cfg, first)
    assert [m["id"] for m in after] == ids
    assert after[1]["title"] == "Rakor (diundur)"
    minutes = cli(*run, "minutes", ids[1], "--json").json()
    assert [d["text"] for d in minutes["decisions"]] == ["Keputusan pekan ini"]
    assert [i["text"] for i in minutes["carried_over"]] == ["Tugas lama"]  # last week's
    # `agenda` (the table) shows the id to give `decide` and `minutes`.
    table = cli(*run, "--lang", "en", "agenda", "--from", f"{first:%Y-%m-%d}",
                "--to", f"{first + timedelta(days=1):%Y-%m-%d}").out  # fmt: skip
    last_column = "".join(
        line.split("│")[-2].strip() for line in table.splitlines() if line.count("│") > 2
    )  # the id, folded over lines but whole
    assert "ID" in table and ids[0] in last_column


def test_old_ids_of_a_cache_are_mapped_where_the_meeting_is_known(tmp_path):
    """A cache of schema 12 held start-time ids; a single event's move had left
    decisions on two ids. Both join the event's new id; a series keeps its ids."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:12], start=1):
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    agenda = [
        ("rapat:eval@g:2026-12-05T03:00:00Z", "eval@g", "2026-12-05T03:00:00Z"),
        ("rapat:rakor@g:2026-11-30T01:00:00Z", "rakor@g", "2026-11-30T01:00:00Z"),
        ("rapat:rakor@g:2026-12-07T01:00:00Z", "rakor@g", "2026-12-07T01:00:00Z"),
    ]
    conn.executemany(
        "INSERT INTO agenda(id, source, uid, title, start, row_hash) "
        "VALUES (?, 'rapat', ?, 'Rapat', ?, 'x')",
        agenda,
    )
    decisions = [
        ("rapat:eval@g:2026-12-05T01:00:00Z", "eval@g"),  # before the meeting moved
        ("rapat:eval@g:2026-12-05T03:00:00Z", "eval@g"),
        ("rapat:rakor@g:2026-11-30T01:00:00Z", "rakor@g"),
        ("rapat:gone@g:2026-11-01T01:00:00Z", "gone@g"),  # dropped by the calendar
    ]
    conn.executemany(
        "INSERT INTO decisions(meeting_id, meeting_uid, meeting_title, meeting_start, text, "
        "created_at, created_by) VALUES (?, ?, 'Rapat', '2026-12-05T01:00:00Z', 'D', "
        "'2026-12-01T00:00:00Z', 'siti')",
        decisions,
    )
    conn.execute(
        "INSERT INTO action_items(text, owner, due, meeting_id, meeting_uid, created_at, "
        "created_by) VALUES ('A', 'pupr', '2026-12-09T00:00:00Z', "
        "'rapat:eval@g:2026-12-05T01:00:00Z', 'eval@g', '2026-12-01T00:00:00Z', 'siti')"
    )
    conn.close()
    store = Store(path)
    try:
        got = [
            r["meeting_id"] for r in store.db.rows("SELECT meeting_id FROM decisions ORDER BY seq")
        ]
        assert got == [
            "rapat:eval@g", "rapat:eval@g",
            "rapat:rakor@g:2026-11-30T01:00:00Z", "rapat:gone@g:2026-11-01T01:00:00Z",
        ]  # fmt: skip
        assert store.db.scalar("SELECT meeting_id FROM action_items") == "rapat:eval@g"
        ids = sorted(r["id"] for r in store.db.rows("SELECT id FROM agenda"))
        assert ids == ["rapat:eval@g", *(a[0] for a in agenda[1:])]
        assert store.agenda.get("rapat:eval@g") is not None
        assert len(store.followups.decisions("rapat:eval@g")) == 2
        assert store.followups.remembered("rapat:gone@g:2026-11-01T01:00:00Z") is not None
    finally:
        store.close()


def test_the_demos_meetings_keep_their_ids_as_its_clock_moves():
    """The demo's meeting "in progress" starts 20 minutes before the world's clock:
    each minute it moves, and its id (and its record) must not."""
    from zoneinfo import ZoneInfo

    from cc_console.demo.render import ical
    from cc_console.demo.world import DemoWorld
    from cc_console.sources.base import ParseContext
    from cc_console.sources.ical import parse

    start = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    world = DemoWorld(now=start)
    seen = []
    for minutes in (0, 1, 7, 61):
        now = start + timedelta(minutes=minutes)
        world.tick(now)
        ctx = ParseContext("agenda-pemkab", "agenda", "demo:", now, tz=ZoneInfo("Asia/Jakarta"))
        parsed = parse(ical(world, ""), ctx)
        assert not parsed.warnings
        seen.append({m.id: m.start for m in parsed.meetings})
    assert all(ids.keys() == seen[0].keys() for ids in seen)
    live = "agenda-pemkab:sekarang@garutkab.go.id"
    assert seen[0][live] != seen[-1][live]  # it did move
