"""Snapshots of the main screen and each detail view: 80x24 and 160x48, both languages."""

from __future__ import annotations

import pytest

from tests.console.conftest import until

VIEWS = {
    "main": [],
    "incident": ["enter"],
    "agency": ["1", "enter"],
    "meeting": ["3", "down", "enter"],
    "minutes": ["3", "down", "enter", "m"],
    "followups": ["4"],
    "kinerja": ["5"],
    "events": ["7"],
    "event": ["7", "enter"],
    "province_events": ["7"],
    "silence": ["f", "s"],  # the silence dialog, prefilled with the source under the cursor
    "toasts": ["y", "M"],  # the last toasts (one: the id copied)
    "late_only": ["T"],  # the incidents past a deadline (none in this cache: the pane says so)
    "health": ["f"],
    "journal": ["J"],
    "notifications": ["N"],
    "sites": ["6"],
    "handover": ["H"],
    "help": ["question_mark"],
}
WIDE_VIEWS = ("main", "kinerja", "health", "handover")  # where 200 columns are used


def seed_journal(store) -> None:
    """Three operator actions of the shift, with notes (written out of time order)."""
    from datetime import timedelta

    from tests.console.conftest import NOW

    incidents = store.incidents.listing()
    for hours, inc, note in (
        (2, incidents[0], "Tim reaksi cepat menuju lokasi bersama camat"),
        (5, incidents[1], "Jalan provinsi ditutup, pengalihan lewat Leles"),
        (1, incidents[2], "Pompa air dikirim dari posko Tarogong"),
    ):
        store.journal.act("ack", inc.id, note=note, at=NOW - timedelta(hours=hours))  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("view", WIDE_VIEWS)
def test_snapshot_200x50(snap_compare, make_app, store, lang, view):
    test_snapshot(snap_compare, make_app, store, lang, (200, 50), view)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(snap_compare, make_app, store, lang, size, view):
    if view == "followups":  # open items: one overdue, one due, one of an incident
        from datetime import timedelta

        from tests.console.conftest import NOW

        meeting = store.agenda.between(NOW - timedelta(days=1), NOW + timedelta(days=1))[0]
        items = store.followups
        items.add("Kirim alat berat ke bantaran Cimanuk", "pupr", NOW - timedelta(hours=30),
                  meeting=meeting)  # fmt: skip
        items.add("Verifikasi data warga terdampak", "disdukcapil", NOW + timedelta(days=2),
                  meeting=meeting)  # fmt: skip
        incident = store.incidents.listing()[0]
        items.add("Kerahkan pompa air", "bpbd", NOW + timedelta(hours=5), incident_id=incident.id)
    if view in ("journal", "handover"):
        seed_journal(store)
    if view in ("events", "event"):  # a flood in three kecamatan, its status, needs, sit-rep
        from tests.console.test_crisis_console import seed_event

        seed_event(store)
    if view == "province_events":  # two regencies' events, read from their /events.json
        from tests.console.test_events_province import seed_sites

        seed_sites(store)
    app = make_app(lang=lang)

    async def counted(pilot) -> None:  # the top line's counts come from a worker thread
        await until(pilot, lambda: app.counts is not None)
        if view == "kinerja":  # its figures too
            await pilot.press("5")
            await until(pilot, lambda: getattr(app.screen, "kinerja", None) is not None
                        and app.screen.kinerja.result is not None)  # fmt: skip
        await pilot.pause()

    press = [] if view == "kinerja" else VIEWS[view]
    assert snap_compare(app, press=press, terminal_size=size, run_before=counted)


def seed_regencies(store) -> None:
    """Two regencies read as native feeds (the province): each has a "Dinas Kesehatan"
    and a BPBD, given incidents of their own."""
    from datetime import timedelta

    from cc_console.models import Agency, Incident, Kpi
    from cc_console.store import PollRecord
    from tests.console.conftest import NOW

    for n, (code, name) in enumerate([("32.06", "Kab. Tasikmalaya"), ("32.07", "Kab. Ciamis")]):
        slug = code.replace(".", "")
        site = (code, name)
        incidents = [
            Incident(f"w{slug}", f"R{i}", f"Wabah diare {i} di {name}", category="health",
                     severity="severe", area=f"{name} {i % 3}", assigned_to=agency,
                     status="resolved" if (i + n) % 3 else "open",
                     reported_at=NOW - timedelta(hours=5 + 11 * i),
                     updated_at=NOW - timedelta(hours=2 + 11 * i))
            for i, agency in enumerate(["dinkes", "bpbd"] * (3 + n))
        ]  # fmt: skip
        # (A poll that read a body says whose it is: records given.)
        poll = PollRecord(f"w{slug}", NOW, ok=True, records=len(incidents), site=site)
        store.apply("incidents", poll, incidents)
        agencies = [
            Agency("dinkes", "Dinas Kesehatan", "operational", None,
                   (Kpi("Ambulans siap", 90 + n * 8, 95, "%"),), NOW - timedelta(days=2),
                   f"w{slug}-opd"),
            Agency("bpbd", "Badan Penanggulangan Bencana Daerah", "degraded" if n else
                   "operational", None, (), NOW - timedelta(days=2), f"w{slug}-opd"),
        ]  # fmt: skip
        poll = PollRecord(f"w{slug}-opd", NOW, ok=True, records=len(agencies), site=site)
        store.apply("agencies", poll, agencies)


def test_snapshot_kinerja_in_the_province(snap_compare, make_app, store):
    """The province's Kinerja: each regency's "Dinas Kesehatan" its own row, with a site
    column (this site's own agencies and two regencies')."""
    seed_regencies(store)
    app = make_app()

    async def computed(pilot) -> None:
        await until(pilot, lambda: app.counts is not None)
        await pilot.press("5")
        await until(pilot, lambda: getattr(app.screen, "kinerja", None) is not None
                    and app.screen.kinerja.result is not None)  # fmt: skip
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=computed)
