"""Random and mutated bytes into every parser: only ParseError may come out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cc_console.errors import ParseError
from cc_console.sources import ParseContext, formats

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEEDS = {
    "native": [
        b'{"format": "cc-console/incidents", "version": 1, "incidents": [{"id": "a", "title": "b"}]}'
    ],
    "bmkg-gempa": [(FIXTURES / "bmkg_gempaterkini.json").read_bytes()],
    "geojson": [(FIXTURES / "usgs.geojson").read_bytes()],
    "statuspage": [(FIXTURES / "statuspage.json").read_bytes()],
    "cap": [
        (FIXTURES / n).read_bytes() for n in ("cap_alert.xml", "cap_index.atom", "cap_cancel.xml")
    ],
    "ical": [(FIXTURES / "agenda.ics").read_bytes()],
}
KIND = {"native": "incidents", "statuspage": "agencies", "ical": "agenda"}


def _ctx(fmt: str) -> ParseContext:
    return ParseContext(
        "fuzz",
        KIND.get(fmt, "incidents"),
        "http://127.0.0.1/x",
        datetime(2026, 11, 29, tzinfo=UTC),
        "id",
        ZoneInfo("Asia/Jakarta"),
    )


def _check(fmt: str, body: bytes) -> None:
    try:
        formats()[fmt].parse(body, _ctx(fmt))
    except ParseError:
        pass


@st.composite
def mutated(draw, fmt: str) -> bytes:
    seed = bytearray(draw(st.sampled_from(SEEDS[fmt])))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        if not seed:
            break
        i = draw(st.integers(0, len(seed) - 1))
        if op == "flip":
            seed[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del seed[i : i + draw(st.integers(1, 64))]
        elif op == "dup":
            seed[i:i] = seed[i : i + draw(st.integers(1, 64))]
        else:
            seed[i:i] = draw(
                st.sampled_from(
                    [b'"', b"<", b"}", b"]", b"null", b"-1e999", b"\x00", b"\r\n ", b"&lt;"]
                )
            )
    return bytes(seed)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_feeds_only_raise_parse_error(fmt, data):
    _check(fmt, data.draw(mutated(fmt)))


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FUZZ
@given(body=st.binary(max_size=2000))
def test_random_bytes_only_raise_parse_error(fmt, body):
    _check(fmt, body)


@pytest.mark.parametrize("fmt", ["native", "bmkg-gempa", "geojson", "statuspage"])
@FUZZ
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_json_of_the_wrong_shape_only_raises_parse_error(fmt, value):
    import json

    wrappers = {
        "native": {
            "format": "cc-console/incidents",
            "version": 1,
            "incidents": [value, {"id": value, "title": value}],
        },
        "bmkg-gempa": {
            "Infogempa": {
                "gempa": [value, {"DateTime": value, "Coordinates": value, "Magnitude": value}]
            }
        },
        "geojson": {
            "type": "FeatureCollection",
            "features": [value, {"id": "x", "properties": value, "geometry": value}],
        },
        "statuspage": {
            "page": {},
            "components": [value, {"id": value, "name": value, "status": value}],
        },
    }
    _check(fmt, json.dumps(wrappers[fmt]).encode())
