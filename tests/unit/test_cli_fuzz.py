"""Hypothesis at the CLI: stored arguments and native records' times and coordinates.

Whatever an operator types or a feed sends, every command exits with a
contract code, ``--json`` stays strict JSON, and no control character (an
escape sequence, a bell, a bidi override) reaches the text a terminal shows.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import incident, incidents_doc, native_source, write_config

# What must never reach a terminal: C0 but tab and newline, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text as it comes from a keyboard, a paste or a hostile script.
typed = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\x1b\x07\x9b\u202e"),
    max_size=60,
)


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise AssertionError(f"{constant} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def config(tmp_path, feeds, cli):
    feeds.route("/inc.json", incidents_doc(incident("A1"), incident("A2", "Longsor")))
    path = write_config(tmp_path / "config.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    assert cli("--config", str(path), "refresh").code == 0
    return path


@FUZZ
@given(operator=typed, target=typed | st.sampled_from(["bpbd:A1", "bpbd:A2"]), note=typed)
def test_stored_arguments_stay_clean_everywhere(config, cli, operator, target, note):
    base = ("--config", str(config))
    r = cli(*base, "--operator", operator or "siti", "note", target, note)
    assert r.code in (0, 2, 3), (r.code, r.err)
    assert "Traceback" not in r.err
    assert not RAW.search(r.out + r.err), repr(r.out + r.err)
    r = cli(*base, "ack", target, "--note", note)
    assert r.code in (0, 2, 3) and not RAW.search(r.out + r.err), repr(r.err)
    entries = _strict(cli(*base, "journal", "--json").out)
    assert isinstance(entries, list)
    for entry in entries:
        assert re.fullmatch(r"[^\W_][\w .@'-]{0,63}", entry["operator"]), entry
        for value in entry.values():
            assert not isinstance(value, str) or not RAW.search(value.replace("\n", "")), entry
    for command in (["journal"], ["handover"], ["incidents"], ["handover", "--json"]):
        shown = cli(*base, *command)
        assert shown.code in (0, 1), (command, shown.err)
        assert not RAW.search(shown.out), (command, repr(shown.out))


def _time_text() -> st.SearchStrategy[str]:
    moment = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
    zone = st.sampled_from(["Z", "+07:00", "-12:00", "+14:00", ""])
    iso = st.builds(lambda d, z: d.isoformat() + z, moment, zone)
    return iso | st.text(max_size=30) | st.sampled_from(["", "0000-00-00", "2026-02-30T25:61"])


coordinate = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30)


@FUZZ
@given(
    reported=st.lists(_time_text(), min_size=1, max_size=5),
    lat=coordinate,
    lon=coordinate,
)
def test_native_times_and_coordinates_never_break_the_listings(
    tmp_path, feeds, cli, reported, lat, lon
):
    items = [
        incident(f"F{i}", reported_at=t, updated_at=t, lat="@LAT", lon="@LON")
        for i, t in enumerate(reported)
    ]
    # JSON cannot say NaN or Infinity, but Python's writer (and some feeds) do.
    body = incidents_doc(*items).replace('"@LAT"', _number(lat)).replace('"@LON"', _number(lon))
    feeds.route("/fuzz.json", body, etag=False)
    cfg = write_config(tmp_path / "fuzz.toml", [native_source("fz", feeds.url("/fuzz.json"))])
    r = cli("--config", str(cfg), "refresh", "--json")
    assert r.code in (0, 1) and "Traceback" not in r.err, r.err
    _strict(r.out)
    rows = _strict(cli("--config", str(cfg), "incidents", "--all", "--json").out)
    assert isinstance(rows, list)
    for row in rows:
        for key in ("reported_at", "updated_at"):
            assert row[key] is None or re.fullmatch(
                r"(19[7-9]\d|2\d{3})-\d\d-\d\dT\d\d:\d\d:\d\dZ", row[key]
            ), row
        assert row["lat"] is None or -90 <= row["lat"] <= 90, row
        assert row["lon"] is None or -180 <= row["lon"] <= 180, row
    for command in (["incidents", "--all"], ["handover"]):
        shown = cli("--config", str(cfg), *command)
        assert shown.code in (0, 1) and "Traceback" not in shown.err, shown.err


def _number(value: float | int) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)
