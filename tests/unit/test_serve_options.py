"""``serve`` and friends as real processes: Accept-Encoding read as RFC 9110 says, one strong
ETag per encoding, numbers that are not numbers refused, a busy port in one line."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import incident, incidents_doc, native_source, run_subprocess, write_config
from tests.serving import Serving


def _site(tmp_path, feeds, cli):
    many = [incident(f"B{n}", f"Banjir di desa nomor {n}") for n in range(30)]
    feeds.route("/inc.json", incidents_doc(*many))
    cfg = write_config(tmp_path / "config.toml", [native_source("bpbd", feeds.url("/inc.json"))])
    assert cli("--config", str(cfg), "refresh").code == 0
    return cfg


def _get(s: Serving, path: str, **headers: str) -> httpx.Response:
    """A request with exactly these headers (httpx would add its own Accept-Encoding)."""
    with httpx.Client() as c:
        req = c.build_request("GET", s.address + path)
        for k in list(req.headers):
            if k.lower() == "accept-encoding":
                del req.headers[k]
        for k, v in headers.items():
            req.headers[k.replace("_", "-")] = v
        return c.send(req)


@pytest.mark.parametrize(
    "accept, zipped",
    [
        ("gzip", True),
        ("GZIP;Q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("deflate, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("gzip;q=0, identity", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("deflate, br", False),
        ("notgzip", False),
        ("gzip;q=nan", False),
        ("", False),
    ],
)
def test_gzip_only_when_accept_encoding_accepts_it(tmp_path, feeds, cli, accept, zipped):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg) as s:
        r = _get(s, "/incidents.json", Accept_Encoding=accept)
    assert r.status_code == 200
    assert (r.headers.get("Content-Encoding") == "gzip") is zipped, accept
    assert r.json()["incidents"]  # decoded either way: the same document


def test_gzip_and_identity_have_their_own_strong_etags(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg) as s:
        plain = _get(s, "/incidents.json", Accept_Encoding="identity")
        zipped = _get(s, "/incidents.json", Accept_Encoding="gzip")
        assert zipped.headers["Content-Encoding"] == "gzip"
        tag, gz_tag = plain.headers["ETag"], zipped.headers["ETag"]
        assert tag != gz_tag and not tag.startswith("W/") and not gz_tag.startswith("W/")
        # Each validates its own bytes...
        r = _get(s, "/incidents.json", Accept_Encoding="identity", If_None_Match=tag)
        assert r.status_code == 304 and r.headers["ETag"] == tag
        r = _get(s, "/incidents.json", Accept_Encoding="gzip", If_None_Match=gz_tag)
        assert r.status_code == 304 and r.headers["ETag"] == gz_tag
        # ...and not the other encoding's: a cache holding identity bytes gets gzip whole.
        r = _get(s, "/incidents.json", Accept_Encoding="gzip", If_None_Match=tag)
        assert r.status_code == 200 and r.headers["ETag"] == gz_tag
        r = _get(s, "/incidents.json", Accept_Encoding="identity", If_None_Match=gz_tag)
        assert r.status_code == 200 and r.headers["ETag"] == tag and r.content == plain.content
        # A cache holding both sends both: 304.
        both = f"{tag}, W/{gz_tag}"
        assert (
            _get(s, "/incidents.json", Accept_Encoding="gzip", If_None_Match=both).status_code
            == 304
        )
        assert _get(s, "/incidents.json", If_None_Match="*").status_code == 304


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-1", "0"])
def test_serve_idle_timeout_must_be_a_finite_positive_number(tmp_path, value):
    cfg = write_config(tmp_path / "config.toml", [])
    # A real process: on a number it takes, it would serve (and the timeout would fail this).
    r = run_subprocess(
        "--config", str(cfg), "serve", "--port", "0", f"--idle-timeout={value}", timeout=30
    )
    assert r.code == 2, r.err
    assert "--idle-timeout" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_handover_hours_must_be_finite(tmp_path, cli, value):
    cfg = write_config(tmp_path / "config.toml", [])
    r = cli("--config", str(cfg), "handover", f"--hours={value}")
    assert r.code == 2 and "--hours" in r.err and "Traceback" not in r.err


def test_demo_serve_on_a_busy_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run_subprocess("demo", "--serve", "--port", str(port), timeout=60)
    assert r.code == 2, r.err
    assert "Traceback" not in r.err
    (line,) = r.err.strip().splitlines()
    assert str(port) in line and "--port" in line
