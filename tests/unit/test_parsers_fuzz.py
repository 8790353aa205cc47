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


_CLEAN_SPACED = st.from_regex(r"[ab]{1,4}( [XY]{1,3}){0,2}", fullmatch=True)
_ODD = st.text(alphabet=st.sampled_from(list("aZ 9:-.#\n\t\x1b\u202eéİ")), max_size=12)
_TEXT = (
    st.text(alphabet="abXY9-", min_size=1, max_size=10)
    | _CLEAN_SPACED
    | st.sampled_from(["a  b", " a", "b ", "X" * 301])
    | _ODD
)
_TIME = st.sampled_from(
    [
        None,
        "2026-11-27T03:00:00Z",
        "2026-11-27T04:00:00Z",
        "2026-11-27T10:00:00+07:00",
        "2026-13-27T03:00:00Z",
        "2026-11-27T03:00:00.5Z",
        "2026-11-27 03:00:00Z",
        "not a time",
    ]
)
_ITEM = st.fixed_dictionaries(
    {
        "id": _TEXT,
        "title": _TEXT,
        "severity": st.sampled_from(["severe", "minor", "unknown", "Severe", "bad", "", None]),
        "status": st.sampled_from(["open", "resolved", "acknowledged", "Resolved", "gone", None]),
        "reported_at": _TIME | st.just("2026-11-27T03:00:00Z"),
    },
    optional={
        "description": st.none() | _TEXT,
        "category": st.none() | _TEXT | st.sampled_from(["flood", "Flood"]),
        "area": st.none() | _TEXT,
        "lat": st.none() | st.integers(-100, 100) | st.floats(-100, 100) | st.just(95.5),
        "lon": st.none() | st.floats(-200, 200, allow_nan=False) | st.sampled_from([-190.0, 9.5]),
        "updated_at": _TIME,
        "url": st.none() | st.sampled_from(["https://x.test/a", "ftp://x", "http://a b"]),
        "assigned_to": st.none() | _TEXT,
        "exercise": st.none() | st.booleans(),
        "extra": st.none() | st.dictionaries(_TEXT, st.integers(), max_size=2),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(_ITEM, max_size=6))
def test_native_fast_path_reads_items_as_the_general_reading_does(items):
    """The typed C-speed path of the native parser and the item-by-item reading agree."""
    import json

    from cc_console.sources import native

    body = json.dumps({"format": "cc-console/incidents", "version": 1, "incidents": items})
    ctx = _ctx("native")
    fast = native.parse(body.encode(), ctx)
    general = native._parse_tolerant(body.encode(), ctx)
    assert fast.incidents == general.incidents
    assert fast.warnings == general.warnings


_CLEAN = {
    "id": "a1",
    "title": "Banjir di Kec. Cisewu",
    "severity": "severe",
    "status": "open",
    "category": "flood",
    "area": "Kec. Cisewu",
    "lat": -7.2,
    "lon": 107.5,
    "reported_at": "2026-11-27T03:00:00Z",
}


@pytest.mark.parametrize(
    "override",
    [
        {},
        {"lon": -190.0},
        {"lat": 95.5, "lon": None},
        {"lat": 7},
        {"area": "Kec.  Cisewu"},
        {"area": " Kec. Cisewu"},
        {"title": "Banjir  besar"},
        {"title": "X" * 301},
        {"category": "Flood"},
        {"category": "flood "},
        {"id": "fuzz:a1"},
        {"id": " a1"},
        {"updated_at": "2026-11-27T10:00:00+07:00"},
        {"updated_at": "2026-11-27T04:00:00Z"},
        {"reported_at": "2026-02-30T03:00:00Z"},
        {"assigned_to": "  BPBD  "},
        {"url": "ftp://x"},
        {"extra": {}},
        {"extra": {"b": 1, "a": "é"}},
        {"description": "line\nline\x1b[2J"},
        {"title": "Banjir\u202e"},
    ],
)
def test_native_fast_path_edges(override):
    import json

    from cc_console.sources import native

    body = json.dumps(
        {"format": "cc-console/incidents", "version": 1, "incidents": [{**_CLEAN, **override}]}
    ).encode()
    fast = native.parse(body, _ctx("native"))
    assert fast.incidents == native._parse_tolerant(body, _ctx("native")).incidents
