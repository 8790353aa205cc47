"""The Kinerja view: key 5, the ranking with the report's figures, t for the period, Enter."""

from __future__ import annotations

import pytest

from cc_console.kinerja import compute, days_period
from cc_console.screens import KinerjaScreen
from cc_console.screens.detail import AgencyDetailScreen
from tests.console.conftest import NOW, until


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_five_ranks_the_agencies_with_the_figures_of_the_report(make_app, store, lang):
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        assert isinstance(app.screen, KinerjaScreen)
        screen = app.screen
        assert await until(pilot, lambda: screen.kinerja.result is not None)
        when = days_period(NOW, 7, app.ctx.tz)
        # The console reads the counts kept per day; counted from the incidents, they agree.
        expected = compute(store.kinerja, store.agencies.listing(), when.start, when.end,
                           tz=app.ctx.tz, previous=when.previous)  # fmt: skip
        assert screen.kinerja.result.as_json() == expected.as_json()
        table = screen.query_one("DataTable")
        # The unassigned row first ("belum ditugaskan"), then every agency.
        assert table.row_count == 1 + len(expected.agencies)
        assert str(table.get_row_at(0)[1]) == (
            "belum ditugaskan" if lang == "id" else "not assigned"
        )
        assert str(table.get_row_at(0)[6]) == str(expected.center.unassigned_breaches)
        first = [str(c) for c in table.get_row_at(1)]
        top = expected.agencies[0]
        assert first[2].startswith("–" if top.score is None else f"{top.score:.0f}")
        # The unranked ones come last, after every ranked one.
        ranks = [a.rank for a in expected.agencies]
        assert ranks == sorted(ranks, key=lambda r: (r is None, r or 0))
        summary = screen.query_one("#table-summary").render().plain
        assert ("7 hari terakhir" if lang == "id" else "Last 7 days") in summary
        await pilot.press("t")
        assert await until(
            pilot, lambda: screen.kinerja.days == 30 and screen.kinerja.result is not None
        )
        assert ("30 hari" if lang == "id" else "30 days") in screen.query_one(
            "#table-summary"
        ).render().plain
        await pilot.press("enter")  # on the unassigned row: nothing to open
        assert app.screen is screen
        await pilot.press("down")
        if screen.kinerja.result.agencies[0].scored:  # its parts, in the summary
            assert ("penyelesaian" if lang == "id" else "resolution") in screen.query_one(
                "#table-summary"
            ).render().plain
        await pilot.press("enter")
        assert isinstance(app.screen, AgencyDetailScreen)
        assert app.screen.agency_id == screen.kinerja.result.agencies[0].id
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("q")
        assert not isinstance(app.screen, KinerjaScreen)


async def test_an_agency_shows_charts_of_its_service_and_of_each_kpi_against_its_target(
    make_app, store
):
    from textual_plotext import PlotextPlot

    app = make_app(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert await until(pilot, lambda: screen.kinerja.result is not None)
        bpbd = next(i for i, a in enumerate(screen.kinerja.result.agencies) if a.id == "bpbd")
        for _ in range(bpbd + 1):  # below the unassigned row
            await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, AgencyDetailScreen) and app.screen.agency_id == "bpbd"
        plots = list(app.screen.query(PlotextPlot))
        kpis = store.agencies.get("bpbd").kpis
        assert len(plots) == 1 + len(kpis)
        await pilot.press("G")  # to the charts, at the end of the view
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert f"{kpis[-1].name} (target {kpis[-1].target:g})" in shown
        assert "days ago" in shown


def _selected(table) -> str:
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


async def test_a_live_update_keeps_the_selected_agency_and_j_k_g_G_move(
    make_app, store, console_config
):
    from cc_console.store import Store

    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert await until(pilot, lambda: screen.kinerja.result is not None)
        table = screen.query_one("DataTable")
        await pilot.press("j", "j", "j", "k")
        assert table.cursor_row == 2
        chosen = _selected(table)
        # Another operator acts: the console reloads, the ranking is computed again.
        first = screen.kinerja.result
        other = Store(console_config.cache.path, operator="budi")
        other.journal.act("ack", "bpbd:LAP-001")
        other.close()
        app.check_store()
        assert await until(pilot, lambda: screen.kinerja.result is not first)
        await pilot.pause()
        assert _selected(table) == chosen
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
