"""One word, one number: "past a deadline" is counted by one definition everywhere.

The alarm line counts the late incidents nobody acknowledged; ``sla``, the
handover and the Wilayah view count every late one and say how many of those
are acknowledged. On one cache they must agree, each with its own label.
"""

from __future__ import annotations

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.store import Store
from cc_console.timefmt import utcnow
from tests.conftest import incident
from tests.console.conftest import until
from tests.unit.test_deadlines import _setup, ago


def _late_cache(tmp_path, feeds, cli):
    cfg = _setup(
        tmp_path,
        feeds,
        incident("L1", "Banjir bandang", severity="extreme", reported_at=ago(120)),
        incident("L2", "Longsor", severity="severe", reported_at=ago(30 * 60)),  # past 24 h
        incident("L3", "Jembatan putus", severity="severe", reported_at=ago(45)),
        incident("X1", "Latihan banjir", severity="extreme", reported_at=ago(90), exercise=True),
        incident("S1", "Genangan", severity="extreme", reported_at=ago(5)),  # not late yet
        incident("M1", "Pohon tumbang", severity="minor", reported_at=ago(600)),  # no rule
    )
    assert cli("--config", str(cfg), "refresh").code == 0
    assert cli("--config", str(cfg), "ack", "bpbd:L2").code == 0
    return cfg


def test_the_alarm_sla_handover_and_wilayah_count_late_the_same_way(tmp_path, feeds, cli):
    cfg = _late_cache(tmp_path, feeds, cli)
    sla = cli("--config", str(cfg), "sla", "--json")
    assert sla.code == 1
    doc = sla.json()
    assert doc["late"] == len(doc["breaches"]) == 4  # L1, L2, L3 and the exercise
    assert doc["late_unacknowledged"] == 3  # L2 is acknowledged, past resolving
    handover = cli("--config", str(cfg), "handover", "--json").json()
    assert (handover["late"], handover["late_unacknowledged"]) == (4, 3)
    assert len(handover["breaches"]) == 4
    sites = cli("--config", str(cfg), "sites", "--json").json()
    assert sum(s["past_deadline"] for s in sites) == 4
    assert sum(s["past_deadline_unacknowledged"] for s in sites) == 3
    store = Store.for_config(load_config(cfg))
    try:
        assert store.deadlines.alarm(utcnow()).breaches == 3
    finally:
        store.close()
    # Each says what it counts.
    text = cli("--config", str(cfg), "sla").out
    assert "4 lewat tenggat (1 sudah diterima)" in text
    text = cli("--config", str(cfg), "--lang", "en", "handover").out
    assert "Past their deadline: 4 (1 acknowledged)" in text


async def test_the_alarm_line_and_wilayah_agree_with_sla(tmp_path, feeds, cli):
    import asyncio

    cfg = await asyncio.to_thread(_late_cache, tmp_path, feeds, cli)  # the CLI runs its loop
    doc = (await asyncio.to_thread(cli, "--config", str(cfg), "sla", "--json")).json()
    config = load_config(cfg)
    store = Store.for_config(config)
    app = CcConsoleApp(config, store, lang="id", live=False)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            line = app.screen.query_one("#alarm-line")
            assert await until(pilot, lambda: "lewat tenggat" in line.render().plain)
            unacked = doc["late_unacknowledged"]
            assert f"{unacked} lewat tenggat, belum diterima" in line.render().plain
            await pilot.press("6")
            table = app.screen.query_one("DataTable")
            heading = [str(c.label) for c in table.columns.values()].index("Lewat")
            assert str(table.get_row("*")[heading]) == str(doc["late"])
    finally:
        store.close()
