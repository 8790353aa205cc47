"""The meeting's record (notulen) through the real CLI: notes, attendance, decisions with
evidence, close, the frozen record and its hash in the journal, the printed minutes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests import clock
from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config

# Thursday 3 December 2026, 08:00-09:30 WIB; the suite's clock is 10:00 WIB that day.
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//garut//rakor//ID\r\n"
    "BEGIN:VEVENT\r\nUID:rakor@garut\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:{start}\r\nDTEND:{end}\r\n"
    "SUMMARY:Rapat Koordinasi Penanganan Banjir\r\nLOCATION:Aula Setda\r\n"
    "ORGANIZER;CN=Bupati Garut:mailto:bupati@garutkab.go.id\r\n"
    "DESCRIPTION:Evaluasi penanganan banjir Cimanuk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
MEETING = "rakor:rakor@garut"
AGENCIES = (
    {"id": "pupr", "name": "Dinas PUPR", "status": "major_outage",
     "kpis": [{"name": "Jalan mantap", "value": 71, "target": 80, "unit": "%"}]},
    {"id": "dinsos", "name": "Dinas Sosial", "status": "operational"},
    {"id": "bpbd", "name": "BPBD Garut", "status": "operational"},
)  # fmt: skip


def _calendar(feeds, start: datetime = START) -> None:
    feeds.route(
        "/rakor.ics",
        ICS.format(
            start=f"{start:%Y%m%dT%H%M%SZ}", end=f"{start + timedelta(minutes=90):%Y%m%dT%H%M%SZ}"
        ),
    )


@pytest.fixture
def world(tmp_path, feeds, cli):
    _calendar(feeds)
    feeds.route("/opd.json", agencies_doc(*AGENCIES))
    feeds.route(
        "/bpbd.json",
        incidents_doc(
            incident("LAP-1", "Banjir di Kec. Tarogong Kidul", severity="severe",
                     assigned_to="bpbd", reported_at="2026-12-02T20:00:00Z",
                     updated_at="2026-12-02T20:00:00Z")
        ),
    )  # fmt: skip
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/rakor.ics")},
            native_source("opd", feeds.url("/opd.json"), "agencies"),
            native_source("bpbd", feeds.url("/bpbd.json")),
        ],
    )  # fmt: skip
    assert cli("--config", str(cfg), "refresh").code in (0, 1)
    return cfg


def _record_a_meeting(cli, cfg) -> None:
    run = ("--config", str(cfg), "--operator", "siti")
    ok = [
        cli(*run, "meeting", "note", MEETING, "Debit Cimanuk naik 40 cm sejak pagi"),
        cli(*run, "meeting", "note", MEETING, "Dua jembatan darurat perlu diperiksa"),
        cli(*run, "meeting", "attend", MEETING, "pupr", "dinsos"),
        cli(*run, "meeting", "attend", MEETING, "pupr", "bpbd"),  # pupr is not listed twice
        cli(*run, "decide", MEETING, "Posko siaga dibuka 24 jam", "--incident", "bpbd:LAP-1",
            "--agency", "pupr"),
        cli(*run, "action", "add", "Kirim alat berat", "--owner", "pupr", "--due", "besok 12:00",
            "--meeting", MEETING),
        cli(*run, "action", "add", "Data pengungsi", "--owner", "dinsos", "--due", "hari ini",
            "--meeting", MEETING),
        cli(*run, "action", "add", "Laporan pagi", "--owner", "bpbd", "--due", "kamis 09:00",
            "--allow-past", "--meeting", MEETING),
    ]  # fmt: skip
    assert [r.code for r in ok] == [0] * len(ok), [r.err for r in ok]
    assert cli(*run, "action", "done", "A-2", "--note", "312 jiwa di 4 posko").code == 0


def _documents(cli, cfg, *lang: str) -> tuple[str, str, str]:
    run = ("--config", str(cfg), *lang, "minutes", MEETING)
    md, page, doc = cli(*run, "--format", "md"), cli(*run, "--format", "html"), cli(*run, "--json")
    assert md.code == page.code == doc.code == 0, md.err + page.err + doc.err
    return md.out, page.out, doc.out


def test_a_closed_meeting_is_a_notulen_that_never_changes(world, feeds, cli) -> None:
    cfg = world
    _record_a_meeting(cli, cfg)
    run = ("--config", str(cfg), "--operator", "budi")
    r = cli(*run, "meeting", "close", MEETING, "--json")
    assert r.code == 0, r.err
    closed = r.json()
    rec = cli("--config", str(cfg), "minutes", MEETING, "--json").json()
    assert rec == closed
    assert rec["chair"] == "Bupati Garut" and rec["minute_taker"] == "siti"
    assert rec["closed_by"] == "budi" and rec["agenda"] == "Evaluasi penanganan banjir Cimanuk"
    assert [(a["id"], a["name"]) for a in rec["attendance"]] == [
        ("bpbd", "BPBD Garut"),
        ("pupr", "Dinas PUPR"),
        ("dinsos", "Dinas Sosial"),
    ]  # fmt: skip (by name)
    assert [d["text"] for d in rec["discussion"]] == [
        "Debit Cimanuk naik 40 cm sejak pagi", "Dua jembatan darurat perlu diperiksa",
    ]  # fmt: skip
    (decision,) = rec["decisions"]
    inc, agency = decision["evidence"]
    assert inc["kind"] == "incident" and inc["id"] == "bpbd:LAP-1"
    assert (inc["title"], inc["severity"], inc["status"]) == (
        "Banjir di Kec. Tarogong Kidul", "severe", "open",
    )  # fmt: skip
    assert (inc["assigned_to"], inc["assigned_to_name"]) == ("bpbd", "BPBD Garut")
    assert "breach" in inc and inc["as_of"] == decision["created_at"]
    assert agency["kind"] == "agency" and agency["status"] == "major_outage"
    assert agency["kpis"] == [
        {"name": "Jalan mantap", "value": 71.0, "target": 80.0, "unit": "%", "met": False}
    ]
    assert [i["id"] for i in rec["actions"]] == ["A-1", "A-2", "A-3"]  # in the order recorded
    by_id = {i["id"]: i for i in rec["actions"]}
    assert by_id["A-1"]["owner_name"] == "Dinas PUPR" and by_id["A-1"]["status"] == "open"
    assert by_id["A-2"]["status"] == "done" and by_id["A-2"]["note"] == "312 jiwa di 4 posko"
    # The close journaled the record's hash; the chain and the record verify.
    journal = cli("--config", str(cfg), "journal", "--json").json()
    close = [e for e in journal if e["action"] == "meeting.close"]
    assert [(e["target"], e["note"], e["operator"]) for e in close] == [
        (MEETING, f"sha256:{rec['hash']}", "budi")
    ]
    actions = [e["action"] for e in journal]
    assert actions.count("meeting.note") == 2 and actions.count("meeting.attend") == 3
    assert cli("--config", str(cfg), "journal", "--verify").code == 0

    md, page, doc = _documents(cli, cfg)
    en = _documents(cli, cfg, "--lang", "en")
    # A notulen: the full day and date, start-end in WIB, chair, minute-taker, owners by
    # name, the completion note, the evidence, the signatures; no live status.
    for text in ("Kamis, 3 Desember 2026", "08.00 – 09.30 WIB", "Aula Setda", "Bupati Garut",
                 "Notulis", "siti", "Dinas PUPR", "Dinas Sosial", "312 jiwa di 4 posko",
                 "Debit Cimanuk naik 40 cm", "Pengesahan", "Dasar: kejadian bpbd:LAP-1 “Banjir di Kec. Tarogong Kidul”: berat, terbuka",
                 "Jalan mantap 71/80 % ✗", "BPBD Garut", "Evaluasi penanganan banjir Cimanuk",
                 "Status tindak lanjut saat rapat ditutup"):  # fmt: skip
        assert text in md, text
    assert "| pupr |" not in md and "lewat tenggat" not in md and "⚠" not in md
    assert "Thursday, 3 December 2026" in en[0] and "08:00 – 09:30 WIB" in en[0]
    assert "Minute-taker" in en[0] and "Based on" in en[0]
    assert "Kamis, 3 Desember 2026" in page and "Halaman" in page and "ditutup" in page

    # Refused now: nothing more is recorded for a closed meeting (exit 3, "closed").
    for args in (("decide", MEETING, "Lagi"), ("meeting", "note", MEETING, "Lagi"),
                 ("meeting", "attend", MEETING, "bpbd"), ("meeting", "close", MEETING),
                 ("action", "add", "Lagi", "--owner", "pupr", "--due", "besok",
                  "--meeting", MEETING)):  # fmt: skip
        r = cli(*run, *args)
        assert r.code == 3 and "closed" in r.err, (args, r.err)
    # The world moves: an item is done, an agency renamed, the incident resolved, the
    # meeting moved in the calendar, three days pass. The minutes stay what they were.
    assert cli(*run, "action", "done", "A-1", "--note", "tiba").code == 0
    feeds.route("/opd.json", agencies_doc({**AGENCIES[0], "name": "Dinas PUPR Baru"},
                                          *AGENCIES[1:]))  # fmt: skip
    feeds.route("/bpbd.json", incidents_doc(incident("LAP-1", "Banjir surut", status="resolved")))
    _calendar(feeds, START + timedelta(hours=5))
    assert cli("--config", str(cfg), "refresh").code in (0, 1)
    with clock.at(datetime(2026, 12, 6, 8, 0, tzinfo=UTC)):
        assert _documents(cli, cfg) == (md, page, doc)
        assert _documents(cli, cfg, "--lang", "en") == en
    assert cli("--config", str(cfg), "journal", "--verify").code == 0


def test_an_open_meeting_says_as_of_when_and_what_is_overdue(world, cli) -> None:
    cfg = world
    _record_a_meeting(cli, cfg)
    rec = cli("--config", str(cfg), "minutes", MEETING, "--json").json()
    assert rec["hash"] is None and rec["closed_at"] is None and rec["as_of"]
    with clock.at(datetime(2026, 12, 3, 3, 0, tzinfo=UTC)):  # 10:00 WIB, whatever the run's length
        md = cli("--config", str(cfg), "minutes", MEETING, "--format", "md").out
    assert "Notulen belum ditutup: status tindak lanjut per Kam 03 Des 2026 10:00 WIB" in md
    assert "lewat tenggat" in md  # A-3 was due at 09:00
    html = cli("--config", str(cfg), "minutes", MEETING, "--format", "html").out
    assert "belum ditutup" in html


def test_journal_verify_fails_when_a_closed_record_is_altered(world, cli, tmp_path) -> None:
    cfg = world
    _record_a_meeting(cli, cfg)
    assert cli("--config", str(cfg), "meeting", "close", MEETING).code == 0
    db = sqlite3.connect(tmp_path / "cache.db")
    with pytest.raises(sqlite3.DatabaseError, match="frozen"):  # the table refuses it
        db.execute("UPDATE meeting_closures SET closed_by = 'x'")
    # Someone who drops the guard and edits the record (a decision made nicer):
    db.executescript("DROP TRIGGER meeting_closures_no_update;")
    (text,) = db.execute("SELECT record FROM meeting_closures").fetchone()
    db.execute(
        "UPDATE meeting_closures SET record = ?",
        [text.replace("Posko siaga dibuka 24 jam", "Posko siaga dibuka 12 jam")],
    )
    db.commit()
    r = cli("--config", str(cfg), "journal", "--verify")
    assert r.code == 1 and MEETING in r.err and "altered" in r.err, r.out + r.err
    doc = cli("--config", str(cfg), "journal", "--verify", "--json").json()
    assert doc["ok"] is False and doc["broken_seq"] is not None
    # Put back: whole again. Then the record removed: missing.
    db.execute("UPDATE meeting_closures SET record = ?", [text])
    db.commit()
    assert cli("--config", str(cfg), "journal", "--verify").code == 0
    db.executescript("DROP TRIGGER meeting_closures_no_delete; DELETE FROM meeting_closures;")
    db.close()
    r = cli("--config", str(cfg), "journal", "--verify")
    assert r.code == 1 and "missing" in r.err, r.err


def test_bad_input_is_refused_and_nothing_is_recorded(world, cli) -> None:
    cfg = world
    run = ("--config", str(cfg))
    assert cli(*run, "meeting", "note", MEETING, "   ").code == 2
    assert cli(*run, "meeting", "note", "rakor:nope", "teks").code == 3
    r = cli(*run, "meeting", "attend", MEETING, "pupr", "nobody")
    assert r.code == 3 and "nobody" in r.err
    r = cli(*run, "decide", MEETING, "Teks", "--incident", "bpbd:NOPE")
    assert r.code == 3 and "NOPE" in r.err
    assert cli(*run, "decide", MEETING, "Teks", "--agency", "nobody").code == 3
    for args in (("meeting", "note", MEETING, "x"), ("meeting", "attend", MEETING, "pupr"),
                 ("meeting", "close", MEETING)):  # fmt: skip
        r = cli(*run, "--read-only", *args)
        assert r.code == 3 and "read-only" in r.err, r.err
    assert cli(*run, "minutes", MEETING, "--format", "pdf").code == 2
    rec = cli(*run, "minutes", MEETING, "--json").json()
    assert rec["attendance"] == [] and rec["decisions"] == [] and rec["discussion"] == []
    assert cli(*run, "journal", "--json").json() == []


def test_a_rebuild_keeps_the_record_and_its_hash(world, cli) -> None:
    cfg = world
    _record_a_meeting(cli, cfg)
    assert cli("--config", str(cfg), "meeting", "close", MEETING).code == 0
    before = cli("--config", str(cfg), "minutes", MEETING, "--json").json()
    r = cli("--config", str(cfg), "doctor", "--rebuild")
    assert r.code in (0, 1), r.out + r.err
    assert cli("--config", str(cfg), "minutes", MEETING, "--json").json() == before
    assert cli("--config", str(cfg), "journal", "--verify").code == 0


HOSTILE = '</style><script>alert(1)</script> "# judul" [x](http://evil)'


def test_quoted_text_stays_text_in_the_minutes(world, cli) -> None:
    cfg = world
    run = ("--config", str(cfg))
    assert cli(*run, "meeting", "note", MEETING, HOSTILE).code == 0
    page = cli(*run, "minutes", MEETING, "--format", "html").out
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("</style>") == 1
    md = cli(*run, "minutes", MEETING, "--format", "md").out
    assert "<script>" not in md and "\\[x\\]" in md


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium (.ci/run installs it)")
def test_the_minutes_print_on_a4_with_a_wib_header_and_page_numbers(
    world, cli, tmp_path: Path
) -> None:
    cfg = world
    _record_a_meeting(cli, cfg)
    run = ("--config", str(cfg))
    for n in range(40):  # a long meeting: the minutes run over pages
        said = f"Pembahasan butir {n + 1}: " + "kata " * 40
        assert cli(*run, "meeting", "note", MEETING, said).code == 0
    assert cli(*run, "meeting", "close", MEETING).code == 0
    page = tmp_path / "notulen.html"
    assert cli(*run, "minutes", MEETING, "--format", "html", "--out", str(page)).code == 0
    pdf = tmp_path / "notulen.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "pts (A4)" in info.stdout
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 2
    for p in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        # The header in WIB (the browser ran in UTC), the page of how many.
        assert "Notulen Rapat · Rapat Koordinasi Penanganan Banjir" in text, p
        assert "ditutup Kam 03 Des 2026 10:" in text and "WIB" in text, p
        assert f"Halaman {p} dari {pages}" in text, p
    first = subprocess.run(["pdftotext", "-layout", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "NOTULEN RAPAT" in first and "Kamis, 3 Desember 2026" in first
    last = subprocess.run(["pdftotext", "-layout", "-f", str(pages), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Pimpinan rapat" in last and "( Bupati Garut )" in last and "( siti )" in last
    json.dumps(last)  # (text, not bytes)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium (.ci/run installs it)")
def test_the_report_prints_through_the_same_page_with_its_header_in_wib(
    world, cli, tmp_path: Path
) -> None:
    page = tmp_path / "laporan.html"
    r = cli("--config", str(world), "report", "--days", "7", "--format", "html", "--out", str(page))
    assert r.code == 0, r.err
    pdf = tmp_path / "laporan.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    text = subprocess.run(["pdftotext", "-layout", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Command Center Kabupaten Garut" in text.split("\n", 2)[0] + text.split("\n", 2)[1]
    assert "dibuat Kam 03 Des 2026 10:" in text and "WIB" in text
    assert "Halaman 1 dari" in text


def test_an_all_day_meeting_dropped_by_the_calendar_keeps_its_date(tmp_path, feeds, cli) -> None:
    feeds.route(
        "/apel.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//garut//apel//ID\r\nBEGIN:VEVENT\r\n"
        "UID:apel@garut\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261203\r\n"
        "DTEND;VALUE=DATE:20261204\r\nSUMMARY:Apel Siaga Bencana\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "apel", "kind": "agenda", "format": "ical", "url": feeds.url("/apel.ics")}],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    assert cli("--config", str(cfg), "meeting", "note", "apel:apel@garut", "Apel dimulai").code == 0
    feeds.route("/apel.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    assert cli("--config", str(cfg), "refresh").code == 0
    for _ in range(2):  # from the calendar, then from the kept copy once closed
        r = cli("--config", str(cfg), "minutes", "apel:apel@garut", "--format", "md")
        assert r.code == 0 and "Kamis, 3 Desember 2026" in r.out and "sepanjang hari" in r.out, (
            r.err
        )
        assert cli("--config", str(cfg), "meeting", "close", "apel:apel@garut").code in (0, 3)
