"""The demo teaches nothing wrong (issue 27, bug 7): KPIs within their scale, no journal
entry dated after now, KTP queue complaints not rated extreme, a service's chart with a
history, late incidents some of them assigned (Kinerja's late column means something)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from cc_console.timefmt import utcnow


def test_the_demo_teaches_nothing_wrong(tmp_path) -> None:
    from cc_console.demo import DemoServer
    from cc_console.demo.session import seed_follow_up, seed_history
    from tests.conftest import demo_store

    with DemoServer(tick_seconds=3600) as server:
        store, refresh = demo_store(server, tmp_path)
        refresh()
        seed_follow_up(store, ZoneInfo("Asia/Jakarta"))
        seed_history(store)
        now = utcnow()
        # KPIs: a percentage is at most 100, now and in the 90 days of history.
        for agency in store.agencies.listing():
            history = store.agencies.history(agency.id, limit=5000, source=agency.source)
            for kpi in [k for _, _, ks in history for k in ks] + list(agency.kpis):
                assert kpi.value is None or kpi.value >= 0, (agency.id, kpi)
                if kpi.unit == "%":
                    assert kpi.value is None or kpi.value <= 100, (agency.id, kpi)
        # The journal (and the handover that lists it) holds nothing dated after now.
        assert all(e.at <= now + timedelta(seconds=5) for e in store.journal.entries(limit=100_000))
        # A queue at the KTP counter is a complaint, never extreme or severe.
        complaints = [i for i in store.incidents.listing() if i.category == "complaint"]
        assert complaints and {i.severity for i in complaints} <= {"minor", "moderate", "unknown"}
        # The CCTV service has a status history to chart, not a single dot.
        cctv = next(a for a in store.agencies.listing() if a.name.endswith("CCTV Kota Garut"))
        assert len(store.agencies.history(cctv.id, limit=5000, source=cctv.source)) >= 10
        # Some late incidents are assigned: Kinerja's "Telat" column is not all zero.
        late = store.deadlines.late(now)
        assert late and any(i.assigned_to for i in late) and not all(i.assigned_to for i in late)
        store.close()
