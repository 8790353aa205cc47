"""WHEN, the due time of an action item: every form against known answers on a fixed clock,
in the site's zone (WIB), through the parser and the real CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cc_console.timefmt import WhenError, parse_when
from tests import clock
from tests.conftest import agencies_doc, native_source, write_config

WIB = ZoneInfo("Asia/Jakarta")
THURSDAY_10 = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # Thursday 3 Dec 2026, 10:00 WIB
LATE_THURSDAY = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # Thursday 23:30 WIB
EARLY_FRIDAY = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)  # Friday 00:30 WIB, still the 3rd in UTC


def wib(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=WIB)


END = (23, 59, 59)
KNOWN = [
    # (said at, typed, meant)
    (THURSDAY_10, "2026-12-05", wib(5, *END)),
    (THURSDAY_10, "2026-12-05 09:00", wib(5, 9)),
    (THURSDAY_10, "hari ini", wib(3, *END)),
    (THURSDAY_10, "today 14:30", wib(3, 14, 30)),
    (THURSDAY_10, "Hari  Ini 16.00", wib(3, 16)),
    (THURSDAY_10, "besok", wib(4, *END)),
    (THURSDAY_10, "tomorrow 08:15", wib(4, 8, 15)),
    (THURSDAY_10, "besok pukul 07.30", wib(4, 7, 30)),
    (THURSDAY_10, "lusa", wib(5, *END)),
    (THURSDAY_10, "lusa 13:00", wib(5, 13)),
    (THURSDAY_10, "+3d", wib(6, *END)),
    (THURSDAY_10, "+1d 09:00", wib(4, 9)),
    (THURSDAY_10, "+0d", wib(3, *END)),
    (THURSDAY_10, "+4h", wib(3, 14)),
    (THURSDAY_10, "+48h", wib(5, 10)),
    # a weekday that is today is today (as GNU date reads it); the others come after it
    (THURSDAY_10, "kamis", wib(3, *END)),
    (THURSDAY_10, "thursday 15:00", wib(3, 15)),
    (THURSDAY_10, "jumat", wib(4, *END)),
    (THURSDAY_10, "Jum'at 10:00", wib(4, 10)),
    (THURSDAY_10, "sabtu", wib(5, *END)),
    (THURSDAY_10, "minggu 08:00", wib(6, 8)),
    (THURSDAY_10, "senin", wib(7, *END)),
    (THURSDAY_10, "monday 09:00", wib(7, 9)),
    (THURSDAY_10, "selasa", wib(8, *END)),
    (THURSDAY_10, "rabu 09:00", wib(9, 9)),
    (THURSDAY_10, "wed", wib(9, *END)),
    (THURSDAY_10, "Kam 08:00", wib(3, 8)),  # as the console shows days; in the past: refused later
    # across the WIB midnight: the site's day, not UTC's
    (LATE_THURSDAY, "hari ini", wib(3, *END)),
    (LATE_THURSDAY, "besok", wib(4, *END)),
    (LATE_THURSDAY, "+1h", wib(4, 0, 30)),
    (LATE_THURSDAY, "jumat 08:00", wib(4, 8)),
    (EARLY_FRIDAY, "hari ini", wib(4, *END)),
    (EARLY_FRIDAY, "besok 09:00", wib(5, 9)),
    (EARLY_FRIDAY, "jumat", wib(4, *END)),
    (EARLY_FRIDAY, "kamis", wib(10, *END)),
    (EARLY_FRIDAY, "+1d", wib(5, *END)),
    # the year's end
    (
        datetime(2026, 12, 31, 10, 0, tzinfo=UTC),
        "besok",
        datetime(2027, 1, 1, 23, 59, 59, tzinfo=WIB),
    ),
]


@pytest.mark.parametrize(
    ("now", "typed", "meant"), KNOWN, ids=[f"{k[1]}@{k[0]:%dT%H%M}" for k in KNOWN]
)
def test_each_form_means_one_known_time(now: datetime, typed: str, meant: datetime) -> None:
    got = parse_when(typed, WIB, now)
    assert got == meant and got.utcoffset() == meant.utcoffset(), (typed, got)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("x", "format"), ("10:00", "format"), ("besok 24:00", "format"), ("kamis 9:75", "format"),
     ("2026-02-30", "format"), ("+3w", "format"), ("+2h 10:00", "hours_time"),
     ("9999-01-01", "range"), ("sometime", "format")],
)  # fmt: skip
def test_what_does_not_read_says_why(typed: str, reason: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(typed, WIB, THURSDAY_10)
    assert caught.value.reason == reason


@pytest.fixture
def cfg(tmp_path, feeds, cli):
    feeds.route(
        "/opd.json", agencies_doc({"id": "pupr", "name": "Dinas PUPR", "status": "operational"})
    )
    path = write_config(
        tmp_path / "config.toml", [native_source("opd", feeds.url("/opd.json"), "agencies")]
    )
    assert cli("--config", str(path), "refresh").code == 0
    return path


def _add(cli, cfg, due: str, *more: str):
    return cli("--config", str(cfg), *more, "action", "add", "Tugas", "--owner", "pupr",
               "--due", due, "--json")  # fmt: skip


def test_the_cli_reads_every_form_at_the_site_and_refuses_the_past(cfg, cli) -> None:
    with clock.at(THURSDAY_10):
        for typed, meant in [("besok 09:00", "2026-12-04T02:00:00Z"), ("kamis", "2026-12-03T16:59:59Z"),
                             ("+4h", "2026-12-03T07:00:00Z"), ("lusa", "2026-12-05T16:59:59Z"),
                             ("senin 08:00", "2026-12-07T01:00:00Z")]:  # fmt: skip
            r = _add(cli, cfg, typed)
            assert r.code == 0, r.err
            assert r.json()["due"] == meant, typed
        # today's weekday at an hour gone by: refused, nothing recorded
        before = len(cli("--config", str(cfg), "action", "list", "--json").json())
        r = _add(cli, cfg, "kamis 09:00")
        assert r.code == 2 and "sudah lewat" in r.err and "--allow-past" in r.err, r.err
        r = _add(cli, cfg, "2026-12-02", "--lang", "en")
        assert r.code == 2 and "is in the past (2026-12-02 23:59 WIB)" in r.err, r.err
        assert len(cli("--config", str(cfg), "action", "list", "--json").json()) == before
        r = cli("--config", str(cfg), "action", "add", "Tugas lama", "--owner", "pupr",
                "--due", "kamis 09:00", "--allow-past", "--json")  # fmt: skip
        assert r.code == 0 and r.json()["due"] == "2026-12-03T02:00:00Z" and r.json()["overdue"]
    with clock.at(EARLY_FRIDAY):  # 00:30 WIB on Friday, Thursday in UTC
        r = _add(cli, cfg, "hari ini 12:00")
        assert r.code == 0 and r.json()["due"] == "2026-12-04T05:00:00Z", r.err
        r = _add(cli, cfg, "kamis")  # Thursday is a week ahead now
        assert r.code == 0 and r.json()["due"] == "2026-12-10T16:59:59Z", r.err


def test_a_wrong_when_is_said_in_the_users_language(cfg, cli) -> None:
    with clock.at(THURSDAY_10):
        r = _add(cli, cfg, "kemarin")
        assert r.code == 2 and "Waktu harus" in r.err and "“kemarin”" in r.err, r.err
        r = _add(cli, cfg, "yesterday", "--lang", "en")
        assert r.code == 2 and "WHEN must be" in r.err and "“yesterday”" in r.err, r.err
        r = _add(cli, cfg, "+2h 10:00")
        assert r.code == 2 and "tidak memakai jam" in r.err, r.err
