"""Every format through the real pipeline: feed server -> refresh -> store -> JSON."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_config

FIXTURES = Path(__file__).parent.parent / "fixtures"


def serve(feeds, name: str, path: str | None = None) -> str:
    return feeds.route(path or f"/{name}", (FIXTURES / name).read_bytes())


def test_incidents_of_every_format(tmp_path, feeds, cli):
    for name in (
        "cap_alert.xml",
        "cap_weather.xml",
        "bmkg_gempaterkini.json",
        "usgs.geojson",
        "statuspage.json",
        "cap_index.rss",
    ):
        serve(feeds, name)
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "bmkg",
                "kind": "incidents",
                "format": "bmkg-gempa",
                "url": feeds.url("/bmkg_gempaterkini.json"),
            },
            {
                "name": "usgs",
                "kind": "incidents",
                "format": "geojson",
                "url": feeds.url("/usgs.geojson"),
            },
            {
                "name": "opd-incidents",
                "kind": "incidents",
                "format": "statuspage",
                "url": feeds.url("/statuspage.json"),
            },
            {
                "name": "opd",
                "kind": "agencies",
                "format": "statuspage",
                "url": feeds.url("/statuspage.json"),
            },
            {
                "name": "bmkg-cap",
                "kind": "incidents",
                "format": "cap",
                "url": feeds.url("/cap_index.rss"),
            },
            {
                "name": "bpbd-cap",
                "kind": "incidents",
                "format": "cap",
                "url": feeds.url("/cap_alert.xml"),
            },
        ],
    )
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code == 0, r.out + r.err
    by = {s["name"]: s for s in r.json()["sources"]}
    assert by["bmkg"]["warnings"] == ["quake 3 skipped: no usable DateTime or Tanggal/Jam"]
    assert by["bmkg-cap"]["records"] == 1  # the RSS index was followed to its CAP file
    inc = {i["id"]: i for i in cli("--config", str(cfg), "incidents", "--all", "--json").json()}
    quake = inc["bmkg:20261205T034313Z-8.2+107.6"]
    assert (quake["lat"], quake["lon"], quake["reported_at"]) == (
        -8.15,
        107.58,
        "2026-12-05T03:43:13Z",
    )
    assert quake["severity"] == "moderate" and quake["extra"]["magnitude"] == 5.6
    usgs = inc["usgs:us7000abcd"]
    assert (usgs["lat"], usgs["lon"], usgs["reported_at"]) == (-8.05, 106.2, "2026-12-05T04:00:00Z")
    assert inc["opd-incidents:inc1"]["reported_at"] == "2026-12-04T19:50:00Z"
    cap = inc["bpbd-cap:BPBD-GRT-2026-0113"]
    assert cap["severity"] == "severe" and cap["reported_at"] == "2026-12-05T02:00:00Z"
    assert inc["bmkg-cap:CBS20261205100000"]["category"] == "weather"
    # newest reported first
    times = [
        i["reported_at"] for i in cli("--config", str(cfg), "incidents", "--all", "--json").json()
    ]
    assert times == sorted(times, reverse=True)
    agencies = {
        a["id"]: a["status"] for a in cli("--config", str(cfg), "agencies", "--json").json()
    }
    assert agencies == {"c1": "degraded", "c2": "operational", "c3": "unknown", "c4": "maintenance"}


def test_cap_thread_across_refreshes_is_one_incident(tmp_path, feeds, cli):
    serve(feeds, "cap_alert.xml", "/cap.xml")
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "bpbd-cap", "kind": "incidents", "format": "cap", "url": feeds.url("/cap.xml")}],
    )
    cli("--config", str(cfg), "refresh")
    cli("--config", str(cfg), "--operator", "asep", "ack", "bpbd-cap:BPBD-GRT-2026-0113")
    serve(feeds, "cap_update.xml", "/cap.xml")  # the hub now shows the Update
    cli("--config", str(cfg), "refresh")
    (one,) = cli("--config", str(cfg), "incidents", "--all", "--json").json()
    assert one["id"] == "bpbd-cap:BPBD-GRT-2026-0113"
    assert one["severity"] == "extreme" and one["title"].startswith("Longsor susulan")
    assert one["reported_at"] == "2026-12-05T02:00:00Z"  # the thread keeps its first report
    assert one["status"] == "open"  # the feed reported a newer change than the ack
    # the old alert showing up again (rolling window) does not roll the thread back
    serve(feeds, "cap_alert.xml", "/cap.xml")
    cli("--config", str(cfg), "refresh")
    (one,) = cli("--config", str(cfg), "incidents", "--all", "--json").json()
    assert one["severity"] == "extreme"
    serve(feeds, "cap_cancel.xml", "/cap.xml")
    cli("--config", str(cfg), "refresh")
    (one,) = cli("--config", str(cfg), "incidents", "--all", "--json").json()
    assert one["status"] == "cancelled" and one["title"].startswith("Longsor susulan")
    assert cli("--config", str(cfg), "incidents", "--json").json() == []
    # actions on an alias land on the thread
    assert cli("--config", str(cfg), "note", "bpbd-cap:BPBD-GRT-2026-0115", "dicek").code == 0
    assert cli("--config", str(cfg), "journal", "--json").json()[-1]["target"] == one["id"]


def test_agenda_window_at_the_edges_of_the_site_day(tmp_path, feeds, cli):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        # 00:00 WIB on 1 Dec = 17:00Z on 30 Nov: inside a window starting 1 Dec
        "BEGIN:VEVENT\r\nUID:midnight\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261130T170000Z\r\n"
        "DTEND:20261130T180000Z\r\nSUMMARY:Tengah malam\r\nEND:VEVENT\r\n"
        # 23:59 WIB on 30 Nov: before it
        "BEGIN:VEVENT\r\nUID:before\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261130T165900Z\r\n"
        "SUMMARY:Sebelum\r\nEND:VEVENT\r\n"
        # 00:00 WIB on 3 Dec: excluded by --to 2026-12-03
        "BEGIN:VEVENT\r\nUID:end\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261202T170000Z\r\n"
        "SUMMARY:Batas akhir\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:allday\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261202\r\n"
        "SUMMARY:Sehari\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    feeds.route("/agenda.ics", ics)
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "rakor", "kind": "agenda", "format": "ical", "url": feeds.url("/agenda.ics")}],
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    rows = cli(
        "--config", str(cfg), "agenda", "--from", "2026-12-01", "--to", "2026-12-03", "--json"
    ).json()
    assert [m["uid"] for m in rows] == ["midnight", "allday"]
    assert (
        rows[0]["start"] == "2026-11-30T17:00:00Z"
        and rows[0]["id"] == "rakor:midnight"  # a single event: its UID, not its start
    )
    assert (
        rows[1]["start"] == "2026-12-02" and rows[1]["end"] == "2026-12-03" and rows[1]["all_day"]
    )
    assert (
        cli("--config", str(cfg), "agenda", "--from", "2026-12-03", "--to", "2026-12-01").code == 2
    )
