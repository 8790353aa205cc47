"""`serve` as a real process: tokens, the public page, ETag/304 without rendering, gzip,
CAP and Statuspage read back by our own parsers, hostile clients, SIGTERM."""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cc_console.models import Incident
from cc_console.publish import cap_identifier
from tests.conftest import agencies_doc, incident, incidents_doc, write_config
from tests.serving import Serving
from tests.timing import Budget

TOKEN = "tok-3f9a1c77e2"


def _ident(external_id: str) -> str:
    """The CAP identifier of the first alert of ``bpbd:<external_id>`` at site 32.05."""
    return cap_identifier("32.05", Incident(source="bpbd", external_id=external_id, title=""))


def _site(tmp_path: Path, feeds, cli, *, serve: str = 'tokens_env = "CC_SERVE_TOKENS"') -> Path:
    """A regency's cache: public and private incidents, an exercise, hostile text, operators."""
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("B1", "Banjir bandang Cimanuk", severity="severe", area="Kec. Tarogong"),
            incident("B2", "<script>alert(1)</script> Longsor", category="landslide",
                     area="Kec. Cisewu"),
            incident("C1", "Aduan jalan rusak warga", category="complaint"),
            incident("X1", "Latihan evakuasi gempa", category="earthquake", exercise=True),
            incident("Q1", "Gempa M5.1 selatan Garut", category="earthquake", severity="severe",
                     reported_at="2026-11-27T02:00:00Z", updated_at="2026-11-27T02:00:00Z",
                     extra={"shapes": [{"polygon": [[-7.5, 107.6], [-7.5, 108.0],
                                                    [-7.8, 107.8]]}]}),
        ),
    )  # fmt: skip
    feeds.route(
        "/opd.json",
        agencies_doc(
            {"id": "bpbd", "name": "BPBD Garut", "status": "operational"},
            {"id": "dinkes", "name": "Dinas Kesehatan <b>", "status": "major_outage"},
        ),
    )
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {"name": "bpbd", "kind": "incidents", "format": "native",
             "url": feeds.url("/inc.json")},
            {"name": "opd", "kind": "agencies", "format": "native",
             "url": feeds.url("/opd.json")},
        ],
    )  # fmt: skip
    cfg.write_text(cfg.read_text() + f"[serve]\n{serve}\n")
    assert cli("--config", str(cfg), "refresh").code == 0
    assert cli("--config", str(cfg), "--operator", "Siti Piket", "ack", "bpbd:B1").code == 0
    assert (
        cli("--config", str(cfg), "--operator", "Siti Piket", "note", "bpbd:B1",
            "RAHASIA nomor HP kepala desa 0812").code == 0
    )  # fmt: skip
    return cfg


class _Text(HTMLParser):
    """The text and the tags of an HTML document, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    p.close()
    return p


def test_tokens_guard_the_private_paths_and_the_public_ones_stay_open(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=f"other-token, {TOKEN}") as s:
        for path in ("/incidents.json", "/agencies.json", "/actions.json", "/cap/index.atom",
                     "/cap/32.05-1.xml", "/anything"):  # fmt: skip
            for token in (None, "wrong", TOKEN + "x", TOKEN[:-1], "other-token,"):
                r = s.get(path, token)
                assert r.status_code == 401, (path, token)
                assert r.content == b""  # nothing else
        ok = s.get("/incidents.json", TOKEN)
        assert ok.status_code == 200 and ok.json()["site"] == {
            "code": "32.05",
            "name": "Command Center Kabupaten Garut",
        }
        assert s.get("/agencies.json", "other-token").status_code == 200
        assert s.get("/actions.json", TOKEN).json()["format"] == "cc-console/actions"
        for path in ("/", "/status.json", "/healthz"):
            assert s.get(path).status_code == 200, path
        assert s.get("/nope.json", TOKEN).status_code == 404
        assert s.get("/").headers["Server"] == "cc-console"
        code, err = s.stop()
    assert code == 0 and "Traceback" not in err and TOKEN not in err


def test_a_public_address_without_tokens_is_refused_unless_public_only(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    r = cli("--config", str(cfg), "serve", "--host", "0.0.0.0", "--port", "0")
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1 and "--public-only" in r.err
    with Serving(cfg, "--host", "0.0.0.0", "--public-only") as s:
        s.address = f"http://127.0.0.1:{s.port}"
        assert s.get("/").status_code == 200
        assert s.get("/incidents.json").status_code == 401
        assert s.stop()[0] == 0
    # Without tokens on loopback the feeds answer (this machine only).
    with Serving(cfg) as s:
        assert s.get("/incidents.json").status_code == 200


def test_the_public_page_shows_services_and_public_incidents_and_nothing_private(
    tmp_path, feeds, cli
):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        r = s.get("/")
        assert r.headers["Content-Type"].startswith("text/html")
        assert "script-src" not in r.headers["Content-Security-Policy"]
        page = _parse(r.text)
    text = " ".join(" ".join(page.text).split())
    assert "script" not in page.tags  # the feed's <script> is text, not an element
    assert "<script>alert(1)</script> Longsor" in text
    assert "Dinas Kesehatan <b>" in text and "gangguan besar" in text and "BPBD Garut" in text
    assert "Banjir bandang Cimanuk" in text and "Kec. Tarogong" in text and "WIB" in text
    assert "Gempa M5.1 selatan Garut" not in text  # a week old: over for the public
    for private in ("Siti Piket", "RAHASIA", "0812", "Aduan jalan rusak", "Latihan evakuasi"):
        assert private not in r.text, private
    # No outside asset, nothing to run: the page stands alone.
    for name, value in page.attrs:
        if name in ("src", "href"):
            assert not (value or "").startswith(("http:", "https:", "//")), value
    assert "on" not in {n[:2] for n, _ in page.attrs}
    # English on request, same rules.
    cfg.write_text(cfg.read_text().replace('timezone = "Asia/Jakarta"',
                                           'timezone = "Asia/Jakarta"\nlanguage = "en"'))  # fmt: skip
    with Serving(cfg, tokens=TOKEN) as s:
        english = s.get("/").text
    assert "Active incidents" in english and "major outage" in english.lower()


def test_status_json_is_a_statuspage_summary_our_reader_reads_back(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        doc = s.get("/status.json").json()
        assert doc["page"]["name"] == "Command Center Kabupaten Garut"
        assert {c["id"]: c["status"] for c in doc["components"]} == {
            "bpbd": "operational",
            "dinkes": "major_outage",
        }
        assert doc["status"]["indicator"] == "critical"
        names = {i["name"] for i in doc["incidents"]}
        assert "Aduan jalan rusak warga" not in names and "Latihan evakuasi gempa" not in names
        assert "Banjir bandang Cimanuk" in names
        assert "Siti" not in str(doc) and "RAHASIA" not in str(doc)
        (tmp_path / "prov").mkdir()
        reader = write_config(
            tmp_path / "prov" / "config.toml",
            [{"name": "garut", "kind": "agencies", "format": "statuspage",
              "url": s.address + "/status.json"}],
        )  # fmt: skip
        assert cli("--config", str(reader), "refresh").code == 0
    theirs = cli("--config", str(cfg), "agencies", "--json").json()
    ours = cli("--config", str(reader), "agencies", "--json").json()
    assert [(a["id"], a["name"], a["status"]) for a in ours] == [
        (a["id"], a["name"], a["status"]) for a in theirs
    ]


def test_cap_out_is_read_back_by_our_cap_parser_as_the_same_incidents(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    assert cli("--config", str(cfg), "resolve", "bpbd:B2").code == 0
    with Serving(cfg, tokens=TOKEN) as s:
        index = s.get("/cap/index.atom", TOKEN)
        assert index.headers["Content-Type"].startswith("application/atom+xml")
        (tmp_path / "prov").mkdir()
        reader = write_config(
            tmp_path / "prov" / "config.toml",
            [{"name": "garut-cap", "kind": "incidents", "format": "cap",
              "url": s.address + "/cap/index.atom", "token_env": "PROV_TOKEN"}],
        )  # fmt: skip
        import os

        os.environ["PROV_TOKEN"] = TOKEN
        try:
            r = cli("--config", str(reader), "refresh", "--json")
        finally:
            del os.environ["PROV_TOKEN"]
        assert r.code == 0, r.out
        alert = s.get(f"/cap/{_ident('Q1')}.xml", TOKEN)  # the quake, never changed: an Alert
        assert b"<msgType>Alert</msgType>" in alert.content
        assert b"<polygon>-7.5,107.6 -7.5,108.0 -7.8,107.8 -7.5,107.6</polygon>" in alert.content
        assert b"<sender>cc-console.32.05</sender>" in alert.content
        assert b"<language>id-ID</language>" in alert.content
    site = {i["title"]: i for i in cli("--config", str(cfg), "incidents", "--all", "--json").json()}
    read = cli("--config", str(reader), "incidents", "--all", "--json").json()
    assert len(read) == len(site) == 5
    fields = ("title", "category", "severity", "area", "lat", "lon", "reported_at", "exercise")
    for inc in read:
        mine = site[inc["title"]]
        assert {k: inc[k] for k in fields} == {k: mine[k] for k in fields}, inc["title"]
        expected = {"acknowledged": "open"}.get(mine["status"], mine["status"])
        if mine["status"] == "open" and mine["updated_at"] < "2026-12-01":
            # An alert sent days ago expired after [public] expires (12h): a reader takes
            # an expired alert as over.
            expected = "resolved"
        assert inc["status"] == expected, inc["title"]
    by_title = {i["title"]: i for i in read}
    # The acknowledged flood changed after its report: an Update naming its first alert.
    assert by_title["Banjir bandang Cimanuk"]["extra"]["msg_type"] == "update"
    assert by_title["<script>alert(1)</script> Longsor"]["status"] == "resolved"


def test_cap_cancel_when_the_incident_is_cancelled(tmp_path, feeds, cli):
    from datetime import UTC, datetime, timedelta

    cfg = _site(tmp_path, feeds, cli)
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    feeds.route(
        "/inc.json",
        incidents_doc(incident("B1", "Banjir bandang Cimanuk", status="cancelled",
                               updated_at=an_hour_ago)),
    )  # fmt: skip
    assert cli("--config", str(cfg), "refresh").code == 0
    with Serving(cfg, tokens=TOKEN) as s:
        index = s.get("/cap/index.atom", TOKEN).text
        link = next(p for p in index.split('href="')[1:] if p.startswith(f"/cap/{_ident('B1')}-u"))
        alert = s.get(link.split('"')[0], TOKEN).text
    assert "<msgType>Cancel</msgType>" in alert
    assert (
        f"<references>cc-console.32.05,{_ident('B1')},2026-11-27T08:00:00+07:00</references>"
        in alert
    )


def test_304_costs_no_rendering_and_a_change_renders_once(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        first = s.get("/incidents.json", TOKEN)
        tag = first.headers["ETag"]
        before = s.renders()
        for _ in range(20):
            r = s.get("/incidents.json", TOKEN, If_None_Match=tag)
            assert r.status_code == 304 and r.content == b"" and r.headers["ETag"] == tag
        assert s.get("/incidents.json", TOKEN).content == first.content  # kept, not rendered
        assert s.renders() == before
        # A poll that changes nothing is still a write: one render, and a new generated_at
        # (the site's last write) tells the province this site is alive.
        time.sleep(1.05)  # generated_at counts whole seconds
        assert cli("--config", str(cfg), "refresh").code == 0
        polled = s.get("/incidents.json", TOKEN, If_None_Match=tag)
        assert polled.status_code == 200 and polled.json()["incidents"] == first.json()["incidents"]
        assert polled.json()["generated_at"] > first.json()["generated_at"]
        assert s.renders() == before + 1
        tag = polled.headers["ETag"]
        # A real change: a new ETag.
        assert cli("--config", str(cfg), "resolve", "bpbd:B2").code == 0
        changed = s.get("/incidents.json", TOKEN, If_None_Match=tag)
        assert changed.status_code == 200 and changed.headers["ETag"] != tag
        assert s.renders() == before + 2


def test_gzip_when_asked(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        import httpx

        raw = httpx.get(s.address + "/", headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in raw.headers
        with httpx.Client() as c:
            zipped = c.get(s.address + "/", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert zipped.headers["Vary"] == "Accept-Encoding"
        assert int(zipped.headers["Content-Length"]) < len(raw.content) / 2
        assert zipped.content == raw.content  # httpx decoded it: the same page
        # And byte for byte, decoded by hand.
        with socket.create_connection(("127.0.0.1", s.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert gzip.decompress(data.split(b"\r\n\r\n", 1)[1]) == raw.content


def _raw(port: int, request: bytes, timeout: float = 3.0) -> bytes:
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


def test_serve_drops_half_requests_survives_idle_floods_and_answers_head(tmp_path, feeds, cli):
    import resource

    cfg = _site(tmp_path, feeds, cli, serve="")

    def few_files() -> None:  # the tester's `ulimit -n 256`
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "serve", "--port", str(port),
         "--idle-timeout", "1"],
        stderr=subprocess.PIPE, text=True, preexec_fn=few_files,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.05)
        # Half a request: dropped after the idle timeout, not held forever.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /incidents.json HTTP/1.1\r\nHost: x\r\n")
            budget, started = Budget(3), time.monotonic()
            assert s.recv(100) == b""
            assert budget.allows(time.monotonic() - started)
        # A byte every 0.2 s (slowloris): dropped too, though it never goes quiet.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            budget, started = Budget(4), time.monotonic()
            with pytest.raises(OSError):
                for ch in b"GET /incidents.json HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 60:
                    s.sendall(bytes([ch]))
                    time.sleep(0.2)
            assert budget.allows(time.monotonic() - started)
        # 200 idle connections under a 256-descriptor limit: still serving.
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        try:
            body = _raw(port, b"GET /agencies.json HTTP/1.0\r\n\r\n")
            assert b"200 OK" in body and b'"cc-console/agencies"' in body
        finally:
            for s in idle:
                s.close()
        head = _raw(port, b"HEAD /incidents.json HTTP/1.1\r\nHost: x\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"Content-Length:" in head
        assert head.endswith(b"\r\n\r\n")  # headers only
        # HTTP/0.9 and garbage: answered or closed, never a hang.
        for junk in (b"GET /incidents.json\r\n", b"\x16\x03\x01\x02\x00garbage\r\n\r\n"):
            budget, started = Budget(3), time.monotonic()
            try:
                _raw(port, junk, timeout=5)
            except OSError:
                pass
            assert budget.allows(time.monotonic() - started)
        assert proc.poll() is None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err, err


def test_sigterm_stops_cleanly_while_clients_are_connected(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(50)]
        keepalive = socket.create_connection(("127.0.0.1", s.port))
        keepalive.sendall(
            f"GET /incidents.json HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
            .encode()
        )  # fmt: skip
        assert keepalive.recv(12) == b"HTTP/1.1 200"
        budget, started = Budget(8), time.monotonic()
        code, err = s.stop()
        took = time.monotonic() - started
        for c in [*idle, keepalive]:
            c.close()
    assert code == 0, err
    assert budget.allows(took), (took, budget.limit())
    assert "Traceback" not in err


def test_serve_refuses_a_port_out_of_range_with_exit_2(tmp_path, cli):
    cfg = write_config(tmp_path / "c.toml", [])
    r = cli("--config", str(cfg), "serve", "--port", "99999")
    assert r.code == 2 and "Traceback" not in r.err


@pytest.mark.parametrize(
    "serve, problem",
    [
        ('tokens_env = "has space"', "tokens_env"),
        ("tokens_env = 5", "tokens_env"),
        ('public_categories = ["flood", "gossip"]', "public_categories"),
        ('public_categories = "flood"', "public_categories"),
        ('listen = "0.0.0.0"', "listen"),
    ],
)
def test_bad_serve_config_is_exit_2_naming_the_key(tmp_path, cli, serve, problem):
    cfg = write_config(tmp_path / "c.toml", [])
    cfg.write_text(cfg.read_text() + f"[serve]\n{serve}\n")
    r = cli("--config", str(cfg), "status")
    assert r.code == 2 and problem in r.err and "Traceback" not in r.err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium (.ci/run installs it)")
def test_a_real_browser_loads_the_public_page_from_a_real_serve(tmp_path, feeds, cli):
    cfg = _site(tmp_path, feeds, cli)
    with Serving(cfg, tokens=TOKEN) as s:
        dom = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--window-size=390,900",
             "--dump-dom", s.address + "/"],
            capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip
    page = _parse(dom)
    text = " ".join(" ".join(page.text).split())
    assert "Status Layanan dan Kejadian" in text  # the site's language
    assert "BPBD Garut" in text and "normal" in text
    assert "Dinas Kesehatan <b>" in text and "gangguan besar" in text
    assert "Banjir bandang Cimanuk" in text and "sedang ditangani" in text
    assert "<script>alert(1)</script> Longsor" in text and "script" not in page.tags
    for private in ("Siti Piket", "RAHASIA", "Aduan jalan rusak", "Latihan evakuasi"):
        assert private not in dom, private


@pytest.mark.parametrize(
    "serve, env, mark, words, code",
    [
        ("", {}, "⚠", "no tokens_env", 0),
        ('tokens_env = "CC_SERVE_TOKENS"', {}, "⚠", "which is not set", 1),
        ('tokens_env = "CC_SERVE_TOKENS"', {"CC_SERVE_TOKENS": "abc,defghijklmnopqrstu"}, "⚠",
         "1 of 2 tokens shorter", 1),
        ('tokens_env = "CC_SERVE_TOKENS"', {"CC_SERVE_TOKENS": TOKEN * 2}, "✓", "1 token set", 0),
        ('tokens_env = "CC_SERVE_TOKENS"\npublic_categories = ["flood", "complaint"]',
         {"CC_SERVE_TOKENS": TOKEN * 2}, "⚠", "shows complaint", 1),
    ],
)  # fmt: skip
def test_doctor_checks_serve(tmp_path, cli, monkeypatch, serve, env, mark, words, code):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    cfg = write_config(tmp_path / "c.toml", [])
    cfg.write_text(cfg.read_text() + f"[serve]\n{serve}\n")
    cli("--config", str(cfg), "status")  # makes the cache
    r = cli("--config", str(cfg), "doctor", "--offline")
    line = next(x for x in r.out.splitlines() if "[serve]" in x and words in x)
    assert line.startswith(mark)
    assert r.code == code
    for v in env.values():
        assert v not in r.out + r.err  # a token is never shown
