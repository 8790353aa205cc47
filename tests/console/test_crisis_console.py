"""View 7 (Kejadian bencana) and the event view: Pilot at 80x24 and 160x48, both languages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from textual.widgets import Input

from cc_console.screens.crisis import ChoicePicker, EventDetailScreen, EventsScreen, ImpactForm
from cc_console.store import Store
from tests.console.conftest import NOW, until


def _text(body, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(body)
    return console.export_text()


def seed_event(store: Store) -> None:
    """A flood in three kecamatan: impact twice for one, tanggap darurat, two needs."""
    c = store.crisis
    ev = c.open("Banjir Cimanuk", "flood", [("Garut Kota", "32.05.01")], at=NOW - timedelta(days=2))
    c.report(ev, "Garut Kota", "32.05.01", {"dead": 1, "displaced": 200, "houses_flooded": 90},
             "TRC BPBD", at=NOW - timedelta(days=2))  # fmt: skip
    c.report(ev, "Tarogong Kidul", "32.05.05", {"dead": 3, "missing": 2, "displaced": 450},
             "Camat", at=NOW - timedelta(days=1, hours=20))  # fmt: skip
    c.report(ev, "Banyuresmi", "32.05.06", {"injured": 4, "houses_light": 12}, "Relawan",
             at=NOW - timedelta(days=1, hours=18))  # fmt: skip
    c.report(ev, "Garut Kota", "32.05.01", {"dead": 2}, "RSUD dr. Slamet",
             at=NOW - timedelta(days=1))  # fmt: skip
    c.set_status(ev, "tanggap-darurat", "SK Bupati 360/45/BPBD/2026", NOW - timedelta(days=2),
                 NOW + timedelta(hours=12), at=NOW - timedelta(days=2))  # fmt: skip
    c.need(ev, "Perahu karet 5 unit", "bpbd", at=NOW - timedelta(days=1))
    c.need(ev, "Selimut dan makanan bayi", None, at=NOW - timedelta(hours=20))
    incidents = [i.id for i in store.incidents.listing() if i.category == "flood"][1:3]
    c.link(ev, "incident", incidents, at=NOW - timedelta(days=2))
    from cc_console.crisis import sitrep_doc

    c.issue(ev, sitrep_doc(store, c.get(ev.id), NOW - timedelta(days=1)), NOW - timedelta(days=1))


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_seven_lists_the_events_and_enter_opens_one(make_app, store, lang, size):
    seed_event(store)
    app = make_app(lang=lang)
    async with app.run_test(size=size) as pilot:
        await pilot.press("7")
        assert isinstance(app.screen, EventsScreen)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1
        # Every column of the row (at 80 columns the last ones are reached with l).
        row = [str(c) for c in app.screen.rows_read[0][0]]
        assert row[0] == "E-1"
        assert row[3:7] == ["5", "2", "650", "102"]  # dead, missing, displaced, houses
        assert row[7] == "1"  # the last sit-rep's number
        assert row[2].startswith("⚠ ")  # the status runs out within 24 h
        await pilot.press("enter")
        assert isinstance(app.screen, EventDetailScreen)
        await pilot.pause()
        text = _text(app.screen.event_view.render(app.ctx)[1], size[0] - 2)
        lines = text.splitlines()
        words = " ".join(text.split())
        dead = "MD" if lang == "id" else "Dead"
        assert lines[0].startswith(("Jumlah: " if lang == "id" else "Totals: ") + f"{dead} 5 ")
        assert "SK Bupati 360/45/BPBD/2026" in words
        areas = [
            ln.split()[0]
            for ln in lines
            if ln.split()[:1] in (["Garut"], ["Tarogong"], ["Banyuresmi"])
        ]
        assert areas == ["Tarogong", "Garut", "Banyuresmi"]  # three dead and two missing first
        # At 80x24 the totals and the worst area are on screen before any scrolling.
        visible = app.screen.query_one("#detail-body").content_region.height
        assert next(n for n, ln in enumerate(lines) if ln.strip().startswith("Tarogong")) < visible
        assert "Perahu karet 5 unit (bpbd)" in text
        await pilot.press("escape")
        assert isinstance(app.screen, EventsScreen)


async def test_the_impact_form_refuses_a_bad_figure_in_place_then_records(make_app, store):
    seed_event(store)
    app = make_app(lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "enter")
        assert isinstance(app.screen, EventDetailScreen)
        await pilot.press("i")
        assert isinstance(app.screen, ImpactForm)
        form = app.screen
        await pilot.press(*"taro")
        assert "Tarogong Kidul (32.05.05)" in str(form.query_one("#impact-area-hint").render())
        form.query_one("#impact-dead").value = "4"
        form.query_one("#impact-source").value = "Posko Tarogong"
        form.query_one("#impact-source").focus()
        await pilot.press("enter")
        assert app.screen is form  # two kecamatan start so: which one?
        assert "Tarogong Kaler" in str(form.query_one("#impact-error").render())
        assert form.focused is form.query_one("#impact-area")
        await pilot.press(*"tarogong", "space", "k", "i")  # the field's text was selected
        form.query_one("#impact-dead").value = "-2"
        form.query_one("#impact-displaced").value = "500"
        form.query_one("#impact-source").value = "Posko Tarogong"
        form.query_one("#impact-source").focus()
        await pilot.press("enter")
        assert app.screen is form  # refused in place
        assert "Dead" in str(form.query_one("#impact-error").render())
        assert form.focused is form.query_one("#impact-dead")
        assert store.crisis.by_area(1)[0].figures["dead"] == 3  # nothing written
        form.query_one("#impact-dead").value = "4"
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, EventDetailScreen))
        worst = store.crisis.by_area(1)[0]
        assert (worst.code, worst.figures["dead"], worst.figures["displaced"]) == (
            "32.05.05",
            4,
            500,
        )
        assert worst.figures["missing"] == 2  # left out: kept
        assert store.journal.entries()[-1].action == "event.impact"


async def test_e_links_the_selected_incident_to_an_event(make_app, store):
    seed_event(store)
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        incident = app.screen.selected_incident()
        assert incident is not None
        await pilot.press("e")
        assert isinstance(app.screen, ChoicePicker)
        await pilot.press("enter")
        assert await until(pilot, lambda: not isinstance(app.screen, ChoicePicker))
        assert incident.id in store.crisis.links(1, "incident")
        assert store.journal.entries()[-1].action == "event.link"


async def test_a_read_only_console_shows_the_event_and_refuses_to_change_it(make_app, store):
    seed_event(store)
    before = len(store.journal.entries())
    app = make_app(lang="en", read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "enter")
        assert isinstance(app.screen, EventDetailScreen)
        for key in ("i", "n", "s"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, EventDetailScreen), key
        await pilot.press("escape", "escape")
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ChoicePicker)
    assert len(store.journal.entries()) == before


async def test_the_impact_form_is_filled_by_typing_every_field_in_view(make_app, store):
    """Typed as an operator does (Tab between fields) at 80x24: each field is on screen
    beside its label, and an area no list knows is asked about before it is kept."""
    seed_event(store)
    app = make_app(lang="id")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "enter", "i")
        form = app.screen
        assert isinstance(form, ImpactForm)
        await pilot.pause()
        screen = form.region
        for field in form.query(Input):
            region = field.region
            assert region.width >= 8 and region.height == 1, (field.id, region)
            assert screen.contains_region(region), (field.id, region)
            # inside its line, not pushed out of it (a margin clips it from view)
            assert field.parent.region.contains_region(region), (field.id, region)
        labels = [str(label.render()) for label in form.query(".figure-label")]
        assert {"MD", "Hilang", "Ungsi"} <= {label.strip() for label in labels}, labels
        await pilot.press(*"Kersamanah1", "tab", "2", "tab", "tab", "tab", "5")
        await pilot.pause()
        shown = app.export_screenshot()
        assert "Kersamanah1" in shown  # what is typed is drawn (the hint never says "…1")
        for _ in range(7):
            await pilot.press("tab")
        assert form.focused is form.query_one("#impact-source")
        await pilot.press(*"TRC", "enter")
        assert app.screen is form  # "Kersamanah1" is no kecamatan: asked first
        assert "Kersamanah1" in str(form.query_one("#impact-error").render())
        assert form.focused is form.query_one("#impact-area")
        await pilot.press(*"Kersamanah", "enter")  # retyped over the selected text: its code found
        assert await until(pilot, lambda: isinstance(app.screen, EventDetailScreen))
        kept = {a.area: a for a in store.crisis.by_area(1)}
        assert "Kersamanah1" not in kept
        assert kept["Kersamanah"].code is not None
        assert kept["Kersamanah"].figures["dead"] == 2
