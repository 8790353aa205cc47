"""Crisis events through the real CLI: a flood's whole life, its sit-reps, its review.

The incidents come from a real feed server through a real refresh; times are
relative to the suite's clock (tests/clock.py), never to the hour it runs at.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from cc_console.crisis_render import md
from tests.conftest import agencies_doc, incident, incidents_doc, native_source, write_config

SLA = """
[[sla]]
match = { category = ["flood"] }
acknowledge_within = "15m"
resolve_within = "24h"
"""


def _z(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _setup(tmp_path, feeds, cli):
    now = datetime.now(UTC).replace(microsecond=0)
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident(
                "a1",
                "Banjir Cimanuk meluap",
                reported_at=_z(now - timedelta(hours=3)),
                updated_at=_z(now - timedelta(hours=3)),
                area="Kec. Garut Kota",
            ),
            incident(
                "a2",
                "Banjir Jl. Ciledug",
                reported_at=_z(now - timedelta(minutes=5)),
                updated_at=_z(now - timedelta(minutes=5)),
                area="Kec. Tarogong Kidul",
            ),
            incident("a3", "Pohon tumbang", category="other"),
        ),
    )
    feeds.route(
        "/opd.json",
        agencies_doc(
            {"id": "bpbd", "name": "BPBD Kab. Garut", "status": "operational"},
            {"id": "dinsos", "name": "Dinas Sosial", "status": "operational"},
        ),
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            native_source("bpbd", feeds.url("/inc.json")),
            native_source("opd", feeds.url("/opd.json"), "agencies"),
        ],
        SLA,
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg, now


def test_the_whole_life_of_an_event(tmp_path, feeds, cli):
    cfg, now = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg), "--operator", "siti")
    r = cli(*run, "event", "open", "Banjir Garut", "--category", "flood",
            "--area", "Garut Kota", "--area", "Kec. Tarogong Kidul", "--json")  # fmt: skip
    assert r.code == 0, r.err
    opened = r.json()
    assert opened["id"] == "E-1" and opened["status"] is None
    assert opened["areas"] == [
        {"area": "Garut Kota", "code": "32.05.01"},
        {"area": "Tarogong Kidul", "code": "32.05.05"},
    ]
    assert cli(*run, "event", "link", "E-1", "bpbd:a1", "bpbd:a2").code == 0
    assert cli(*run, "event", "link", "E-1", "bpbd:a3").code == 0
    assert cli(*run, "event", "unlink", "E-1", "bpbd:a3").code == 0
    # The response: a2 acknowledged within its 15 minutes, a1 three hours late.
    assert cli(*run, "ack", "bpbd:a2").code == 0
    assert cli(*run, "assign", "bpbd:a2", "bpbd").code == 0
    assert cli(*run, "ack", "bpbd:a1").code == 0
    assert cli(*run, "assign", "bpbd:a1", "dinsos").code == 0
    assert cli(*run, "resolve", "bpbd:a2").code == 0
    due = (now + timedelta(days=2)).strftime("%Y-%m-%d")
    assert cli(*run, "action", "add", "Dapur umum di GOR", "--owner", "dinsos", "--due", due,
               "--incident", "bpbd:a1").code == 0  # fmt: skip

    impact = ("event", "impact", "E-1")
    r = cli(*run, *impact, "--area", "Garut Kota", "--dead", "2", "--displaced", "120",
            "--houses-flooded", "40", "--source", "TRC BPBD")  # fmt: skip
    assert r.code == 0, r.err
    assert cli(*run, *impact, "--area", "32.05.05", "--displaced", "300", "--missing", "1",
               "--source", "Camat Tarogong Kidul").code == 0  # fmt: skip
    assert cli(*run, "event", "need", "E-1", "Perahu karet 5 unit", "--agency", "bpbd").code == 0
    assert cli(*run, "event", "need", "E-1", "Selimut dan makanan bayi").code == 0
    until = (now + timedelta(days=7)).strftime("%Y-%m-%d")
    r = cli(*run, "event", "status", "E-1", "tanggap-darurat", "--decree",
            "SK Bupati 360/123/BPBD/2026", "--until", until)  # fmt: skip
    assert r.code == 0, r.err

    first = cli(*run, "sitrep", "E-1", "--issue", "--json")
    assert first.code == 0, first.err
    one = first.json()
    assert one["number"] == 1 and one["previous"] is None and one["changes"] == {}
    assert one["totals"]["dead"] == 2 and one["totals"]["displaced"] == 420
    assert len(one["hash"]) == 64

    # The same area again: the figures it gives replace, those it leaves out stay.
    assert cli(*run, *impact, "--area", "Kec. Garut Kota", "--dead", "3", "--displaced", "150",
               "--source", "TRC BPBD, pendataan ulang").code == 0  # fmt: skip
    shown = cli(*run, "event", "show", "E-1", "--json").json()
    garut = next(a for a in shown["impact"]["by_area"] if a["code"] == "32.05.01")
    assert (garut["dead"], garut["displaced"], garut["houses_flooded"]) == (3, 150, 40)
    assert garut["source"] == "TRC BPBD, pendataan ulang" and garut["reports"] == 2
    assert shown["impact"]["totals"]["displaced"] == 450
    assert shown["impact"]["by_area"][0]["code"] == "32.05.01"  # the worst area first
    assert shown["status"] == "tanggap-darurat" and shown["decree"].startswith("SK Bupati")
    assert shown["status_until"].startswith(until[:8])
    assert shown["incidents"] == ["bpbd:a1", "bpbd:a2"]
    assert [n["text"] for n in shown["needs"]] == [
        "Perahu karet 5 unit",
        "Selimut dan makanan bayi",
    ]
    kinds = {(x["kind"], x["agency"]) for x in shown["responses"]}
    assert {("assignment", "bpbd"), ("assignment", "dinsos"), ("action_item", "dinsos")} <= kinds
    assert shown["last_sitrep"] == 1

    second = cli(*run, "sitrep", "E-1", "--issue", "--json").json()
    assert second["number"] == 2 and second["previous"]["number"] == 1
    assert second["changes"]["dead"] == 1 and second["changes"]["displaced"] == 30
    assert second["changes"]["missing"] == 0
    # An issued sit-rep is frozen: a later report does not change it.
    assert cli(*run, *impact, "--area", "Garut Kota", "--dead", "5", "--source", "RSUD").code == 0
    again = cli(*run, "sitrep", "E-1", "--number", "2", "--json").json()
    assert again == second
    draft = cli(*run, "sitrep", "E-1", "--json").json()
    assert draft["number"] is None and draft["changes"]["dead"] == 2

    review = cli(*run, "aar", "E-1", "--json").json()
    times = {t["incident"]: t for t in review["response_times"]}
    assert times["bpbd:a1"]["late"] == ["acknowledge"]
    assert times["bpbd:a2"]["late"] == []
    assert 3 * 3600 - 60 <= times["bpbd:a1"]["acknowledge_s"] <= 3 * 3600 + 600
    assert times["bpbd:a2"]["resolve_s"] is not None and times["bpbd:a1"]["resolve_s"] is None
    assert review["medians"]["acknowledge_s"] == pytest.approx(
        (times["bpbd:a1"]["acknowledge_s"] + times["bpbd:a2"]["acknowledge_s"]) / 2
    )
    assert [i["text"] for i in review["open_items"]] == ["Dapur umum di GOR"]
    kinds_in_time = [x["kind"] for x in review["timeline"]]
    for kind in ("incident.reported", "ack", "assign", "resolve", "event.open", "event.impact",
                 "event.status", "sitrep.issue", "action.add"):  # fmt: skip
        assert kind in kinds_in_time, kind
    ats = [x["at"] for x in review["timeline"]]
    assert ats == sorted(ats) and kinds_in_time[0] == "incident.reported"

    journal = cli(*run, "journal", "--json").json()
    actions = [e["action"] for e in journal if e["target"] == "E-1"]
    assert actions == [
        "event.open", "event.link", "event.link", "event.link", "event.unlink",
        "event.impact", "event.impact", "event.need", "event.need", "event.status",
        "sitrep.issue", "event.impact", "sitrep.issue", "event.impact",
    ]  # fmt: skip
    issued = [e for e in journal if e["action"] == "sitrep.issue"]
    assert issued[1]["note"] == f"#2 sha256:{second['hash']}"
    assert all(e["operator"] == "siti" for e in journal)
    assert cli(*run, "journal", "--verify").code == 0

    assert cli(*run, "event", "close", "E-1").code == 0
    r = cli(*run, *impact, "--area", "Garut Kota", "--dead", "6", "--source", "RSUD")
    assert r.code == 3 and "E-1 sudah ditutup" in r.err  # in the site's language (id)
    assert cli(*run, "event", "list", "--json").json() == []
    assert [e["id"] for e in cli(*run, "event", "list", "--all", "--json").json()] == ["E-1"]


def test_bad_figures_exit_2_and_change_nothing(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "event", "open", "Longsor", "--category", "landslide").code == 0
    impact = (*run, "event", "impact", "E-1", "--area", "Cisewu", "--source", "TRC")
    for flag, value in (("--dead", "-1"), ("--displaced", "1.5"), ("--missing", "dua"),
                        ("--injured", ""), ("--houses-heavy", "1e3"), ("--facilities", "٣")):  # fmt: skip
        r = cli(*impact, flag, value)
        assert r.code == 2, (flag, value, r.err)
        assert r.err.count("\n") == 1 and flag in r.err
    assert cli(*impact).code == 2  # no figure at all
    assert cli(*run, "event", "impact", "E-1", "--area", "Cisewu", "--dead", "1",
               "--source", " ").code == 2  # fmt: skip
    assert cli(*run, "event", "open", "X", "--category", "volcano").code == 2
    assert cli(*run, "event", "status", "E-1", "darurat").code == 2
    assert cli(*run, "event", "status", "E-1", "siaga", "--until", "besok lusa").code == 2
    shown = cli(*run, "event", "show", "E-1", "--json").json()
    assert shown["impact"]["by_area"] == [] and shown["status"] is None
    assert [e["action"] for e in cli(*run, "journal", "--json").json()] == ["event.open"]


def test_unknown_ids_exit_3_and_read_only_refuses(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "event", "open", "Banjir", "--category", "flood").code == 0
    for args in (
        ("event", "show", "E-9"),
        ("event", "show", "nonsense"),
        ("event", "link", "E-9", "bpbd:a1"),
        ("event", "link", "E-1", "bpbd:nope"),
        ("event", "link", "E-1", "--meeting", "rakor:nope"),
        ("event", "unlink", "E-1", "bpbd:a1"),
        ("event", "need", "E-1", "Air bersih", "--agency", "nobody"),
        ("event", "impact", "E-2", "--area", "Leles", "--dead", "1", "--source", "x"),
        ("event", "status", "E-7", "siaga"),
        ("event", "close", "E-7"),
        ("sitrep", "E-7"),
        ("sitrep", "E-1", "--number", "1"),
        ("aar", "E-7"),
    ):
        r = cli(*run, *args)
        assert r.code == 3, (args, r.err)
        assert r.err.count("\n") == 1
    for args in (
        ("event", "open", "Banjir", "--category", "flood"),
        ("event", "link", "E-1", "bpbd:a1"),
        ("event", "impact", "E-1", "--area", "Leles", "--dead", "1", "--source", "x"),
        ("event", "need", "E-1", "Air bersih"),
        ("event", "status", "E-1", "siaga"),
        ("event", "close", "E-1"),
        ("sitrep", "E-1", "--issue"),
    ):
        r = cli(*run, "--read-only", *args)
        assert r.code == 3 and "read-only" in r.err, (args, r.err)
    # Reading stays allowed.
    assert cli(*run, "--read-only", "sitrep", "E-1", "--json").code == 0
    assert [e["action"] for e in cli(*run, "journal", "--json").json()] == ["event.open"]


def test_the_hxl_csv_reads_back_with_its_hashtag_row(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "event", "open", "Banjir", "--category", "flood").code == 0
    impact = (*run, "event", "impact", "E-1")
    assert cli(*impact, "--area", "Leles", "--dead", "1", "--displaced", "40",
               "--displaced-households", "12", "--source", "=HYPERLINK(\"x\")").code == 0  # fmt: skip
    assert cli(*impact, "--area", "Kampung Baru, RW 03", "--injured", "4",
               "--source", "Relawan").code == 0  # fmt: skip
    out = tmp_path / "lapsit.csv"
    assert cli(*run, "--lang", "en", "sitrep", "E-1", "--hxl", "--out", str(out)).code == 0
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8"), newline="")))
    header, tags, *data = rows
    assert header[:3] == ["Event", "Kecamatan", "Kecamatan code"]
    assert tags[:8] == ["#crisis+code", "#adm3+name", "#adm3+code", "#affected+killed",
                        "#affected+missing", "#affected+injured", "#affected+idps+ind",
                        "#affected+idps+hh"]  # fmt: skip
    assert all(tag.startswith("#") for tag in tags) and len(tags) == len(header)
    assert "#date+reported" in tags
    by_name = {r[1]: dict(zip(tags, r, strict=True)) for r in data}
    assert by_name["Leles"]["#adm3+code"] == "32.05.09"
    assert by_name["Leles"]["#affected+idps+hh"] == "12"
    assert by_name["Leles"]["#meta+source"].startswith("'=")  # no formula for a spreadsheet
    assert by_name["Kampung Baru, RW 03"]["#adm3+code"] == ""
    assert by_name["Kampung Baru, RW 03"]["#affected+injured"] == "4"


def test_markdown_and_html_escape_what_they_quote(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    evil = "# <script>alert(1)</script> [x](http://evil)"
    assert cli(*run, "event", "open", evil, "--category", "flood").code == 0
    assert cli(*run, "event", "need", "E-1", "--", "- > | `rm -rf` 1. <b>").code == 0
    text = cli(*run, "sitrep", "E-1", "--format", "md").out
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[x](" not in text and "\\[x\\](" in text
    assert "\n- \\- &gt; \\| \\`rm -rf\\` 1. &lt;b&gt;\n" in text
    page = cli(*run, "sitrep", "E-1", "--format", "html").out
    assert "<script>" not in page and "&lt;script&gt;" in page
    review = cli(*run, "aar", "E-1", "--format", "html").out
    assert "<script>" not in review
    assert md("1. first") == "1\\. first" and md("-x") == "\\-x" and md("a|b") == "a\\|b"


def test_out_never_lands_on_the_cache_or_the_config(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "event", "open", "Banjir", "--category", "flood").code == 0
    for target in (tmp_path / "cache.db", tmp_path / "cache.db-wal", cfg, tmp_path,
                   tmp_path / "missing" / "x.md"):  # fmt: skip
        r = cli(*run, "sitrep", "E-1", "--format", "md", "--out", str(target))
        assert r.code == 2, (target, r.err)
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "cache.db")
    assert cli(*run, "aar", "E-1", "--out", str(link)).code == 2
    sqlite3.connect(tmp_path / "cache.db").execute("PRAGMA integrity_check").fetchone()
    assert cli(*run, "journal", "--verify").code == 0


ROUTE = """
[[notify]]
name = "pusdalops"
urls = ["{url}"]
events = ["event.opened", "event.impact", "event.status", "event.status_expiring"]
group_wait = "0s"
"""


def test_events_are_notified_and_a_status_expiring_is_told_once_per_status(tmp_path, feeds, cli):
    from zoneinfo import ZoneInfo

    from tests.receiver import Receiver

    with Receiver() as receiver:
        url = feeds.route("/inc.json", incidents_doc(incident("base")))
        cfg = write_config(
            tmp_path / "config.toml",
            [native_source("bpbd", url)],
            extra=ROUTE.format(url=receiver.url()),
        )
        run = ("--config", str(cfg))
        assert cli(*run, "refresh").code == 0
        assert cli(*run, "event", "open", "Banjir <Garut>", "--category", "flood").code == 0
        assert cli(*run, "event", "impact", "E-1", "--area", "Leles", "--dead", "2",
                   "--source", "TRC").code == 0  # fmt: skip
        wib = ZoneInfo("Asia/Jakarta")
        soon = (datetime.now(UTC) + timedelta(hours=10)).astimezone(wib)
        assert cli(*run, "event", "status", "E-1", "tanggap-darurat", "--decree", "SK 1",
                   "--until", soon.strftime("%Y-%m-%d %H:%M")).code == 0  # fmt: skip
        assert cli(*run, "refresh").code == 0  # checks the statuses, then sends
        (got,) = receiver.messages
        title, body = got.body["title"], got.body["message"]
        assert title == (
            "Command Center Kabupaten Garut: 1 status darurat berakhir dalam 24 jam, "
            "1 perubahan status darurat, 1 kejadian bencana dibuka, 1 laporan dampak"
        )
        lines = body.splitlines()
        assert lines[0].startswith("STATUS BERAKHIR · Banjir <Garut> · ")
        assert any(
            line.startswith("DAMPAK · Banjir <Garut> · Leles (32.05.09): dead=2") for line in lines
        )
        assert cli(*run, "refresh").code == 0
        assert len(receiver.messages) == 1  # once per status
        # A renewal is another status: it may warn again.
        later = soon + timedelta(hours=2)
        assert cli(*run, "event", "status", "E-1", "tanggap-darurat", "--decree", "SK 2",
                   "--until", later.strftime("%Y-%m-%d %H:%M")).code == 0  # fmt: skip
        assert cli(*run, "refresh").code == 0
        assert len(receiver.messages) == 2
        assert receiver.messages[1].body["message"].count("STATUS BERAKHIR") == 1
        shown = cli(*run, "event", "show", "E-1", "--json").json()
        assert shown["status_expiring"] is True


def test_the_demo_has_an_ongoing_flood_with_yesterdays_sit_rep(tmp_path):
    from zoneinfo import ZoneInfo

    from cc_console.crisis import aar_doc, sitrep_doc
    from cc_console.demo import DemoServer
    from cc_console.demo.crisis import seed_crisis
    from cc_console.demo.session import rakor_id, seed_follow_up
    from tests.conftest import demo_store

    with DemoServer(tick_seconds=3600) as server:
        store, refresh = demo_store(server, tmp_path)
        try:
            refresh()
            seed_follow_up(store, ZoneInfo("Asia/Jakarta"))
            seed_crisis(store, rakor_id(store))
            seed_crisis(store, rakor_id(store))  # once
            (event,) = store.crisis.listing()
            now = datetime.now(UTC)
            doc = sitrep_doc(store, event, now)
            assert event.status == "tanggap-darurat" and event.decree
            assert event.status_until > now and not event.expiring(now)
            assert doc["by_area"][0]["code"] == "32.05.01"  # two dead: the worst
            assert len(doc["by_area"]) == 3 and len(doc["needs"]) == 2
            assert doc["previous"]["number"] == 1
            issued = datetime.fromisoformat(doc["previous"]["issued_at"].replace("Z", "+00:00"))
            assert timedelta(hours=23) < now - issued < timedelta(hours=25)
            assert doc["changes"]["dead"] == 1 and doc["changes"]["displaced"] == 55
            assert doc["incidents"] and any(r["kind"] == "assignment" for r in doc["responses"])
            assert any(r["kind"] == "decision" for r in doc["responses"])
            review = aar_doc(store, event, now)
            assert review["response_times"] and review["open_items"]
            assert store.journal.verify().ok
        finally:
            store.close()


def test_a_rebuild_keeps_the_events_their_reports_and_sit_reps(tmp_path, feeds, cli):
    cfg, _ = _setup(tmp_path, feeds, cli)
    run = ("--config", str(cfg))
    assert cli(*run, "event", "open", "Banjir", "--category", "flood").code == 0
    assert cli(*run, "event", "link", "E-1", "bpbd:a1").code == 0
    assert cli(*run, "event", "impact", "E-1", "--area", "Leles", "--dead", "1",
               "--source", "TRC").code == 0  # fmt: skip
    issued = cli(*run, "sitrep", "E-1", "--issue", "--json").json()
    before = cli(*run, "event", "show", "E-1", "--json").json()
    r = cli(*run, "doctor", "--rebuild")
    assert r.code in (0, 1), r.err
    after = cli(*run, "event", "show", "E-1", "--json").json()
    assert {k: v for k, v in after.items() if k != "responses"} == {
        k: v for k, v in before.items() if k != "responses"
    }
    assert cli(*run, "sitrep", "E-1", "--number", "1", "--json").json() == issued
    assert cli(*run, "journal", "--verify").code == 0
