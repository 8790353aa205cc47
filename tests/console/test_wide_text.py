"""Wide and combining text (CJK, emoji, accents) never pushes a column or a border out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import cell_len

from cc_console.models import Agency, Incident, Meeting
from cc_console.store import PollRecord
from tests.console.conftest import NOW

WIDE = "洪水警報 🌊🌊 Cikajange\u0301\u0301 地滑り 🏚️ 避難所"


def _add_wide(store) -> None:
    store.apply(
        "incidents",
        PollRecord("bpbd", NOW, ok=True, http_status=200),
        [
            Incident(
                source="bpbd",
                external_id=f"W{i}",
                title=WIDE * (i + 1),
                category="flood",
                severity="extreme",
                status="open",
                area=WIDE,
                reported_at=NOW - timedelta(minutes=1 + i),
                updated_at=NOW - timedelta(minutes=1 + i),
            )
            for i in range(3)
        ],
    )
    store.apply(
        "agencies",
        PollRecord("opd", NOW, ok=True, http_status=200),
        [Agency("wide", WIDE, "degraded", WIDE, (), NOW, "opd")],
    )
    store.followups.add(WIDE * 2, "wide", NOW + timedelta(days=1))
    day = NOW.replace(hour=2, minute=0)
    store.apply(
        "agenda",
        PollRecord("rakor", NOW, ok=True, http_status=200),
        [Meeting("rakor", "wide@x", WIDE * 3, day, day + timedelta(hours=1), location=WIDE)],
    )


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_every_line_of_every_pane_is_exactly_its_width(store, make_app, size):
    _add_wide(store)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for key, pane in zip("1234", app.screen.panes, strict=True):
            await pilot.press(key)
            await pilot.pause()
            lst = pane.list
            width = lst.size.width
            assert width > 0, pane.id
            rows = [lst.render_line(y) for y in range(lst.size.height)]
            assert all(strip.cell_length == width for strip in rows), pane.id
            texts = [strip.text for strip in rows]
            assert any("洪水" in text for text in texts), (pane.id, texts)
            if pane is app.screen.incidents:
                # The age column ends in the same cell on wide rows as on plain ones.
                ends = {cell_len(text.rstrip()) for text in texts if text.strip()}
                assert len(ends) == 1, [t.rstrip() for t in texts]
