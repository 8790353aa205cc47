"""Decisions and action items in the console: meeting detail d/t, pane 4, x, read-only."""

from __future__ import annotations

from cc_console.screens import MainScreen
from tests.console.conftest import until


async def test_an_item_added_in_a_meeting_is_listed_in_pane_4_and_closed_with_x(make_app, store):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "j", "enter")  # the first meeting of the day
        meeting = app.screen.meeting_view.meeting
        assert meeting is not None
        await pilot.press("d", *"Posko siaga dibuka", "enter")
        assert await until(pilot, lambda: len(store.followups.decisions(meeting.id)) == 1)
        await pilot.press("t", *"Kirim perahu karet", "enter")
        await pilot.press(*"bpbd", "enter")  # the owner, typed as in the assign picker
        await pilot.press(*"31-12-2026", "enter")  # not a date: said, and asked again
        assert any("YYYY-MM-DD" in n.message for n in app._notifications)
        await pilot.press(*"2026-12-31", "enter")
        assert await until(pilot, lambda: len(store.followups.items()) == 1)
        (item,) = store.followups.items()
        assert (item.owner, item.meeting_id, item.text) == (
            "bpbd",
            meeting.id,
            "Kirim perahu karet",
        )
        assert "Kirim perahu karet" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("escape", "4")
        pane = app.screen.followups
        assert isinstance(app.screen, MainScreen) and pane.list.total == 1
        await pilot.press("x", *"perahu tiba", "enter")
        assert await until(pilot, lambda: store.followups.item(item.id).status == "done")
        assert await until(pilot, lambda: pane.list.total == 0)
        assert [e.action for e in store.journal.entries()] == [
            "decide",
            "action.add",
            "action.done",
        ]


async def test_read_only_refuses_and_says_why(make_app, store):
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "j", "enter", "t")
        notes = [n.message for n in app._notifications]
        assert any("hanya-baca" in m.lower() for m in notes), notes
        assert store.followups.items() == []


async def test_agency_and_incident_views_list_their_items(make_app, store):
    from datetime import timedelta

    from tests.console.conftest import NOW

    incident = store.incidents.listing()[0]
    store.followups.add(
        "Kerahkan pompa air", "bpbd", NOW - timedelta(days=1), incident_id=incident.id
    )
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("enter")  # the newest incident
        assert "Kerahkan&#160;pompa&#160;air" in app.export_screenshot()
        await pilot.press("escape", "1")
        app.screen.agencies.list.cursor = app.screen.agencies.rows.locate("opd:bpbd", 0) or 0
        await pilot.press("enter")
        shot = app.export_screenshot()
        assert "Kerahkan&#160;pompa&#160;air" in shot and "lewat" in shot


async def test_overdue_items_raise_the_alarm_and_bang_shows_them(make_app, store):
    from datetime import timedelta

    from tests.console.conftest import NOW

    store.followups.add("Laporkan stok logistik", "bpbd", NOW - timedelta(hours=2))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.alarm is not None and app.alarm.items == 1
        line = app.screen.query_one("#alarm-line").render().plain
        assert "1 TL telat" in line or "1 tindak lanjut lewat tenggat" in line, line
        await pilot.press("3", "exclamation_mark")
        assert app.screen.active == 3 and app.screen.followups.list.total == 1
