"""A misbehaving feed server: every fault fails only its source, keeps its data, ends in time."""

from __future__ import annotations

import gzip
import io
import json
import socket
import time
from pathlib import Path

import pytest

from tests.conftest import incident, incidents_doc, run_measured, write_config
from tests.timing import Budget, slowdown

FIXTURES = Path(__file__).parent.parent / "fixtures"
# The sources' timeout, which also bounds an agenda's expansion: one second on an
# idle machine, more on a busy one (a good calendar must still expand within it).
TIMEOUT = float(max(1, round(slowdown())))


def _cut_short(conn: socket.socket) -> None:
    conn.sendall(
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"format":'
    )
    conn.close()


def _close(conn: socket.socket) -> None:
    conn.close()


def _gzip_bomb() -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        chunk = b"\0" * (1 << 20)
        for _ in range(300):  # 300 MB of zeros in about 300 KB
            z.write(chunk)
    return out.getvalue()


XML_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>'
)

# fault id -> (route kwargs, format, words expected in the error)
FAULTS = {
    "401": ({"body": "no", "status": 401}, "native", ["HTTP 401"]),
    "404": ({"body": "no", "status": 404}, "native", ["HTTP 404"]),
    "429": (
        {"body": "slow down", "status": 429, "headers": {"Retry-After": "30"}},
        "native",
        ["HTTP 429"],
    ),
    "500": ({"body": "oops", "status": 500}, "native", ["HTTP 500"]),
    "503": (
        {"body": "down", "status": 503, "headers": {"Retry-After": "120"}},
        "native",
        ["HTTP 503"],
    ),
    "slow": (
        {"body": incidents_doc(incident("A1")), "delay": TIMEOUT + 2},
        "native",
        [f"within {TIMEOUT:g}s"],
    ),
    "drip": (
        {"body": incidents_doc(incident("A1")), "drip": 0.05},
        "native",
        [f"within {TIMEOUT:g}s"],
    ),
    "cut-short": ({"raw": _cut_short}, "native", ["broken response"]),
    "closed": ({"raw": _close}, "native", ["broken response"]),
    "redirect-loop": (
        {"body": "", "status": 302, "headers": {"Location": "/fault"}},
        "native",
        ["redirects"],
    ),
    "captive-portal": ({"body": "<html><body>Login Wi-Fi</body></html>"}, "native", ["not JSON"]),
    "empty-200": ({"body": ""}, "native", ["empty"]),
    "invalid-json": ({"body": '{"format": "cc-console/incidents", '}, "native", ["not JSON"]),
    "wrong-shape": ({"body": '{"hello": "world"}'}, "native", ["format"]),
    "not-utf8": ({"body": b"\xff\xfe\x00garbage\xc3\x28"}, "native", ["not JSON"]),
    "5mb-string": ({"body": json.dumps("A" * 5_000_000)}, "native", ["JSON object"]),
    "over-max-bytes": (
        {"body": incidents_doc(*[incident(f"B{i}", "x" * 200) for i in range(20000)])},
        "native",
        ["max_bytes"],
    ),
    "gzip-bomb": ({"body": b"", "raw": None}, "native", ["max_bytes"]),
    "xml-entity-bomb": ({"body": XML_BOMB}, "cap", ["unsafe XML"]),
    "xml-external-entity": ({"body": XXE}, "cap", ["unsafe XML"]),
    "malformed-xml": ({"body": b"<alert><identifier>x</alert>"}, "cap", ["well-formed"]),
    "malformed-ical": (
        {"body": b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n"},
        "ical",
        ["iCalendar"],
    ),
}
GOOD = {
    "native": incidents_doc(incident("A1"), incident("A2")),
    "cap": (FIXTURES / "cap_alert.xml").read_bytes(),
    "ical": (FIXTURES / "agenda.ics").read_bytes(),
}
KIND = {"native": "incidents", "cap": "incidents", "ical": "agenda"}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_bomb()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_fails_only_its_source(fault, tmp_path, feeds, cli, bomb):
    route, fmt, words = FAULTS[fault]
    feeds.route("/fault", GOOD[fmt])
    feeds.route("/other", incidents_doc(incident("O1")))
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "faulty",
                "kind": KIND[fmt],
                "format": fmt,
                "url": feeds.url("/fault"),
                "max_bytes": "6MB",
            },
            {"name": "other", "kind": "incidents", "format": "native", "url": feeds.url("/other")},
        ],
        extra=f'interval = "1m"\ntimeout = "{TIMEOUT}s"',
    )
    first = cli("--config", str(cfg), "refresh", "--json")
    assert first.code == 0, first.out + first.err
    before = cli(
        "--config",
        str(cfg),
        "incidents" if KIND[fmt] == "incidents" else "agenda",
        "--json",
        *(["--from", "2026-11-01", "--to", "2027-02-01"] if fmt == "ical" else []),
    ).json()
    assert before
    if fault == "gzip-bomb":
        feeds.route("/fault", b"", headers={"Content-Encoding": "gzip"}, etag=False)
        feeds.routes["/fault"].body = bomb
    elif fault == "over-max-bytes":
        feeds.route("/fault", route["body"])
    else:
        feeds.route("/fault", **route)
    feeds.route("/other", incidents_doc(incident("O1"), incident("O2")))
    budget, started = Budget(TIMEOUT + 3), time.monotonic()
    r = cli("--config", str(cfg), "refresh", "--json")
    elapsed = time.monotonic() - started
    assert r.code == 1
    by = {s["name"]: s for s in r.json()["sources"]}
    assert by["faulty"]["status"] == "failed"
    error = by["faulty"]["error"]
    assert "\n" not in error and len(error) < 400
    for word in words:
        assert word in error, error
    assert by["other"]["status"] == "updated" and by["other"]["changed"] == 1
    assert budget.allows(elapsed), (elapsed, budget.limit())
    after = cli(
        "--config",
        str(cfg),
        "incidents" if KIND[fmt] == "incidents" else "agenda",
        "--json",
        *(["--from", "2026-11-01", "--to", "2027-02-01"] if fmt == "ical" else []),
    ).json()
    assert [x["id"] for x in after if not x["id"].startswith("other:")] == [
        x["id"] for x in before if not x["id"].startswith("other:")
    ]


def test_connection_refused_and_unresolvable_host(tmp_path, cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "refused",
                "kind": "incidents",
                "format": "native",
                "url": f"http://127.0.0.1:{port}/x",
            },
            {
                "name": "nohost",
                "kind": "incidents",
                "format": "native",
                "url": "http://feed.invalid/x",
            },
        ],
        extra=f'timeout = "{TIMEOUT}s"',
    )
    budget, started = Budget(TIMEOUT + 3), time.monotonic()
    r = cli("--config", str(cfg), "refresh", "--json")
    assert budget.allows(time.monotonic() - started)
    by = {s["name"]: s for s in r.json()["sources"]}
    assert "connection refused" in by["refused"]["error"]
    assert by["nohost"]["status"] == "failed" and "feed.invalid" in by["nohost"]["error"]


def test_gzip_bomb_keeps_memory_bounded(tmp_path, feeds, bomb):
    feeds.route("/bomb", b"", headers={"Content-Encoding": "gzip"}, etag=False)
    feeds.routes["/bomb"].body = bomb
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "bomb", "kind": "incidents", "format": "native", "url": feeds.url("/bomb")}],
    )
    r, peak_mb = run_measured("--config", str(cfg), "refresh", "--json")
    assert r.code == 1 and "max_bytes" in r.out
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB for a 300 MB bomb"
