"""Smaller integrity defects of notifications: short URL secrets, removed routes,
the deadline check's errors, the console's bounded count of waiting messages."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cc_console.store import Store
from cc_console.timefmt import iso_z, utcnow
from tests.conftest import Result, incident, incidents_doc, native_source, write_config
from tests.feedserver import FeedServer
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(status=500) as r:
        yield r


def test_notify_test_masks_every_part_of_a_route_url_however_short(
    tmp_path: Path, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    # ntfy's error names the topic: a 5-character one is as secret as a long one.
    port = receiver.url().split(":")[2].split("/")[0]
    route = f'[[notify]]\nname = "piket"\nurls = ["ntfy://127.0.0.1:{port}/tpk12"]\n'
    route += 'events = ["incident.new"]\n'
    cfg = write_config(tmp_path / "config.toml", [], extra=route)
    for args in (["notify", "test", "piket"], ["notify", "test", "piket", "--json"]):
        r = cli("--config", str(cfg), *args)
        assert r.code == 1 and receiver.requests, r.out + r.err
        text = r.out + r.err
        assert "500" in text  # the error itself is told
        assert "tpk12" not in text and port not in text, text
        assert "notification" in text  # words are not masked


def test_a_failing_deadline_check_is_a_failure_of_refresh_not_silence(
    tmp_path: Path, feeds: FeedServer, cli: Callable[..., Result]
) -> None:
    reported = iso_z(utcnow() - timedelta(hours=2))
    url = feeds.route(
        "/inc.json",
        incidents_doc(incident("late", severity="severe", reported_at=reported)),
    )
    rules = '[[sla]]\nmatch = { severity = ["severe"] }\nacknowledge_within = "15m"\n'
    cfg = write_config(tmp_path / "config.toml", [native_source("bpbd", url)], extra=rules)
    # The check's write fails (as a broken query once did, unseen for weeks).
    Store(tmp_path / "cache.db").close()
    with sqlite3.connect(tmp_path / "cache.db") as c:
        c.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE OF breached ON incidents "
            "BEGIN SELECT RAISE(ABORT, 'breach refused by the test'); END"
        )
    r = cli("--config", str(cfg), "refresh")
    assert r.code != 0, r.out + r.err
    assert "breach refused by the test" in r.err
    # The feed itself was stored: only the check failed.
    assert cli("--config", str(cfg), "incidents", "--json").json()[0]["id"] == "bpbd:late"  # type: ignore[index]


def test_the_unsent_messages_of_a_removed_route_are_dropped_saying_why(
    tmp_path: Path, feeds: FeedServer, cli: Callable[..., Result]
) -> None:
    url = feeds.route("/inc.json", incidents_doc(incident("base")))
    with Receiver() as ok, Receiver(status=500) as broken:
        routes = {
            name: f'[[notify]]\nname = "{name}"\nurls = ["{r.url()}"]\n'
            'events = ["incident.new"]\ngroup_wait = "0s"\n'
            for name, r in (("piket", ok), ("lama", broken))
        }
        cfg = write_config(
            tmp_path / "config.toml", [native_source("bpbd", url)], "".join(routes.values())
        )
        assert cli("--config", str(cfg), "refresh").code == 0
        feeds.route("/inc.json", incidents_doc(incident("base"), incident("n1", "Banjir")))
        cli("--config", str(cfg), "refresh")
        feeds.route(
            "/inc.json", incidents_doc(incident("base"), incident("n1"), incident("n2", "Longsor"))
        )
        cfg.write_text(cfg.read_text().replace(routes["lama"], ""))  # the route is removed
        assert cli("--config", str(cfg), "refresh").code == 0
        assert len(ok.messages) == 2 and broken.messages == []
    rows = cli("--config", str(cfg), "notify", "--json").json()
    lama = [r for r in rows if r["route"] == "lama"]  # type: ignore[union-attr, index]
    assert [r["target"] for r in lama] == ["bpbd:n1"]
    assert lama[0]["status"] == "dropped" and "lama" in lama[0]["error"]
    dropped = cli("--config", str(cfg), "notify", "--status", "dropped", "--json").json()
    assert [r["target"] for r in dropped] == ["bpbd:n1"]  # type: ignore[index]
    table = cli("--config", str(cfg), "notify", "--status", "dropped")
    assert "dibuang" in table.out
    assert cli("--config", str(cfg), "--lang", "en", "notify").out.count("dropped") >= 1
