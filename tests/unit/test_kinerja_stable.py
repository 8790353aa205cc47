"""The demo's weekly report holds still while the demo world moves.

The real demo feed server ticks every second (a KPI drift of every agency, a status
change, a new report); the demo's cache polls it between two `report --json` runs
10 s apart. Scores are time weighted over the period, so 10 s of drift moves none of
them by a point (they once moved 13 points in 6 s: the last KPI reading counted).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from tests.conftest import Result, demo_store

MOVES_S = 10.0


def test_the_demos_report_moves_less_than_a_point_in_ten_seconds(tmp_path, cli) -> None:
    from cc_console.demo import DemoServer
    from cc_console.demo.session import seed_follow_up, seed_history

    with DemoServer(tick_seconds=1.0) as server:
        store, refresh = demo_store(server, tmp_path)
        refresh()
        seed_follow_up(store, ZoneInfo("Asia/Jakarta"))
        seed_history(store)
        config = str(tmp_path / "demo.toml")
        report: Callable[[], Result] = lambda: cli("--config", config, "report", "--json")  # noqa: E731
        first = report().json()
        readings = store.db.scalar("SELECT count(*) FROM agency_history")
        began = time.monotonic()
        while time.monotonic() - began < MOVES_S:  # the world ticks; the site polls it
            time.sleep(1.0)
            refresh()
        second = report().json()
        # The world did move, and the site read it: new KPI readings in the history.
        assert store.db.scalar("SELECT count(*) FROM agency_history") > readings + 10
        assert server.world.version >= 5
        store.close()

    def scores(doc: dict) -> dict[tuple[str | None, str], float]:
        return {(a["site"], a["id"]): a["score"] for a in doc["agencies"] if a["scored"]}

    before, after = scores(first), scores(second)
    assert len(before) >= 5 and set(before) == set(after)
    moved = {k: round(abs(after[k] - before[k]), 2) for k in before}
    assert max(moved.values()) < 1.0, moved
