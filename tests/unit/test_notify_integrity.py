"""Smaller integrity defects of notifications: short URL secrets, removed routes,
the deadline check's errors, the console's bounded count of waiting messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Result, write_config
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
