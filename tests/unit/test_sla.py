"""Deadlines with a fixed clock: working time, weekends, holidays, zones, first match."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from cc_console.config import load_config
from cc_console.errors import ConfigError
from cc_console.sla import Calendar, Match, Policy, Rule, Within, breach_of

WIB = ZoneInfo("Asia/Jakarta")
WORKING = Rule(Match(category=("complaint",)), Within(days=3), Within(days=14), "working")
FAST = Rule(Match(severity=("extreme", "severe")), Within(seconds=900), Within(seconds=86400))
RULES = Policy((FAST, WORKING), Calendar())


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_three_working_days_skip_the_weekend_and_17_august():
    # Friday 14 August 2026, 15:00 WIB: 1h that day; Saturday, Sunday and Monday
    # 17 August (Independence Day) do not count; then 8h Tuesday, 8h Wednesday,
    # and the last 7h end on Thursday 20 August at 15:00.
    ack, _ = RULES.dues("moderate", "complaint", "lapor", "Kec. Garut Kota", wib(2026, 8, 14, 15))
    assert ack == wib(2026, 8, 20, 15).astimezone(UTC)
    assert Calendar().holiday(wib(2026, 8, 17).date())


def test_the_end_of_working_hours_carries_to_the_next_morning():
    cal = Calendar()
    assert cal.add(wib(2026, 12, 1, 15, 30), 3600) == wib(2026, 12, 2, 8, 30).astimezone(UTC)
    # Reported in the night: the clock starts at 08:00.
    assert cal.add(wib(2026, 12, 2, 2, 0), 600) == wib(2026, 12, 2, 8, 10).astimezone(UTC)
    # Exactly at closing time: done that day.
    assert cal.add(wib(2026, 12, 1, 15, 0), 3600) == wib(2026, 12, 1, 16, 0).astimezone(UTC)


def test_working_hours_are_in_the_site_zone():
    reported = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 07:30 WIB, 09:30 WIT
    assert Calendar("Asia/Jakarta").add(reported, 3600) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert Calendar("Asia/Jayapura").add(reported, 3600) == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)


def test_the_always_clock_counts_every_minute():
    ack, res = RULES.dues("extreme", "flood", "bpbd", "", wib(2026, 12, 5, 23, 50))  # Saturday
    assert ack == wib(2026, 12, 6, 0, 5).astimezone(UTC)
    assert res == wib(2026, 12, 6, 23, 50).astimezone(UTC)


def test_first_match_wins_and_no_rule_means_no_deadline():
    # An extreme complaint matches FAST first, not WORKING.
    ack, _ = RULES.dues("extreme", "complaint", "lapor", "", wib(2026, 12, 1, 9))
    assert ack == wib(2026, 12, 1, 9, 15).astimezone(UTC)
    assert RULES.dues("minor", "flood", "bpbd", "", wib(2026, 12, 1, 9)) == (None, None)
    assert Policy().dues("extreme", "flood", "bpbd", "", wib(2026, 12, 1, 9)) == (None, None)


def test_area_matches_as_a_substring_any_case():
    rule = Rule(Match(area=("cisewu",)), Within(seconds=3600))
    d = Policy((rule,))
    assert d.rule_for("minor", "flood", "bpbd", "Kec. Cisewu, Garut") is rule
    assert d.rule_for("minor", "flood", "bpbd", "Kec. Leles") is None


def test_acknowledging_before_the_deadline_never_breaches():
    due = wib(2026, 12, 1, 9, 15)
    later = wib(2026, 12, 1, 12)
    assert breach_of("open", due, None, later) == "acknowledge"
    assert breach_of("acknowledged", due, None, later) is None
    assert breach_of("acknowledged", due, wib(2026, 12, 1, 11), later) == "resolve"
    assert breach_of("resolved", due, wib(2026, 12, 1, 11), later) is None
    assert breach_of("open", due, None, wib(2026, 12, 1, 9)) is None


def test_the_fingerprint_changes_with_the_rules_and_the_calendar():
    a = RULES.fingerprint()
    assert a == Policy((FAST, WORKING), Calendar()).fingerprint()
    assert a != Policy((WORKING, FAST), Calendar()).fingerprint()
    assert a != Policy((FAST, WORKING), Calendar(end=time(17))).fingerprint()


SLA_TOML = """
[site]
timezone = "Asia/Jakarta"
working_hours = "07:30-15:30"
working_days = ["mon", "tue", "wed", "thu", "fri", "sat"]

[alert]
severity = "extreme"
bell = false

[[sla]]
match = { severity = ["extreme", "severe"] }
acknowledge_within = "15m"
resolve_within = "24h"

[[sla]]
match = { category = ["complaint"], area = ["Garut"] }
acknowledge_within = "3d"
resolve_within = "14d"
clock = "working"
"""


def test_the_config_reads_rules_hours_days_and_alert(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(SLA_TOML, encoding="utf-8")
    cfg = load_config(path)
    d = cfg.sla
    assert len(d.rules) == 2 and d.rules[1].clock == "working"
    assert d.rules[1].acknowledge_within == Within(days=3)
    assert d.calendar.start == time(7, 30) and "sat" in d.calendar.days
    assert cfg.alert.severity == "extreme" and cfg.alert.bell is False


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ('[[sla]]\nmatch = { severity = ["huge"] }\nacknowledge_within = "1h"', "unknown severity"),
        ('[[sla]]\nacknowledge_within = "0m"', "between 1m and 366d"),
        ('[[sla]]\nacknowledge_within = "1h"\nclock = "sometimes"', "clock"),
        ('[[sla]]\nmatch = { agency = ["x"] }\nacknowledge_within = "1h"', "unknown key"),
        ("[[sla]]\nclock = 'always'", "needs acknowledge_within"),
        ('[site]\nworking_hours = "16:00-08:00"', "working_hours"),
        ('[site]\nworking_days = ["mon", "funday"]', "working_days"),
        ('[alert]\nseverity = "loud"', "[alert]"),
    ],
)
def test_bad_rules_are_configuration_errors(tmp_path, bad, words):
    path = tmp_path / "c.toml"
    path.write_text(bad + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=words.replace("[", r"\[")):
        load_config(path)
