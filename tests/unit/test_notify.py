"""Notifications end to end: feeds on a real server, messages to a real receiver.

The receiver is an HTTP server on 127.0.0.1 that Apprise's ``json://`` URLs
post to; refreshes run through the CLI (in this process, or as real
processes where two at once or a SIGKILL is the point).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cc_console.config import load_config
from cc_console.notify import Notifier
from cc_console.store import Store
from cc_console.store.outbox import me
from cc_console.timefmt import utcnow
from tests.conftest import (
    Result,
    agencies_doc,
    incident,
    incidents_doc,
    native_source,
    run_subprocess,
    write_config,
)
from tests.feedserver import FeedServer
from tests.receiver import Receiver

ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["incident.new", "incident.breach", "agency.down", "source.failing"]
match = {{ severity = ["extreme", "severe"] }}
group_wait = "0s"
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def setup(tmp_path: Path, feeds: FeedServer, receiver: Receiver, route: str = ROUTE) -> Path:
    """A config with one incidents source (its baseline already read) and ``route``."""
    url = feeds.route("/inc.json", incidents_doc(incident("base")))
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", url)],
        extra=route.format(url=receiver.url()),
    )
    return cfg


def burst(feeds: FeedServer, *extra: dict) -> None:
    feeds.route(
        "/inc.json",
        incidents_doc(
            incident("base"),
            incident("n1", "Banjir bandang", severity="extreme", area="Kec. Cikajang"),
            incident("n2", "Longsor Talegong", severity="severe", category="landslide"),
            incident("n3", "Longsor Cisewu", severity="severe", category="landslide"),
            incident("m1", "Genangan", severity="minor"),
            incident("m2", "Pohon tumbang", severity="moderate"),
            *extra,
        ),
    )


def outbox(cli: Callable[..., Result], cfg: Path) -> list[dict]:
    r = cli("--config", str(cfg), "notify", "--json")
    assert r.code == 0, r.err
    return r.json()  # type: ignore[return-value]


def test_a_burst_of_severe_incidents_is_one_grouped_message_and_minor_ones_none(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    assert cli("--config", str(cfg), "refresh").code == 0  # the baseline: not news
    assert receiver.requests == []
    burst(feeds)
    assert cli("--config", str(cfg), "refresh").code == 0
    assert len(receiver.messages) == 1
    body = receiver.messages[0].body
    assert body["title"] == "Command Center Kabupaten Garut: 3 kejadian baru (1 ekstrem, 2 berat)"
    lines = body["message"].splitlines()
    assert lines[0].startswith("EKSTREM · Banjir bandang · Kec. Cikajang · ")
    assert lines[0].endswith(" WIB · bpbd:n1")
    assert [line.split(" · ")[0] for line in lines] == ["EKSTREM", "BERAT", "BERAT"]
    assert "Genangan" not in body["message"] and "Pohon" not in body["message"]
    rows = outbox(cli, cfg)
    assert sorted(r["target"] for r in rows) == ["bpbd:n1", "bpbd:n2", "bpbd:n3"]
    assert {r["status"] for r in rows} == {"sent"} and {r["attempts"] for r in rows} == {1}

    # Unchanged feed, another refresh: nothing more.
    assert cli("--config", str(cfg), "refresh").code == 0
    assert len(receiver.requests) == 1
    assert len(outbox(cli, cfg)) == 3


def test_english_sites_get_english_messages(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    cfg.write_text(cfg.read_text().replace('timezone = "Asia/Jakarta"', 'language = "en"'))
    cli("--config", str(cfg), "refresh")
    burst(feeds)
    cli("--config", str(cfg), "refresh")
    (got,) = receiver.messages
    assert got.body["title"].endswith(": 3 new incidents (1 extreme, 2 severe)")
    assert got.body["message"].startswith("EXTREME · Banjir bandang")


def test_feed_text_reaches_the_phone_without_control_sequences(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    cli("--config", str(cfg), "refresh")
    evil = "Banjir\x1b]8;;http://x\x07 klik\x1b[2J\u202e di [bold]Garut[/]"
    feeds.route(
        "/inc.json", incidents_doc(incident("base"), incident("e1", evil, severity="extreme"))
    )
    cli("--config", str(cfg), "refresh")
    (got,) = receiver.messages
    text = got.body["title"] + got.body["message"]
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "[bold]Garut[/]" in got.body["message"]  # literally, as everywhere


def test_a_silence_keeps_the_message_as_silenced_and_sends_nothing(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    cli("--config", str(cfg), "refresh")
    r = cli(
        "--config", str(cfg), "--operator", "Dedi", "silence", "add", "--match", "area=cikajang",
        "--match", "event=incident.new", "--for", "2h", "--reason", "latihan evakuasi",
    )  # fmt: skip
    assert r.code == 0, r.err
    sid = int(r.out.strip())
    burst(feeds)
    cli("--config", str(cfg), "refresh")
    (got,) = receiver.messages  # the two others still go out
    assert "Banjir bandang" not in got.body["message"]
    assert got.body["title"].endswith("2 kejadian baru (2 berat)")
    rows = {r["target"]: r for r in outbox(cli, cfg)}
    assert rows["bpbd:n1"]["status"] == "silenced" and rows["bpbd:n1"]["silence"] == sid
    only = cli("--config", str(cfg), "notify", "--status", "silenced", "--json").json()
    assert [r["target"] for r in only] == ["bpbd:n1"]  # type: ignore[index]
    sent = cli("--config", str(cfg), "notify", "--status", "sent", "--limit", "1", "--json")
    assert len(sent.json()) == 1 and sent.json()[0]["status"] == "sent"  # type: ignore[index]
    listed = cli("--config", str(cfg), "silence", "list", "--json").json()
    assert listed[0]["matchers"] == {"area": "cikajang", "event": "incident.new"}
    assert listed[0]["active"] is True and listed[0]["created_by"] == "Dedi"
    assert listed[0]["reason"] == "latihan evakuasi"

    assert cli("--config", str(cfg), "silence", "expire", str(sid)).code == 0
    assert cli("--config", str(cfg), "silence", "list", "--json").json()[0]["active"] is False
    assert cli("--config", str(cfg), "silence", "expire", str(sid)).code == 3  # already ended
    assert cli("--config", str(cfg), "silence", "expire", "99").code == 3
    journal = cli("--config", str(cfg), "journal", "--json").json()
    assert [(e["action"], e["target"]) for e in journal] == [
        ("silence.add", f"S-{sid}"),
        ("silence.expire", f"S-{sid}"),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--match", "severity=extreme", "--for", "forever", "--reason", "x"],
        ["--match", "severity=extreme", "--for", "200d", "--reason", "x"],
        ["--match", "colour=red", "--for", "1h", "--reason", "x"],
        ["--match", "severity", "--for", "1h", "--reason", "x"],
        ["--match", "severity=extreme", "--for", "1h", "--reason", " "],
    ],
)
def test_a_silence_needs_matchers_an_end_and_a_reason(
    tmp_path: Path,
    feeds: FeedServer,
    receiver: Receiver,
    cli: Callable[..., Result],
    args: list[str],
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    r = cli("--config", str(cfg), "silence", "add", *args)
    assert r.code == 2, r.out + r.err
    assert cli("--config", str(cfg), "silence", "list", "--json").json() == []


def test_a_failing_receiver_leaves_the_message_failed_then_sent_once_it_recovers(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    cli("--config", str(cfg), "refresh")
    receiver.status = 500
    burst(feeds)
    cli("--config", str(cfg), "refresh")
    rows = outbox(cli, cfg)
    assert {r["status"] for r in rows} == {"failed"}
    assert {r["attempts"] for r in rows} == {1}
    assert "500" in rows[0]["error"]
    # Backoff: the next refresh does not hammer the receiver.
    cli("--config", str(cfg), "refresh")
    assert len(receiver.requests) == 1
    r = cli("--config", str(cfg), "notify", "flush")  # ignores backoff; still down
    assert r.code == 1
    assert {r["attempts"] for r in outbox(cli, cfg)} == {2}

    status = cli("--config", str(cfg), "status", "--json").json()
    assert status["notifications"]["failed"] == 3  # type: ignore[index]
    assert "500" in status["notifications"]["last_error"]  # type: ignore[index]
    receiver.status = 200
    r = cli("--config", str(cfg), "notify", "flush", "--json")
    assert r.code == 0, r.err
    assert r.json()["sent"] == 3 and r.json()["messages"] == 1 and r.json()["waiting"] == 0
    rows = outbox(cli, cfg)
    assert {r["status"] for r in rows} == {"sent"} and {r["attempts"] for r in rows} == {3}
    assert {r["error"] for r in rows} == {None}
    assert len(receiver.messages) == 1
    assert cli("--config", str(cfg), "notify", "flush").code == 0  # sent is never sent again
    assert len(receiver.requests) == 3


def test_notify_test_says_whether_the_route_delivers(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    r = cli("--config", str(cfg), "notify", "test", "piket", "--json")
    assert r.code == 0 and r.json() == {"route": "piket", "delivered": True, "error": None}
    assert "piket" in receiver.messages[0].body["message"]
    receiver.status = 503
    r = cli("--config", str(cfg), "notify", "test", "piket")
    assert r.code == 1 and "503" in r.err
    assert cli("--config", str(cfg), "notify", "test", "nobody").code == 2
    assert outbox(cli, cfg) == []  # a test message is not an outbox message


def test_two_refreshes_at_once_deliver_each_message_once(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    burst(feeds)
    receiver.delay = 1.0  # both are still running while the first one sends
    results: list[Result] = []

    def one() -> None:
        results.append(run_subprocess("--config", str(cfg), "refresh"))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [r.code for r in results] == [0, 0], [r.err for r in results]
    assert len(receiver.requests) == 1
    rows = json.loads(run_subprocess("--config", str(cfg), "notify", "--json").out)
    assert len(rows) == 3 and {r["status"] for r in rows} == {"sent"}


def test_a_sender_killed_after_the_outbox_write_loses_nothing(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver
) -> None:
    """SIGKILL while a slow second source holds the refresh: the outbox row is written
    (the first source's transaction), nothing was sent; the next refresh sends it once."""
    cfg = setup(tmp_path, feeds, receiver)
    slow = feeds.route("/slow.json", incidents_doc(incident("s")), delay=30)
    text = cfg.read_text() + "\n".join(
        ["[[sources]]", *(f"{k} = {json.dumps(v)}" for k, v in native_source("lambat", slow, timeout="20s").items())]
    )  # fmt: skip
    cfg.write_text(text + "\n")
    feeds.routes["/slow.json"].delay = 0
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    feeds.routes["/slow.json"].delay = 30
    burst(feeds)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "refresh"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / "cache.db"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with sqlite3.connect(db) as c:
                if c.execute("SELECT count(*) FROM outbox").fetchone()[0] == 3:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the outbox was never written")
        assert proc.poll() is None  # still waiting on the slow source
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert receiver.requests == []
    feeds.routes["/slow.json"].delay = 0
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    assert len(receiver.requests) == 1 and len(receiver.messages) == 1
    assert run_subprocess("--config", str(cfg), "refresh").code == 0
    assert len(receiver.requests) == 1


def test_the_lease_of_a_dead_sender_is_taken_over_and_a_live_ones_respected(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    store = Store.for_config(load_config(cfg))
    now = utcnow()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ticks = Path(f"/proc/{other.pid}/stat").read_text().rsplit(")", 1)[-1].split()[19]
        host = me().split(":")[0]
        holder = f"{host}:{other.pid}:{ticks}"
        assert store.outbox.acquire(holder, now) is None
        assert store.outbox.acquire(me(), now) == holder  # alive: one sender at a time
    finally:
        other.kill()
        other.wait()
    assert store.outbox.acquire(me(), now) is None  # dead: no need to wait for the expiry
    # A holder on another host is trusted until its lease expires.
    assert store.outbox.acquire("elsewhere:1:1", now + timedelta(minutes=3)) is None
    assert store.outbox.acquire(me(), now + timedelta(minutes=4)) == "elsewhere:1:1"
    assert store.outbox.acquire(me(), now + timedelta(minutes=6)) is None
    store.close()


def test_outages_repeat_while_they_stand_and_end_with_an_all_clear(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    def agencies(status: str) -> str:
        return agencies_doc(
            {"id": "dinkes", "name": "Dinas Kesehatan", "status": status, "summary": "SIMRS"},
            {"id": "pupr", "name": "Dinas PUPR", "status": "operational"},
        )

    url = feeds.route("/ag.json", agencies("operational"))
    route = ROUTE.replace('group_wait = "0s"', 'group_wait = "0s"\nrepeat = "1h"')
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("status", url, kind="agencies")],
        extra=route.format(url=receiver.url()),
    )
    cli("--config", str(cfg), "refresh")
    feeds.route("/ag.json", agencies("major_outage"))
    cli("--config", str(cfg), "refresh")
    (down,) = receiver.messages
    assert down.body["title"].endswith(": 1 layanan terganggu")
    assert down.body["message"].startswith("TERGANGGU · Dinas Kesehatan · SIMRS")

    config = load_config(cfg)
    store = Store.for_config(config)
    notifier = Notifier(config, store)
    later = utcnow() + timedelta(minutes=30)
    assert store.outbox.check(later) == 0  # not yet: repeat is 1h
    later = utcnow() + timedelta(minutes=61)
    assert store.outbox.check(later) == 1
    asyncio.run(notifier.deliver(now=later))
    assert receiver.messages[-1].body["message"].startswith("MASIH TERGANGGU · Dinas Kesehatan")
    assert store.outbox.check(later + timedelta(minutes=1)) == 0  # at most once an hour
    store.close()

    feeds.route("/ag.json", agencies("operational"))
    cli("--config", str(cfg), "refresh")
    assert receiver.messages[-1].body["title"].endswith(": 1 pulih")
    assert receiver.messages[-1].body["message"].startswith("PULIH · Dinas Kesehatan")
    cli("--config", str(cfg), "refresh")
    assert len(receiver.messages) == 3
    phases = [(r["event"], r["phase"]) for r in outbox(cli, cfg)]
    assert phases == [
        ("agency.down", "clear"),
        ("agency.down", "repeat"),
        ("agency.down", "alert"),
    ]


def test_a_feed_that_starts_failing_is_told_and_its_recovery_too(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    cli("--config", str(cfg), "refresh")
    feeds.route("/inc.json", "oops", status=500)
    for _ in range(3):
        cli("--config", str(cfg), "refresh")
    (failing,) = receiver.messages
    assert failing.body["title"].endswith(": 1 umpan gagal")
    assert failing.body["message"].startswith("UMPAN GAGAL · bpbd · ")
    feeds.route("/inc.json", incidents_doc(incident("base")))
    cli("--config", str(cfg), "refresh")
    assert receiver.messages[-1].body["message"].startswith("PULIH · bpbd")


SECRET = "S3cr3tT0kenXYZ"
SECRET_PATH = "zzPrivateHookPath"


def test_the_secret_of_a_urls_env_url_is_never_shown(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver
) -> None:
    route = ROUTE.replace('urls = ["{url}"]', 'urls_env = "CC_NOTIFY_PIKET"')
    cfg = setup(tmp_path, feeds, receiver, route)
    env = {
        "CC_NOTIFY_PIKET": receiver.url(f"/{SECRET_PATH}/x", userinfo=f"piket:{SECRET}"),
        "CC_CONSOLE_LANG": "en",
    }
    outputs: list[Result] = [run_subprocess("--config", str(cfg), "refresh", env=env)]
    receiver.status = 500
    burst(feeds)
    for args in (
        ["refresh"],
        ["refresh", "--json"],
        ["--debug", "refresh"],
        ["notify"],
        ["notify", "--json"],
        ["notify", "flush"],
        ["notify", "flush", "--json"],
        ["notify", "test", "piket"],
        ["notify", "test", "piket", "--json"],
        ["doctor", "--offline"],
        ["journal", "--json"],
        ["status", "--json"],
    ):
        outputs.append(run_subprocess("--config", str(cfg), *args, env=env))
    assert receiver.requests and receiver.requests[-1].path.startswith(f"/{SECRET_PATH}/")
    assert SECRET in (receiver.requests[-1].auth or "") or receiver.requests[-1].auth
    for r in outputs:
        for secret in (SECRET, SECRET_PATH):
            assert secret not in r.out and secret not in r.err, (r.out, r.err)
    rows = json.loads(outputs[5].out)
    assert rows and all(r["status"] == "failed" and r["error"] for r in rows)
    with sqlite3.connect(tmp_path / "cache.db") as c:
        for table in ("outbox", "journal", "events", "source_state"):
            text = json.dumps(c.execute(f"SELECT * FROM {table}").fetchall())
            assert SECRET not in text and SECRET_PATH not in text, table
    assert os.environ.get("CC_NOTIFY_PIKET") is None


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ('name = "x"\nurls = ["json://h/"]\nevents = ["incident.gone"]', "unknown event"),
        ('name = "x"\nevents = ["incident.new"]', "needs urls, urls_env or both"),
        ('name = "x"\nurls = ["json://h/"]\ngroup_wait = "2h"', "between"),
        ('name = "x"\nurls = ["json://h/"]\nrepeat = "5s"', "between"),
        ('name = "X Y"\nurls = ["json://h/"]', "lowercase"),
        ('name = "x"\nurls = ["not a url"]', "Apprise URL"),
        ('name = "x"\nurls = ["json://h/"]\nmatch = { colour = ["red"] }', "unknown key"),
        ('name = "x"\nurls = ["json://h/"]\nmatch = { severity = ["huge"] }', "unknown severity"),
    ],
)
def test_a_bad_route_is_a_config_error(
    tmp_path: Path, cli: Callable[..., Result], route: str, message: str
) -> None:
    cfg = write_config(tmp_path / "config.toml", [], extra=f"[[notify]]\n{route}\n")
    r = cli("--config", str(cfg), "notify")
    assert r.code == 2 and message in r.err, r.err
    assert "json://h/" not in r.err


def test_doctor_checks_routes_without_sending(
    tmp_path: Path, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    routes = f"""
[[notify]]
name = "ok"
urls = ["{receiver.url()}"]
events = ["incident.new"]
[[notify]]
name = "typo"
urls = ["jsno://127.0.0.1/hook"]
events = ["incident.new"]
[[notify]]
name = "mute"
urls = ["{receiver.url()}"]
[[notify]]
name = "unset"
urls_env = "CC_NOTIFY_NOT_SET"
events = ["agency.down"]
"""
    cfg = write_config(tmp_path / "config.toml", [], extra=routes)
    r = cli("--config", str(cfg), "doctor", "--offline")
    lines = [line for line in r.out.splitlines() if " route " in line]
    assert "✓ route ok: 1 URL, events incident.new" in lines
    assert "✖ route typo: URL #1: a jsno:// URL that Apprise cannot read" in lines[1]
    assert "⚠ route mute: no events: it never sends" in lines
    assert "⚠ route unset: urls_env names $CC_NOTIFY_NOT_SET, which is not set" in lines
    assert r.code == 1
    assert receiver.requests == []


def test_a_breach_is_told_and_its_resolution_clears_it(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    reported = (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = feeds.route(
        "/inc.json",
        incidents_doc(
            incident("late", "Longsor Talegong", severity="severe", reported_at=reported)
        ),
    )
    rules = '[[sla]]\nmatch = { severity = ["severe"] }\nacknowledge_within = "15m"\n'
    cfg = write_config(
        tmp_path / "config.toml",
        [native_source("bpbd", url)],
        extra=rules + ROUTE.format(url=receiver.url()),
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    (late,) = receiver.messages
    assert late.body["title"].endswith(": 1 lewat tenggat (1 berat)")
    assert late.body["message"].startswith("LEWAT TENGGAT tanggapan · BERAT · Longsor Talegong")
    assert cli("--config", str(cfg), "resolve", "bpbd:late").code == 0
    assert cli("--config", str(cfg), "refresh").code == 0
    assert receiver.messages[-1].body["message"].startswith("PULIH · Longsor Talegong")
    assert cli("--config", str(cfg), "refresh").code == 0
    assert len(receiver.messages) == 2


def _stored(db: Path, incident_id: str) -> bool:
    """Whether the cache at ``db`` holds the incident (read as a watcher would)."""
    if not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as c:
            source, _, ext = incident_id.partition(":")
            row = c.execute(
                "SELECT 1 FROM incidents WHERE source = ? AND external_id = ?", (source, ext)
            ).fetchone()
    except sqlite3.OperationalError:  # the schema is still being made
        return False
    return row is not None


def test_the_poll_daemon_sends_and_stops_on_sigterm(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver
) -> None:
    cfg = setup(tmp_path, feeds, receiver)
    text = cfg.read_text().replace('url = "http', 'interval = "1s"\nurl = "http', 1)
    cfg.write_text(text)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_console", "--config", str(cfg), "poll"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not feeds.hits("/inc.json"):
            time.sleep(0.1)
        while time.monotonic() < deadline and not _stored(tmp_path / "cache.db", "bpbd:base"):
            time.sleep(0.1)  # the baseline is stored: what comes next is news
        burst(feeds)
        while time.monotonic() < deadline and not receiver.messages:
            time.sleep(0.1)
        assert len(receiver.messages) == 1, proc.stderr
        assert "3 kejadian baru" in receiver.messages[0].body["title"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    assert len(receiver.requests) == 1


def test_a_cache_of_the_previous_schema_keeps_what_was_sent_and_what_failed(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from cc_console.store.schema import MIGRATIONS, _statements

    db = tmp_path / "cache.db"
    with sqlite3.connect(db) as c:  # a v9 cache: sent and failed kept per row
        for number, script in enumerate(MIGRATIONS[:9], 1):
            for statement in _statements(script):
                c.execute(statement)
            c.execute(f"PRAGMA user_version = {number}")
        rows = [  # (what v9 could hold: failed ones only after the last sent)
            ("sent", 2, "2026-11-28T01:00:00Z", None),
            ("failed", 3, None, "HTTP 502"),
            ("failed", 3, None, "HTTP 500 from the gateway"),
            ("pending", 0, None, None),
        ]
        for n, (status, attempts, sent_at, error) in enumerate(rows, 1):
            c.execute(
                "INSERT INTO outbox(route, event, target, at, title, created_at, status, "
                "attempts, sent_at, error) VALUES ('piket', 'incident.new', ?, "
                "'2026-11-28T00:00:00Z', ?, '2026-11-28T00:00:00Z', ?, ?, ?, ?)",
                [f"bpbd:{n}", f"Kejadian {n}", status, attempts, sent_at, error],
            )
    cfg = write_config(tmp_path / "config.toml", [], extra=ROUTE.format(url="json://127.0.0.1:9/x"))
    listed = {r["target"]: r for r in outbox(cli, cfg)}
    assert (listed["bpbd:1"]["status"], listed["bpbd:1"]["attempts"]) == ("sent", 2)
    assert listed["bpbd:1"]["sent_at"] == "2026-11-28T01:00:00Z"
    for target in ("bpbd:2", "bpbd:3"):  # one failed delivery, retried as one
        assert (listed[target]["status"], listed[target]["attempts"]) == ("failed", 3)
        assert listed[target]["error"] == "HTTP 500 from the gateway"
    assert listed["bpbd:4"]["status"] == "pending"
    doc = cli("--config", str(cfg), "status", "--json").json()
    state = doc["notifications"]  # type: ignore[index]
    assert (state["failed"], state["pending"]) == (2, 1)
