"""The table views at 80x24 and 200x50: whole columns or none, h/l sideways, o/O sort,
/ filter, the jump by name (:), ? moving like a list (Pilot, what the screen shows)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import cell_len
from textual.command import CommandPalette

from cc_console.app import CcConsoleApp
from cc_console.store import Store
from tests.console.conftest import NOW, until
from tests.console.test_notifications_console import failed_and_silenced  # noqa: F401
from tests.unit.test_province import province  # noqa: F401

SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
LANGS = pytest.mark.parametrize("lang", ["id", "en"])
# Columns of words: these may be shortened with "…"; every other column is whole or absent.
WORDS = {"col.agency", "col.name", "col.title", "col.note", "col.error", "col.why_failed",
         "col.target", "col.about"}  # fmt: skip


def lines_of(app) -> list[str]:
    """The screen as the terminal shows it, one string a line."""
    strips = app.screen._compositor.render_strips()
    return ["".join(seg.text for seg in strip) for strip in strips]


def column_keys(screen) -> list[str]:
    return [getattr(c, "key", c) for c in screen.view.columns()]


def assert_columns_whole(app) -> set[str]:
    """Every column whose heading is on screen shows each visible row's value whole (a
    column of words may end in "…"); no heading is cut at the edge. Returns the keys shown."""
    screen, t = app.screen, app.ctx.t
    keys = column_keys(screen)
    headings = [t(k) if "." in k else k for k in keys]
    lines = lines_of(app)
    at = next(i for i, ln in enumerate(lines) if i > 1 and ln.startswith(f" {headings[0]} "))
    header = lines[at].rstrip()
    rows = list(screen.view.rows(app.ctx))
    shown = set()
    for key, heading in zip(keys, headings, strict=True):
        if f" {heading} " not in f"{header} ":
            cut = [heading[:n] for n in range(1, len(heading))]
            assert not any(header.endswith(f" {part}") for part in cut), (heading, header)
            continue
        shown.add(key)
        start = f"{header} ".index(f" {heading} ") + 1
        for r, (cells, _) in enumerate(rows[: len(lines) - at - 3]):
            value = cells[keys.index(key)].plain
            line = lines[at + 1 + r]
            seen = line[start : start + len(value)]
            if key in WORDS and seen != value:
                assert "…" in line[start:], (heading, value, line)
            else:
                assert seen == value, (heading, value, line)
    return shown


async def open_view(app, pilot, key: str):
    await until(pilot, lambda: app.counts is not None)
    await pilot.press(key)
    await pilot.pause()
    if key == "5":
        assert await until(pilot, lambda: app.screen.kinerja.result is not None)
    await settled(app, pilot)
    return app.screen


async def settled(app, pilot) -> None:
    """Wait until the table's rows are painted (a busy machine paints late)."""
    screen = app.screen
    first = app.ctx.t(column_keys(screen)[0]) if "." in column_keys(screen)[0] else "#"
    await until(pilot, lambda: any(ln.startswith(f" {first} ") for ln in lines_of(app)[2:]))
    await pilot.pause()


@SIZES
@LANGS
async def test_f_shows_the_error_and_every_column_whole_or_not_at_all(make_app, size, lang):
    app = make_app(lang=lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_view(app, pilot, "f")
        text = "\n".join(lines_of(app))
        assert "HTTP 503" in text  # the error, on screen before any key
        seen = assert_columns_whole(app)
        # h/l bring in the others, a column at a time, the source staying put.
        for _ in range(len(column_keys(screen))):
            await pilot.press("l")
            await settled(app, pilot)
            assert "bmkg" in "\n".join(lines_of(app))
            seen |= assert_columns_whole(app)
        assert seen == set(column_keys(screen))
        await pilot.press("h")
        await pilot.pause()
        assert_columns_whole(app)


@SIZES
@LANGS
async def test_five_shows_whole_figures_and_reaches_every_column(make_app, size, lang):
    app = make_app(lang=lang)
    async with app.run_test(size=size) as pilot:
        screen = await open_view(app, pilot, "5")
        seen = assert_columns_whole(app)
        for _ in range(len(column_keys(screen))):
            await pilot.press("l")
            await settled(app, pilot)
            seen |= assert_columns_whole(app)
        assert seen == set(column_keys(screen))
        text = "\n".join(lines_of(app))
        if size[0] == 200:  # the room is used: every name whole
            for a in screen.kinerja.result.agencies:
                assert a.name in text


@LANGS
async def test_n_at_80_shows_when_route_and_error(failed_and_silenced, lang):  # noqa: F811
    cfg = failed_and_silenced
    app = CcConsoleApp(cfg, Store.for_config(cfg), lang=lang, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("N")
        await pilot.pause()
        seen = assert_columns_whole(app)
        assert {"col.created", "col.route", "col.why_failed"} <= seen
        row = next(ln for ln in lines_of(app) if ln.startswith(" 1 "))
        error = app.ctx.store.outbox.messages(1)[0].error
        assert "piket" in row and error[:12] in row, row  # in the row, not only in the summary


@LANGS
async def test_journal_at_80_keeps_the_note_and_lists_entries_in_time_order(make_app, store, lang):
    incidents = store.incidents.listing()
    # Written out of time order (a seeded or imported journal): shown newest first by time.
    for hours, inc in zip((5, 1, 3), incidents, strict=False):
        store.journal.act("note", inc.id, note=f"catatan {hours} jam lalu: tim di lokasi",
                          at=NOW - timedelta(hours=hours))  # fmt: skip
    app = make_app(lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, "J")
        seen = assert_columns_whole(app)
        assert "col.note" in seen
        text = "\n".join(lines_of(app))
        order = [text.index(f"catatan {h} jam") for h in (1, 3, 5)]
        assert order == sorted(order), text


@SIZES
async def test_o_sorts_by_the_next_column_and_o_turns_it_round(make_app, size):
    app = make_app(lang="en")
    async with app.run_test(size=size) as pilot:
        screen = await open_view(app, pilot, "f")
        table = screen.query_one("DataTable")
        keys = column_keys(screen)
        for _ in range(keys.index("col.records") + 1):
            await pilot.press("o")
        await pilot.pause()
        text = "\n".join(lines_of(app))
        assert "Records ▼" in text  # said in the heading, the largest first
        assert [str(r.value) for r in table.rows] == ["bpbd", "opd", "rakor", "bmkg"]
        await pilot.press("O")
        await pilot.pause()
        assert "Records ▲" in "\n".join(lines_of(app))
        assert [str(r.value) for r in table.rows] == ["bmkg", "rakor", "opd", "bpbd"]
        await pilot.press("o")  # past the last column: the view's own order again
        await pilot.pause()
        header = next(ln for ln in lines_of(app) if ln.startswith(" Source "))
        assert "▲" not in header and "▼" not in header


@pytest.mark.parametrize("view", ["f", "J", "N"])
async def test_slash_filters_the_rows_and_escape_clears_then_goes_back(make_app, store, view):
    store.journal.act("note", store.incidents.listing()[0].id, note="pompa air dikirim")
    store.journal.act("note", store.incidents.listing()[1].id, note="jalan ditutup")
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_view(app, pilot, view)
        table = screen.query_one("DataTable")
        before = table.row_count
        word = {"f": "bmkg", "J": "pompa", "N": "zzz-tidak-ada"}[view]
        await pilot.press("slash", *word)
        await pilot.pause()
        expected = 0 if view == "N" else 1
        assert table.row_count == expected
        assert word in lines_of(app)[1]  # the title says what filters
        await pilot.press("enter")  # the filter stays, the cursor is back on the rows
        assert screen.focused is table and table.row_count == expected
        await pilot.press("escape")  # clears it
        await pilot.pause()
        assert table.row_count == before and app.screen is screen
        await pilot.press("escape")  # then goes back
        assert app.screen is not screen


async def jump(pilot, app, name: str) -> None:
    await pilot.press("colon")
    assert await until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*name)
    await pilot.pause(0.5)  # the palette searches in a worker
    await pilot.press("enter")
    await pilot.pause()


@SIZES
async def test_colon_jumps_to_a_row_by_its_name(make_app, size):
    app = make_app(lang="id")
    async with app.run_test(size=size) as pilot:
        screen = await open_view(app, pilot, "5")
        table = screen.query_one("DataTable")
        await jump(pilot, app, "Dinas Kesehatan")
        assert app.screen is screen
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "dinkes"
        await pilot.press("escape")
        await pilot.press("1")  # the agencies pane
        await jump(pilot, app, "Dinas Pemadam")
        assert app.screen.agencies.list.selected.id == "damkar"


async def test_question_mark_scrolls_with_j_k_g_and_capital_g(make_app):
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help")
        assert box.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert box.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0
        assert ":" in "\n".join(lines_of(app)) or box.max_scroll_y  # the jump is listed


@pytest.mark.parametrize("size", [(160, 48), (200, 50)], ids=["160x48", "200x50"])
async def test_the_agencies_pane_shows_whole_ages_and_at_200_whole_names(make_app, store, size):
    app = make_app(lang="id")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.counts is not None)
        await pilot.pause()
        pane = app.screen.agencies
        width = pane.list.size.width
        for a in pane.rows.rows:
            line = pane.rows.render(a, width).plain.rstrip()
            assert cell_len(line) <= width, line
            assert line.endswith(" 2m"), line  # the age with its unit
            if size[0] == 200:
                assert a.name in line, line


async def test_at_200_columns_incident_titles_are_whole(make_app, store):
    app = make_app(lang="id")
    async with app.run_test(size=(200, 50)) as pilot:
        await until(pilot, lambda: app.counts is not None)
        await pilot.pause()
        text = "\n".join(lines_of(app))
        titles = [i.title for i in store.incidents.listing()[:20] if not i.exercise]
        assert all(title in text for title in titles), [t for t in titles if t not in text]


async def test_the_handover_at_80_is_laid_out_for_80_and_saved_at_80(
    make_app, store, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOME", str(tmp_path))
    for i, inc in enumerate(store.incidents.listing()[:6]):
        store.journal.act("ack", inc.id, note=f"Tim {i} menuju lokasi bersama camat dan BPBD",
                          at=NOW - timedelta(hours=i))  # fmt: skip
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("H")
        await pilot.pause()
        screen = app.screen
        page = screen.query_one("#handover")
        # The whole page: at most about three screens, no line wider than the view.
        assert page.size.height <= 70, page.size.height
        await pilot.press("w")
        assert await until(pilot, lambda: list(tmp_path.glob("handover-*.txt")))
        saved = next(tmp_path.glob("handover-*.txt")).read_text(encoding="utf-8")
    lines = saved.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert len(lines) <= 70, len(lines)
    for i in range(6):  # ids whole on their line, never "bpbd:LAP-0…"
        assert any(f"bpbd:LAP-00{i}" in line for line in lines), saved
    assert "…" not in "".join(line for line in lines if "bpbd:" in line)


async def test_only_one_site_names_it(make_app, store):
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(app, pilot, "6")
        await pilot.press("down", "enter")
        await pilot.pause()
        title = app.screen.incidents.query_one(".pane-title").render().plain
        assert "hanya Kabupaten Garut 32.05" in title, title


@SIZES
async def test_wilayah_sorts_by_a_column_jumps_by_name_and_names_the_site(province, cli, size):  # noqa: F811
    import asyncio

    from cc_console.config import load_config

    cfg_path, _ = province
    assert (await asyncio.to_thread(cli, "--config", str(cfg_path), "refresh")).code == 0
    config = load_config(cfg_path)
    store = Store(config.cache.path)
    app = CcConsoleApp(config, store, lang="id", clock=lambda: NOW)
    try:
        async with app.run_test(size=size) as pilot:
            main = app.screen
            screen = await open_view(app, pilot, "6")
            table = screen.query_one("DataTable")
            assert_columns_whole(app)
            # o until the services-down column: the site with a service down first, the
            # every-site row staying on top.
            for _ in range(column_keys(screen).index("site.down") + 1):
                await pilot.press("o")
            await pilot.pause()
            assert "Layanan ▼" in "\n".join(lines_of(app))
            assert [str(r.value) for r in table.rows][:2] == ["*", "32.06"]
            await jump(pilot, app, "Ciamis")
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "32.07"
            await jump(pilot, app, "Tasikmalaya")
            await pilot.press("enter")
            assert app.screen is main
            assert await until(pilot, lambda: main.incidents.source.count() == 2)
            title = main.incidents.query_one(".pane-title").render().plain
            assert "hanya Kabupaten Tasikmalaya 32.06" in title, title
    finally:
        store.close()
