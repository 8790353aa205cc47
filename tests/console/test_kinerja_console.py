"""The Kinerja view: key 5, the ranking with the report's figures, t for the period, Enter."""

from __future__ import annotations

import pytest

from cc_console.kinerja import compute, period
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
        start, end = period(NOW, 7, app.ctx.tz)
        # The console reads the counts kept per day; counted from the incidents, they agree.
        expected = compute(store.kinerja, store.agencies.listing(), start, end, tz=app.ctx.tz)
        assert screen.kinerja.result.as_json() == expected.as_json()
        table = screen.query_one("DataTable")
        assert table.row_count == len(expected.agencies)
        first = [str(c) for c in table.get_row_at(0)]
        top = expected.agencies[0]
        assert first[2] == ("–" if top.score is None else f"{top.score:.0f}")
        summary = screen.query_one("#table-summary").render().plain
        assert ("7 hari terakhir" if lang == "id" else "Last 7 days") in summary
        await pilot.press("t")
        assert await until(
            pilot, lambda: screen.kinerja.days == 30 and screen.kinerja.result is not None
        )
        assert ("30 hari" if lang == "id" else "30 days") in screen.query_one(
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
        for _ in range(bpbd):
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
