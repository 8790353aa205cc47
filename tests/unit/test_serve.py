"""A regency publishes its cache; the province reads it with format = "native"."""

from __future__ import annotations

import threading

from cc_console.serve import FeedPublisher
from tests.conftest import agencies_doc, incident, incidents_doc, write_config


def test_province_reads_a_regency(tmp_path, feeds, cli):
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("A1"),
            incident("A2", "Longsor", status="resolved", updated_at="2000-01-01T00:00:00Z"),
        ),
    )
    feeds.route(
        "/opd.json", agencies_doc({"id": "bpbd", "name": "BPBD Garut", "status": "degraded"})
    )
    garut = write_config(
        tmp_path / "garut.toml",
        [
            {
                "name": "bpbd",
                "kind": "incidents",
                "format": "native",
                "url": feeds.url("/inc.json"),
            },
            {"name": "opd", "kind": "agencies", "format": "native", "url": feeds.url("/opd.json")},
        ],
    )
    assert cli("--config", str(garut), "refresh").code == 0
    cli("--config", str(garut), "ack", "bpbd:A1")
    publisher = FeedPublisher(tmp_path / "cache.db", port=0)
    thread = threading.Thread(target=publisher.serve_forever, daemon=True)
    thread.start()
    try:
        (tmp_path / "prov").mkdir()
        province = write_config(
            tmp_path / "prov" / "config.toml",
            [
                {
                    "name": "garut",
                    "kind": "incidents",
                    "format": "native",
                    "url": publisher.address + "/incidents.json",
                },
                {
                    "name": "garut-opd",
                    "kind": "agencies",
                    "format": "native",
                    "url": publisher.address + "/agencies.json",
                },
            ],
        )
        first = cli("--config", str(province), "refresh", "--json")
        assert first.code == 0, first.out
        incs = cli("--config", str(province), "incidents", "--all", "--json").json()
        # the old resolved one is not published; the active one keeps its operator status
        assert [(i["id"], i["status"]) for i in incs] == [("garut:bpbd:A1", "acknowledged")]
        agencies = cli("--config", str(province), "agencies", "--json").json()
        assert [(a["id"], a["status"]) for a in agencies] == [("bpbd", "degraded")]
        again = cli("--config", str(province), "refresh", "--json").json()
        assert {s["http_status"] for s in again["sources"]} == {304}
    finally:
        publisher.close()


def _serving(tmp_path, cli, *extra: str):
    """A real `cc-console serve` process on a free port, over a filled cache."""
    import resource
    import socket
    import subprocess
    import sys
    import time

    cfg = write_config(tmp_path / "c.toml", [])
    assert cli("--config", str(cfg), "status").code in (0, 1)  # makes the cache
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def few_files() -> None:  # the tester's `ulimit -n 256`
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "serve", "--port", str(port),
         *extra],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=few_files,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)


def _get(port: int, request: bytes, timeout: float = 3.0) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
            if b"\r\n\r\n" in out and (b"HEAD" in request[:4] or b"Content-Length: 0" in out):
                return out


def test_serve_drops_half_requests_survives_idle_floods_and_answers_head(tmp_path, cli):
    import socket
    import time

    proc, port = _serving(tmp_path, cli, "--idle-timeout", "1")
    try:
        # Half a request: dropped after the idle timeout, not held forever.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /incidents.json HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            assert s.recv(100) == b""
            assert time.monotonic() - started < 3
        # 200 idle connections under a 256-descriptor limit: still serving.
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        try:
            deadline = time.monotonic() + 5
            body = b""
            while b"200 OK" not in body and time.monotonic() < deadline:
                try:
                    body = _get(port, b"GET /agencies.json HTTP/1.0\r\n\r\n")
                except OSError:
                    time.sleep(0.1)
            assert b"200 OK" in body and b'"cc-console/agencies"' in body
        finally:
            for s in idle:
                s.close()
        head = _get(port, b"HEAD /incidents.json HTTP/1.1\r\nHost: x\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"Content-Length:" in head
        assert head.endswith(b"\r\n\r\n")  # headers only
        # HTTP/0.9: answered or closed, never a hang.
        started = time.monotonic()
        _get(port, b"GET /incidents.json\r\n", timeout=5)
        assert time.monotonic() - started < 3
        assert proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err


def test_serve_refuses_a_port_out_of_range_with_exit_2(tmp_path, cli):
    cfg = write_config(tmp_path / "c.toml", [])
    r = cli("--config", str(cfg), "serve", "--port", "99999")
    assert r.code == 2 and "Traceback" not in r.err
