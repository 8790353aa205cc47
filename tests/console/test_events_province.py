"""The province's view 7: every site's events, led by each site's totals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cc_console.screens.crisis import EventsScreen, SiteEventScreen
from cc_console.sources.base import ParseContext
from cc_console.sources.native import parse
from cc_console.store import PollRecord, Store
from cc_console.timefmt import iso_z
from tests.console.conftest import NOW, until
from tests.console.test_crisis_console import _text


def _area(name: str, code: str, **figures: int) -> dict[str, object]:
    return {"area": name, "code": code, **figures, "source": "Pusdalops",
            "reported_at": iso_z(NOW - timedelta(hours=6))}  # fmt: skip


def _event(ident: str, title: str, areas: list[dict[str, object]], **more: object) -> dict:
    return {"id": ident, "title": title, "category": "flood",
            "opened_at": iso_z(NOW - timedelta(days=2)), "closed_at": None,
            "impact": {"by_area": areas}, "needs": [], "incidents": [], "responses": [],
            "last_sitrep": None, "status": None, **more}  # fmt: skip


SITE_DOCS = {
    ("32.04", "Kabupaten Bandung"): [
        _event("E-1", "Banjir Sungai Citarum",
               [_area("Baleendah", "32.04.01", displaced=840, houses_flooded=1320, injured=3),
                _area("Dayeuhkolot", "32.04.02", dead=1, displaced=410, houses_flooded=760)],
               status="tanggap-darurat", decree="SK 360/41",
               status_until=iso_z(NOW + timedelta(hours=10)), last_sitrep=2,
               needs=[{"text": "Tenda pengungsi", "agency": None}]),
        _event("E-2", "Longsor Pangalengan",
               [_area("Pangalengan", "32.04.30", dead=2, missing=4, houses_heavy=6)],
        opened_at=iso_z(NOW - timedelta(days=1)),),
    ],
    ("32.06", "Kabupaten Tasikmalaya"): [
        _event("E-1", "Banjir Cikalong", [_area("Cikalong", "32.06.20", injured=4, displaced=120)]),
    ],
}  # fmt: skip


def seed_sites(store: Store) -> None:
    """Two regencies' /events.json as the province's poller stores them (the real parser)."""
    for (code, name), events in SITE_DOCS.items():
        source = f"w{code.replace('.', '')}-kejadian"
        body = json.dumps({"format": "cc-console/events", "version": 1,
                           "site": {"code": code, "name": name}, "events": events}).encode()  # fmt: skip
        ctx = ParseContext(source=source, kind="events", url="test:", now=NOW)
        parsed = parse(body, ctx)
        assert not parsed.warnings
        poll = PollRecord(source, NOW - timedelta(minutes=1), ok=True, http_status=200,
                          records=len(parsed.events), site=parsed.site)  # fmt: skip
        store.apply("events", poll, parsed.events)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_seven_leads_each_sites_events_with_its_totals(make_app, store, lang):
    seed_sites(store)
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        assert isinstance(app.screen, EventsScreen)
        table = app.screen.query_one("DataTable")
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        # Site rows first, then their events; figures: dead, missing, displaced, houses.
        assert [r[0].strip() for r in rows] == ["32.04", "E-2", "E-1", "32.06", "E-1"]
        assert rows[0][3:7] == ["3", "4", "1250", "2086"]  # 1+2, 4, 840+410, 1320+760+6
        assert rows[3][3:7] == ["·", "·", "120", "·"]
        assert rows[2][2].startswith("⚠ ")  # Citarum's status runs out within 24 h
        summary = str(app.screen.query_one("#table-summary").render())
        words = ("3 kejadian di 2 wilayah", "MD 3") if lang == "id" else ("3 events at 2 sites",)
        assert all(w in summary for w in words), summary
        assert "1370" in summary  # displaced: 1250 + 120
        table.move_cursor(row=2)
        await pilot.press("enter")
        assert isinstance(app.screen, SiteEventScreen)
        await pilot.pause()
        title, body = app.screen.view.render(app.ctx)
        assert "Banjir Sungai Citarum" in title.plain and "32.04" in title.plain
        text = _text(body, 78)
        assert "Baleendah" in text and "Tenda pengungsi" in text
        # Another site's event is shown, never changed here: i (impact) does nothing.
        await pilot.press("i")
        assert isinstance(app.screen, SiteEventScreen)
        await pilot.press("escape")
        table = app.screen.query_one("DataTable")
        table.move_cursor(row=0)
        await pilot.press("enter")  # a site's row: nothing to open
        assert isinstance(app.screen, EventsScreen)


async def test_this_sites_own_events_come_first_beside_the_others(make_app, store):
    from tests.console.test_crisis_console import seed_event

    seed_event(store)
    seed_sites(store)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("7")
        table = app.screen.query_one("DataTable")
        assert await until(pilot, lambda: table.row_count == 7)
        keys = [k.value for k in table.rows]
        assert keys == ["site:32.05", "E-1", "site:32.04", "w3204-kejadian/E-2",
                        "w3204-kejadian/E-1", "site:32.06", "w3206-kejadian/E-1"]  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("province", [False, True], ids=["own", "province"])
async def test_at_80_columns_every_figure_column_is_on_screen(make_app, store, lang, province):
    """The status with its full end ("Tanggap darurat s/d 05 Des 23:00 WIB") once pushed
    the houses and the sit-rep off an 80-column screen, behind a sideways scroll."""
    from tests.console.test_crisis_console import seed_event

    seed_event(store)
    if province:
        seed_sites(store)
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        table = app.screen.query_one("DataTable")
        assert await until(pilot, lambda: table.row_count > 0)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size,
            table.scrollable_content_region,
        )
