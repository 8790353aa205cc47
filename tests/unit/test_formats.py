"""Each feed format on fixtures written from FORMATS.md, trap by trap."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cc_console.errors import ParseError
from cc_console.sources import ParseContext, formats, parser
from cc_console.sources.bmkg import felt_mmi, tsunami_potential
from cc_console.sources.cap import inside_point

FIXTURES = Path(__file__).parent.parent / "fixtures"
WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def ctx(
    kind: str = "incidents", lang: str = "id", url: str = "http://127.0.0.1/idx"
) -> ParseContext:
    return ParseContext("src", kind, url, NOW, lang, WIB)


def parse(fmt: str, name: str, kind: str = "incidents", **kw):
    return parser(fmt)((FIXTURES / name).read_bytes(), ctx(kind, **kw))


def test_every_format_is_discovered():
    assert set(formats()) == {"native", "cap", "bmkg-gempa", "geojson", "statuspage", "ical"}


# -- BMKG -------------------------------------------------------------------


def test_bmkg_autogempa_single_object():
    (q,) = parse("bmkg-gempa", "bmkg_autogempa.json").incidents
    assert q.reported_at == datetime(2026, 12, 5, 3, 43, 13, tzinfo=UTC)
    assert (q.lat, q.lon) == (-8.15, 107.58)
    assert q.extra["magnitude"] == 5.6 and q.extra["depth_km"] == 20.0
    assert q.extra["tsunami"] is False and q.extra["mmi"] == 4
    assert (
        q.url
        == q.extra["shakemap"]
        == "https://data.bmkg.go.id/DataMKG/TEWS/20261205104313.mmi.jpg"
    )
    assert q.category == "earthquake" and q.severity == "moderate"


def test_bmkg_list_ids_are_stable_across_feeds_and_positions():
    auto = parse("bmkg-gempa", "bmkg_autogempa.json").incidents[0]
    terkini = parse("bmkg-gempa", "bmkg_gempaterkini.json")
    assert terkini.incidents[0].external_id == auto.external_id
    assert len({i.external_id for i in terkini.incidents}) == 3
    assert terkini.warnings == ["quake 3 skipped: no usable DateTime or Tanggal/Jam"]


def test_bmkg_falls_back_to_tanggal_jam_and_lintang_bujur():
    q = parse("bmkg-gempa", "bmkg_gempaterkini.json").incidents[1]
    # "3 Des 2026" "01:02:03 WIB" is 2 Dec 18:02:03 UTC; "1.20 LU" north, "126.40 BT" east
    assert q.reported_at == datetime(2026, 12, 2, 18, 2, 3, tzinfo=UTC)
    assert (q.lat, q.lon) == (1.2, 126.4)
    assert q.extra["tsunami"] is True and q.severity == "extreme"


def test_bmkg_tsunami_negation_and_severity_by_magnitude():
    assert tsunami_potential("Tidak berpotensi tsunami") is False
    assert tsunami_potential("Berpotensi TSUNAMI") is True
    assert tsunami_potential("Gempa ini dirasakan untuk diteruskan pada masyarakat") is False
    assert felt_mmi("III - IV Tasikmalaya, V Garut") == 5
    severities = [i.severity for i in parse("bmkg-gempa", "bmkg_gempaterkini.json").incidents]
    assert severities == ["moderate", "extreme", "severe"]


@pytest.mark.parametrize(
    "body", [b"[]", b'{"Infogempa": {}}', b'{"Infogempa": {"gempa": 3}}', b"<html/>"]
)
def test_bmkg_wrong_shape_is_a_parse_error(body):
    with pytest.raises(ParseError):
        parser("bmkg-gempa")(body, ctx())


# -- GeoJSON ----------------------------------------------------------------


def test_geojson_lon_lat_order_ms_times_and_alert():
    p = parse("geojson", "usgs.geojson")
    q, nulls = p.incidents
    assert (q.lat, q.lon) == (-8.05, 106.2) and q.extra["depth_km"] == 35.5
    assert q.reported_at == datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
    assert q.updated_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert q.severity == "moderate"  # PAGER yellow; the tsunami flag is not a warning
    assert q.extra["tsunami"] is True
    assert nulls.title == "M ? earthquake" and nulls.severity == "unknown"
    assert p.warnings == ["feature 2 skipped: feature without an id"]


# -- Statuspage ---------------------------------------------------------------


def test_statuspage_components_become_agencies_groups_do_not():
    agencies = {a.id: a for a in parse("statuspage", "statuspage.json", "agencies").agencies}
    assert set(agencies) == {"c1", "c2", "c3", "c4"}
    assert (
        agencies["c1"].status == "degraded"
        and agencies["c1"].name == "Layanan Publik › SIMPUS Dinkes"
    )
    assert agencies["c3"].status == "unknown"  # an undocumented status never fails the feed
    assert agencies["c4"].status == "maintenance"
    assert agencies["c1"].updated_at == datetime(2026, 12, 4, 19, 55, tzinfo=UTC)


def test_statuspage_incidents():
    (inc,) = parse("statuspage", "statuspage.json", "incidents").incidents
    assert inc.external_id == "inc1" and inc.severity == "moderate" and inc.status == "open"
    assert inc.description == "Penyebab ditemukan: basis data penuh"  # the latest update
    assert inc.area == "SIMPUS Dinkes"


# -- CAP --------------------------------------------------------------------


def test_cap_alert_prefers_site_language_trims_and_points_inside_area():
    (a,) = parse("cap", "cap_alert.xml").incidents
    assert a.external_id == "BPBD-GRT-2026-0113"
    assert a.title == "Longsor menutup jalan di Cisewu"
    assert a.severity == "severe" and a.category == "landslide"
    assert a.reported_at == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert -7.42 < a.lat < -7.30 and 107.40 < a.lon < 107.60  # lat first, inside the polygon
    assert len(a.extra["shapes"]) == 2 and a.url.endswith("/0113")
    (en,) = parse("cap", "cap_alert.xml", lang="en").incidents
    assert en.title == "Landslide closes road in Cisewu"


def test_cap_point_inside_concave_polygon():
    ring = [(0, 0), (0, 10), (10, 10), (10, 8), (2, 8), (2, 2), (10, 2), (10, 0), (0, 0)]  # a C
    lat, lon = inside_point(ring)
    from cc_console.sources.cap import _contains

    assert _contains(ring, lat, lon)


def test_cap_update_and_cancel_reference_the_thread():
    (u,) = parse("cap", "cap_update.xml").incidents
    assert u.supersedes == ("BPBD-GRT-2026-0113",) and u.severity == "extreme"
    assert (u.lat, u.lon) == (-7.36, 107.5)  # circle centre
    (c,) = parse("cap", "cap_cancel.xml").incidents  # a CAP 1.1 document without info
    assert c.status == "cancelled" and c.supersedes == ("BPBD-GRT-2026-0114",)


def test_cap_atom_index_embeds_and_links_test_is_not_an_incident():
    p = parse("cap", "cap_index.atom")
    assert p.follow == ["http://127.0.0.1/cap_alert.xml"]  # the application/cap+xml link
    (exercise,) = p.incidents  # the Test message is dropped
    assert exercise.exercise is True and exercise.category == "flood"


def test_cap_rss_index_and_expires_before_sent_is_ignored():
    assert parse("cap", "cap_index.rss").follow == ["http://127.0.0.1/cap_weather.xml"]
    (w,) = parse("cap", "cap_weather.xml").incidents
    assert w.status == "open" and "expires" not in w.extra


def test_cap_expired_alert_resolves():
    body = (
        (FIXTURES / "cap_alert.xml")
        .read_bytes()
        .replace(
            b"<severity>Severe</severity>",
            b"<severity>Severe</severity><expires>2026-12-05T10:00:00+07:00</expires>",
            1,
        )
    )
    later = ParseContext(
        "src", "incidents", "http://x", datetime(2026, 12, 6, tzinfo=UTC), "en", WIB
    )
    (a,) = parser("cap")(body, later).incidents
    assert a.status == "resolved"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><alert>&lol2;</alert>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>',
        b"<alert><unclosed></alert>",
        b"<html><body>captive portal</body></html>",
        b"",
    ],
)
def test_cap_hostile_or_wrong_xml_is_a_parse_error(body):
    with pytest.raises(ParseError):
        parser("cap")(body, ctx())


# -- iCalendar --------------------------------------------------------------


def test_ical_expands_series_with_exdate_and_override():
    meetings = parse("ical", "agenda.ics", "agenda").meetings
    rakor = sorted((m.start, m.title) for m in meetings if m.uid.startswith("rakor"))
    starts = [s.astimezone(WIB).strftime("%d %H:%M") for s, _ in rakor]
    # weekly from 30 Nov, 6 times: 7 Dec excluded by a UTC EXDATE, 14 Dec moved to 13:00
    assert starts == ["30 08:00", "14 13:00", "21 08:00", "28 08:00", "04 08:00"]
    assert "dipindah" in rakor[1][1]
    first = next(m for m in meetings if m.uid.startswith("rakor"))
    assert first.organizer == "Sekda Garut"
    assert first.participants == ("Kepala BPBD", "Kadis Kesehatan", "pupr@garutkab.go.id")


def test_ical_all_day_status_windows_zone_and_floating():
    by_uid = {m.uid: m for m in parse("ical", "agenda.ics", "agenda").meetings}
    apel = by_uid["hut-garut@garutkab.go.id"]
    assert (
        apel.all_day and apel.start_date == date(2026, 12, 2) and apel.end_date == date(2026, 12, 3)
    )
    assert apel.status == "tentative"
    assert by_uid["batal@garutkab.go.id"].status == "cancelled"
    assert by_uid["outlook@garutkab.go.id"].start == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    assert by_uid["floating@garutkab.go.id"].start == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert "broken@garutkab.go.id" not in by_uid  # a broken series does not lose the calendar


def test_ical_x_wr_timezone():
    body = b"""BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Asia/Makassar\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T010000Z\r\nDTEND:20261201T020000Z\r\nSUMMARY:Rapat WITA\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"""
    (m,) = parser("ical")(body, ctx("agenda")).meetings
    assert m.start == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_ical_garbage_is_a_parse_error():
    with pytest.raises(ParseError):
        parser("ical")(b"BEGIN:VCALENDAR\r\nthis is not\r\n", ctx("agenda"))
    with pytest.raises(ParseError):
        parser("ical")(b"<html>", ctx("agenda"))
