"""A ranking a leader can act on: known answers for who is ranked, what counts, and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cc_console.config import load_config
from cc_console.kinerja import compute, week_period
from cc_console.models import Agency, Incident, Kpi
from cc_console.store import PollRecord, Store
from tests.conftest import Result, write_config
from tests.unit.test_formats import parse

END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
START = END - timedelta(days=7)
H = timedelta(hours=1)
D = timedelta(days=1)
WIB = ZoneInfo("Asia/Jakarta")
RULE = '[[sla]]\nmatch = { severity = ["severe"] }\nresolve_within = "24h"\n'


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Store]:
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "opd", "kind": "agencies", "format": "native", "url": "http://127.0.0.1:9/o"}],
        RULE,
    )
    return cfg, Store.for_config(load_config(cfg), operator="siti")


def opd(store: Store, at: datetime, kpi: Kpi | None = None, extra: tuple[Agency, ...] = ()) -> None:
    rows = [
        Agency("bpbd", "BPBD", "operational", updated_at=at),
        Agency("dinsos", "Dinas Sosial", "operational", updated_at=at),
        # An agency with one KPI and nothing else to judge it by.
        Agency("arsip", "Arsip Daerah", "operational", kpis=(kpi,) if kpi else (), updated_at=at),
        *extra,
    ]
    store.apply("agencies", PollRecord("opd", at, ok=True), rows)


def test_an_agency_with_only_a_kpi_is_unscored_and_after_every_scored_one(store) -> None:
    _, s = store
    opd(s, START - D, Kpi("Arsip digital", 100, 90, "%"))  # met all along: a perfect 100 before
    # BPBD: three items, one late: a poor score, but earned.
    for n, done in enumerate((START + D, START + 5 * D, START + 6 * D)):
        item = s.followups.add(f"Tugas {n}", "bpbd", START + 2 * D, at=START)
        s.followups.close(item.id, "done", at=done)
    k = compute(s.kinerja, s.agencies.listing(), START, END, trend=False)
    by = {a.id: a for a in k.agencies}
    assert by["bpbd"].scored and by["bpbd"].rank == 1 and by["bpbd"].score is not None
    assert by["bpbd"].score < 100
    arsip = by["arsip"]
    assert arsip.kpi_share_met == 1.0
    assert (arsip.scored, arsip.score, arsip.rank, arsip.events) == (False, None, None, 0)
    assert [a.id for a in k.agencies] == ["bpbd", "arsip", "dinsos"]  # ranked, then by name
    row = next(a for a in k.as_json()["agencies"] if a["id"] == "arsip")
    assert (row["scored"], row["score"], row["rank"], row["kind"]) == (False, None, None, "agency")


def test_a_statuspage_component_is_a_service_never_ranked(store) -> None:
    _, s = store
    components = parse("statuspage", "statuspage.json", "agencies").agencies
    assert components and {a.kind for a in components} == {"service"}
    s.apply("agencies", PollRecord("status", START - D, ok=True), components)
    opd(s, START - D)
    for n in range(3):  # even with items of its own, a service is not ranked
        s.followups.add(f"Server {n}", components[0].id, START + D, at=START)
    k = compute(s.kinerja, s.agencies.listing(), START, END, trend=False)
    services = {a.id for a in k.services}
    assert services == {a.id for a in components}
    assert all(a.rank is None and a.score is None and not a.scored for a in k.services)
    assert k.agencies[-len(services) :] == k.services  # after the agencies


def test_a_native_agency_that_says_it_is_a_service_is_one() -> None:
    body = (
        b'{"format": "cc-console/agencies", "version": 1, "agencies": [{"id": "cctv", "name": "CCTV kota", "status": "operational",'
        b' "kind": "service"}, {"id": "bpbd", "name": "BPBD", "status": "operational"}]}'
    )
    from cc_console.sources import parser
    from tests.unit.test_formats import ctx

    got = {a.id: a.kind for a in parser("native")(body, ctx("agencies")).agencies}
    assert got == {"cctv": "service", "bpbd": "agency"}


def test_an_unassigned_breach_lands_in_the_centres_row(store) -> None:
    _, s = store
    opd(s, START - D)
    at = START + D
    s.apply(
        "incidents",
        PollRecord("bpbd", at, ok=True),
        [Incident("bpbd", "X1", "Longsor", severity="severe", reported_at=at, updated_at=at)],
    )
    s.deadlines.check(at + 25 * H)  # past its 24 h, assigned to no one
    k = compute(s.kinerja, s.agencies.listing(), START, END, trend=False)
    assert k.center.breaches == 1
    assert k.center.unassigned_breaches == 1
    assert k.center.late_by_agency == {}
    assert all(a.breaches == 0 for a in k.agencies)


def test_an_item_closed_early_counts_on_time_in_the_period_it_was_closed(store) -> None:
    _, s = store
    opd(s, START - D)
    item = s.followups.add("Kirim tenda", "dinsos", END + 2 * D, at=START)  # due after it
    s.followups.close(item.id, "done", at=START + D)
    k = compute(s.kinerja, s.agencies.listing(), START, END, trend=False)
    dinsos = next(a for a in k.agencies if a.id == "dinsos")
    assert (dinsos.actions, dinsos.actions_done_on_time, dinsos.actions_overdue) == (1, 1, 0)


def test_kpis_count_by_the_share_of_the_period_they_were_met(store) -> None:
    _, s = store
    met, missed = Kpi("Arsip digital", 95, 90, "%"), Kpi("Arsip digital", 50, 90, "%")
    opd(s, START - D, met)
    opd(s, START + 3 * D + 12 * H, missed)  # met for half the period, then missed
    k = compute(s.kinerja, s.agencies.listing(), START, END, trend=False)
    arsip = next(a for a in k.agencies if a.id == "arsip")
    assert arsip.kpi_share_met == pytest.approx(0.5)
    assert (arsip.kpis_met, arsip.kpis_total) == (0, 1)  # the last reading alone would say 0


def test_week_2026_w48_is_monday_to_monday_in_the_sites_zone(store, cli) -> None:
    p = week_period("2026-W48", datetime(2026, 12, 3, 3, 0, tzinfo=UTC), WIB)
    assert p.start == datetime(2026, 11, 23, 0, 0, tzinfo=WIB)
    assert p.end == datetime(2026, 11, 30, 0, 0, tzinfo=WIB)
    assert p.previous == datetime(2026, 11, 16, 0, 0, tzinfo=WIB)
    # Without a value: the last complete week (the suite's clock is Thursday 3 December).
    cfg, _ = store
    r = cli("--config", str(cfg), "report", "--week", "--json")
    assert r.code == 0, r.err
    assert r.json()["period"] == {"from": "2026-11-22T17:00:00Z", "to": "2026-11-29T17:00:00Z"}  # type: ignore[index]
    for bad in (("--week", "2026-48"), ("--days", "7", "--week", "2026-W48"), ("--from", "x")):
        assert cli("--config", str(cfg), "report", *bad, "--json").code == 2, bad
    r = cli("--config", str(cfg), "report", "--from", "2026-11-23", "--to", "2026-11-29", "--json")
    assert r.json()["period"] == {"from": "2026-11-22T17:00:00Z", "to": "2026-11-29T17:00:00Z"}  # type: ignore[index]


def test_two_runs_without_a_change_are_equal(store, cli: Callable[..., Result]) -> None:
    cfg, s = store
    week = datetime(2026, 11, 23, 0, 0, tzinfo=WIB).astimezone(UTC)
    opd(s, week - D, Kpi("Arsip digital", 95, 90, "%"))
    opd(s, week + 2 * D, Kpi("Arsip digital", 50, 90, "%"))
    for n in range(4):
        item = s.followups.add(f"Tugas {n}", "bpbd", week + 3 * D, at=week)
        s.followups.close(item.id, "done", at=week + (n + 2) * D)
    runs = [cli("--config", str(cfg), "report", "--week", "2026-W48", "--json") for _ in "ab"]
    assert all(r.code == 0 for r in runs), runs[0].err
    assert runs[0].out == runs[1].out
    bpbd = next(a for a in runs[0].json()["agencies"] if a["id"] == "bpbd")  # type: ignore[index]
    assert bpbd["scored"] and bpbd["rank"] == 1
    parts = [v for v in bpbd["parts"].values() if v is not None]
    assert round(sum(parts), 1) == bpbd["score"]
    md = [cli("--config", str(cfg), "report", "--week", "2026-W48", "--format", "md") for _ in "ab"]
    assert md[0].out == md[1].out and "belum ditugaskan" in md[0].out
