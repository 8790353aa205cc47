"""The counts kept per site day agree with counting the incidents, through every kind of change."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cc_console.config import load_config
from cc_console.kinerja import compute, period
from cc_console.models import Agency, Incident
from cc_console.store import PollRecord, Store
from cc_console.timefmt import utcnow
from tests.conftest import write_config

WIB = ZoneInfo("Asia/Jakarta")
RULE = (
    '[[sla]]\nmatch = { severity = ["severe", "extreme"] }\n'
    'acknowledge_within = "30m"\nresolve_within = "12h"\n'
)
AGENCIES = [Agency(a, a.upper(), "operational") for a in ("bpbd", "pupr", "dinkes")]


def _incidents(rng: random.Random, n: int, prefix: str, now) -> list[Incident]:
    return [
        Incident(
            "lapor", f"{prefix}{i}", f"Kejadian {prefix}{i}",
            category=rng.choice(["flood", "landslide", "fire"]),
            severity=rng.choice(["extreme", "severe", "moderate", "minor"]),
            area=rng.choice(["Kec. Cisewu", "Kec. Leles", ""]),
            # Near midnights in WIB (17:00 UTC) too: a day's edge must be right.
            reported_at=now - timedelta(hours=rng.uniform(1, 24 * 60)),
            assigned_to=rng.choice([None, None, "bpbd", "pupr"]),
            status=rng.choice(["open", "open", "acknowledged"]),
        )
        for i in range(n)
    ]  # fmt: skip


def _both(store: Store, days: int) -> tuple[dict, dict]:
    now = utcnow()
    start, end = period(now, days, WIB)
    kept = compute(store.kinerja, AGENCIES, start, end, tz=WIB, current=True).as_json()
    counted = compute(store.kinerja, AGENCIES, start, end, tz=WIB).as_json()
    return kept, counted


def test_kept_counts_agree_with_the_incidents_through_changes(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.toml", [], RULE)
    store = Store.for_config(load_config(cfg), operator="siti")
    rng = random.Random(7)
    now = utcnow()
    first = _incidents(rng, 400, "A", now)
    store.apply("incidents", PollRecord("lapor", now, ok=True), first)
    store.apply("agencies", PollRecord("opd", now, ok=True), AGENCIES)
    store.deadlines.check(now)
    for days in (7, 30, 90):
        kept, counted = _both(store, days)
        assert kept == counted, days
        assert kept["center"]["incidents"] > 0
    assert store.kinerja.keep(timedelta(hours=7))  # up to date: nothing to do
    # Operators act on old incidents (days already kept): each marks its day.
    ids = [f"lapor:{i.external_id}" for i in first]
    j = store.journal
    for target in rng.sample(ids, 40):
        j.act("assign", target, agency=rng.choice(["bpbd", "pupr", "dinkes"]))
    for target in rng.sample(ids, 30):
        try:
            j.act("resolve", target)
        except Exception:
            pass
    for target in rng.sample(ids, 20):
        try:
            j.act("ack", target)
        except Exception:
            pass
    store.deadlines.check(now + timedelta(hours=1))
    # The feed: new incidents, some of the old ones changed or cancelled.
    changed = [
        Incident(i.source, i.external_id, i.title + " (update)", category="fire",
                 severity=i.severity, area="Kec. Garut Kota", reported_at=i.reported_at,
                 updated_at=now, status="cancelled" if n % 3 == 0 else i.status)
        for n, i in enumerate(rng.sample(first, 30))
    ]  # fmt: skip
    store.apply(
        "incidents", PollRecord("lapor", now, ok=True), [*changed, *_incidents(rng, 50, "B", now)]
    )
    for days in (7, 30):
        kept, counted = _both(store, days)
        assert kept == counted, days
    # A reader that cannot write uses the kept counts while they are up to date (a
    # change of an incident moves its counts as it is written)...
    reader = Store(store.db.path, read_only=True)
    start, end = period(utcnow(), 30, WIB)
    j.act("assign", ids[0], agency="dinkes")
    assert reader.kinerja.keep(timedelta(hours=7))
    # ... and counts from the incidents when new ones are not yet folded in.
    store.apply("incidents", PollRecord("lapor", now, ok=True), _incidents(rng, 5, "C", now))
    assert not reader.kinerja.keep(timedelta(hours=7))
    read = compute(reader.kinerja, AGENCIES, start, end, tz=WIB, current=True).as_json()
    assert read == compute(store.kinerja, AGENCIES, start, end, tz=WIB).as_json()
    reader.close()
    store.close()


def test_a_zone_with_daylight_saving_counts_from_the_incidents(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.toml", [])
    store = Store.for_config(load_config(cfg))
    now = utcnow()
    store.apply(
        "incidents", PollRecord("lapor", now, ok=True), _incidents(random.Random(1), 50, "A", now)
    )
    berlin = ZoneInfo("Europe/Berlin")
    start, end = period(now, 30, berlin)
    k = compute(store.kinerja, AGENCIES, start, end, tz=berlin, current=True)
    assert k.as_json() == compute(store.kinerja, AGENCIES, start, end, tz=berlin).as_json()
    assert 0 < k.center.incidents < 50
    assert store.db.scalar("SELECT count(*) FROM kinerja_days") == 0  # nothing kept
    store.close()
