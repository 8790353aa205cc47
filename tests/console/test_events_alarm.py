"""The alarm line names an emergency status that runs out within 24 h (on a fixed clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cc_console.app import CcConsoleApp
from cc_console.screens.crisis import EventDetailScreen
from cc_console.store import Store
from tests.console.conftest import NOW, until
from widgets.alarm_line import AlarmLine


def _line(app: CcConsoleApp) -> str:
    line = app.screen.query_one(AlarmLine)
    return str(line.render()) if line.has_class("-raised") else ""


def _no_incident_waits(store: Store) -> None:
    with store.db.tx() as c:
        c.execute("UPDATE incidents SET status = 'resolved'")


def _event(store: Store, hours: float) -> str:
    c = store.crisis
    ev = c.open("Banjir Cimanuk", "flood", [("Garut Kota", "32.05.01")], at=NOW - timedelta(days=3))
    c.report(ev, "Garut Kota", "32.05.01", {"displaced": 200}, "TRC", at=NOW - timedelta(days=2))
    c.set_status(ev, "tanggap-darurat", "SK 360/45", NOW - timedelta(days=3),
                 NOW + timedelta(hours=hours), at=NOW - timedelta(days=3))  # fmt: skip
    return ev.id


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_a_status_ending_within_24h_is_on_the_alarm_line_and_its_key_opens_it(
    console_config, store, lang, size
):
    _no_incident_waits(store)  # only the status: the line names the event
    eid = _event(store, 12)
    app = CcConsoleApp(console_config, store, lang=lang, clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        assert await until(pilot, lambda: bool(_line(app)))
        line = _line(app)
        assert eid in line, line
        wording = "berakhir" if lang == "id" else "ending"
        assert wording in line, line
        if size[0] > 100:  # 11:00 WIB + 12 h, as the site reads it
            assert ("05 Des 23:00" if lang == "id" else "05 Dec 23:00") in line, line
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, EventDetailScreen)
        assert app.screen.event_id == eid


async def test_a_status_ending_in_30h_raises_nothing(console_config, store):
    _no_incident_waits(store)
    _event(store, 30)
    app = CcConsoleApp(console_config, store, clock=lambda: NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.alarm is not None and not app.alarm.expiring
        assert _line(app) == ""


async def test_warned_once_it_stays_until_renewed_even_after_it_lapsed(console_config, store):
    _no_incident_waits(store)
    eid = _event(store, 12)
    # The poll cycle's check: one event.status_expiring however often it runs.
    assert store.crisis.check(NOW) == 1
    assert store.crisis.check(NOW + timedelta(minutes=5)) == 0
    told = [e for e in store.events.since(0) if e.kind == "event.status_expiring"]
    assert [e.target for e in told] == [eid]
    # A console opened after the end passed, unrenewed: the line still says so.
    later = NOW + timedelta(hours=13)
    app = CcConsoleApp(console_config, store, clock=lambda: later)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: eid in _line(app))
        keys = app._alarm_seen
        app.update_alarm()
        assert app._alarm_seen == keys  # the same warning: no second bell
        # Renewed (a new decree until next week): the warning goes.
        event = store.crisis.get(eid)
        store.crisis.set_status(event, "tanggap-darurat", "SK 360/46", later,
                                later + timedelta(days=7), at=later)  # fmt: skip
        app.update_alarm()
        assert await until(pilot, lambda: _line(app) == "")
