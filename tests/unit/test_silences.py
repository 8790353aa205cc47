"""Silences through the CLI: by source they hold everything that source causes; a value
that can never match is refused; a dry run shows what would have been held."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    Result,
    agencies_doc,
    incident,
    incidents_doc,
    native_source,
    write_config,
)
from tests.feedserver import FeedServer
from tests.receiver import Receiver

ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["incident.new", "agency.down", "source.failing"]
group_wait = "0s"
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def _agencies(down: tuple[str, ...] = ()) -> str:
    return agencies_doc(
        *(
            {"id": a, "name": a.upper(), "status": "major_outage" if a in down else "operational"}
            for a in ("sapa", "pajak", "perizinan")
        )
    )


def _setup(tmp_path: Path, feeds: FeedServer, receiver: Receiver) -> Path:
    feeds.route("/layanan.json", _agencies())
    feeds.route("/inc.json", incidents_doc(incident("base")))
    return write_config(
        tmp_path / "config.toml",
        [
            native_source("layanan-digital", feeds.url("/layanan.json"), "agencies"),
            native_source("bpbd", feeds.url("/inc.json")),
        ],
        extra=ROUTE.format(url=receiver.url()),
    )


def test_a_silence_by_source_holds_the_agencies_it_reports_down(
    tmp_path: Path, feeds: FeedServer, receiver: Receiver, cli: Callable[..., Result]
) -> None:
    cfg = _setup(tmp_path, feeds, receiver)
    run = lambda *a: cli("--config", str(cfg), *a)  # noqa: E731
    assert run("refresh").code == 0  # the baselines
    feeds.route("/layanan.json", _agencies(down=("sapa",)))
    assert run("refresh").code == 0
    assert len(receiver.messages) == 1  # told: no silence yet

    # What a silence by that source would have held: the message just sent. Nothing added.
    dry = run(
        "silence", "add", "--match", "source=layanan-digital", "--for", "2h",
        "--reason", "pemeliharaan", "--dry-run", "--json",
    )  # fmt: skip
    assert dry.code == 0, dry.err
    assert [(m["event"], m["target"]) for m in dry.json()] == [("agency.down", "sapa")]  # type: ignore[union-attr]
    assert run("silence", "list", "--json").json() == []
    table = run(
        "silence", "add", "--match", "source=layanan-digital", "--for", "2h",
        "--reason", "pemeliharaan", "--dry-run",
    )  # fmt: skip
    assert table.code == 0 and "SAPA" in table.out and "1 pesan" in table.err
    assert run("silence", "list", "--json").json() == []

    r = run(
        "silence", "add", "--match", "source=layanan-digital", "--for", "2h",
        "--reason", "pemeliharaan",
    )  # fmt: skip
    assert r.code == 0, r.err
    sid = int(r.out)
    feeds.route("/layanan.json", _agencies(down=("sapa", "pajak")))
    feeds.route("/inc.json", incidents_doc(incident("base"), incident("n1", "Banjir")))
    assert run("refresh").code == 0
    assert len(receiver.messages) == 2  # the incident of another source still goes out
    assert "PAJAK" not in receiver.messages[-1].body["message"]
    held = run("notify", "--status", "silenced", "--json").json()
    assert [(m["event"], m["target"], m["silence"]) for m in held] == [  # type: ignore[union-attr]
        ("agency.down", "pajak", sid)
    ]
    (listed,) = run("silence", "list", "--json").json()  # type: ignore[misc]
    assert listed["hits"] == 1
    shown = run("silence", "list")
    assert shown.code == 0 and "Ditahan" in shown.out
    assert "Held" in run("--lang", "en", "silence", "list").out


@pytest.mark.parametrize(
    ("match", "named"),
    [
        ("source=tidak-ada", "layanan-digital, bpbd"),
        ("severity=bogus", "extreme, severe, moderate, minor, unknown"),
        ("event=incident.nope", "incident.new"),
        ("agency=dinas-antah", "pajak, perizinan, sapa"),
    ],
)
def test_a_silence_that_can_never_match_is_refused_naming_the_known_values(
    tmp_path: Path,
    feeds: FeedServer,
    receiver: Receiver,
    cli: Callable[..., Result],
    match: str,
    named: str,
) -> None:
    cfg = _setup(tmp_path, feeds, receiver)
    assert cli("--config", str(cfg), "refresh").code == 0
    for dry in ([], ["--dry-run"]):
        r = cli(
            "--config", str(cfg), "silence", "add", "--match", match, "--for", "1h",
            "--reason", "x", *dry,
        )  # fmt: skip
        assert r.code == 2, r.out + r.err
        assert named in r.err and len(r.err.strip().splitlines()) == 1
    r = cli("--config", str(cfg), "--lang", "en", "silence", "add", "--match", match,
            "--for", "1h", "--reason", "x")  # fmt: skip
    assert r.code == 2 and "can never match" in r.err
    assert cli("--config", str(cfg), "silence", "list", "--json").json() == []
