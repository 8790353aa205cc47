"""A deterministic cache and a console on it, with the clock frozen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import Config, load_config
from cc_console.models import Agency, Incident, Kpi, Meeting
from cc_console.store import PollRecord, Store
from tests.conftest import write_config

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # 11:00 WIB, Saturday
KEC = ["Garut Kota", "Tarogong Kidul", "Cisewu", "Pameungpeuk", "Leles", "Cikajang", "Malangbong"]
SEVERITIES = ["extreme", "severe", "moderate", "minor", "unknown"]
CATEGORIES = ["flood", "landslide", "fire", "complaint", "earthquake"]


def populate(store: Store, now: datetime = NOW, count: int = 40) -> None:
    """A small Garut: incidents, agencies with history, a day of meetings, source states."""
    incidents = [
        Incident(
            source="bpbd",
            external_id=f"LAP-{i:03d}",
            title=f"{['Banjir', 'Longsor', 'Kebakaran', 'Aduan jalan rusak', 'Gempa'][i % 5]} di Kec. {KEC[i % 7]}",
            description=f"Laporan nomor {i}.",
            category=CATEGORIES[i % 5],
            severity=SEVERITIES[i % 5],
            status="cancelled" if i == 7 else "open",
            area=f"Kec. {KEC[i % 7]}",
            lat=-7.2 - i / 100,
            lon=107.9,
            reported_at=now - timedelta(minutes=37 * i + 5),
            updated_at=now - timedelta(minutes=37 * i + 5),
            exercise=i == 3,
        )
        for i in range(count)
    ]
    store.apply(
        "incidents",
        PollRecord("bpbd", now - timedelta(minutes=1), ok=True, http_status=200, records=count),
        incidents,
    )
    agencies = [
        Agency(
            "bpbd",
            "Badan Penanggulangan Bencana Daerah",
            "degraded",
            None,
            (Kpi("Respon < 30 menit", 88, 90, "%"), Kpi("Posko aktif", 12, 10)),
            now - timedelta(minutes=2),
            "opd",
        ),
        Agency(
            "dinkes",
            "Dinas Kesehatan",
            "operational",
            None,
            (Kpi("Ambulans siap", 96, 95, "%"),),
            now - timedelta(minutes=2),
            "opd",
        ),
        Agency(
            "pupr",
            "Dinas Pekerjaan Umum dan Penataan Ruang",
            "major_outage",
            "Server SIMJALAN mati",
            (),
            now - timedelta(minutes=2),
            "opd",
        ),
        Agency(
            "disdukcapil",
            "Dinas Kependudukan dan Pencatatan Sipil",
            "operational",
            None,
            (),
            now - timedelta(minutes=2),
            "opd",
        ),
        Agency(
            "damkar",
            "Dinas Pemadam Kebakaran",
            "maintenance",
            None,
            (),
            now - timedelta(minutes=2),
            "opd",
        ),
    ]
    store.apply(
        "agencies",
        PollRecord("opd", now - timedelta(minutes=30), ok=True, http_status=200),
        [
            Agency(
                a.id, a.name, "operational", a.summary, a.kpis, now - timedelta(minutes=30), "opd"
            )
            for a in agencies
        ],
    )
    store.apply(
        "agencies",
        PollRecord("opd", now - timedelta(minutes=2), ok=True, http_status=200, records=5),
        agencies,
    )
    day = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 08:00 WIB
    meetings = [
        Meeting(
            "rakor",
            "rakor@garut",
            "Rapat Koordinasi Mingguan",
            day,
            day + timedelta(hours=2),
            location="Ruang CC",
            organizer="Sekda",
            participants=("Kepala BPBD", "Kadis Kesehatan"),
            description="Evaluasi kinerja.",
        ),
        Meeting(
            "rakor",
            "evaluasi@garut",
            "Evaluasi Banjir Cimanuk",
            day + timedelta(hours=5),
            day + timedelta(hours=6),
            location="Aula Setda",
        ),
        Meeting(
            "rakor",
            "batal@garut",
            "Kunjungan Gubernur",
            day + timedelta(days=1, hours=2),
            day + timedelta(days=1, hours=3),
            status="cancelled",
        ),
    ]
    store.apply(
        "agenda",
        PollRecord("rakor", now - timedelta(minutes=3), ok=True, http_status=200, records=3),
        meetings,
    )
    store.sources.record(
        PollRecord(
            "bmkg",
            now - timedelta(minutes=4),
            ok=False,
            http_status=503,
            error="HTTP 503 Service Unavailable from https://data.bmkg.go.id/x",
        )
    )


@pytest.fixture
def console_config(tmp_path: Path) -> Config:
    cfg = write_config(
        tmp_path / "config.toml",
        [
            {
                "name": "bpbd",
                "kind": "incidents",
                "format": "native",
                "url": "http://127.0.0.1:9/bpbd",
            },
            {
                "name": "opd",
                "kind": "agencies",
                "format": "native",
                "url": "http://127.0.0.1:9/opd",
            },
            {
                "name": "rakor",
                "kind": "agenda",
                "format": "ical",
                "url": "http://127.0.0.1:9/rakor",
            },
            {
                "name": "bmkg",
                "kind": "incidents",
                "format": "bmkg-gempa",
                "url": "http://127.0.0.1:9/bmkg",
            },
        ],
    )
    return load_config(cfg)


@pytest.fixture
def store(console_config: Config) -> Store:
    s = Store(console_config.cache.path, operator="siti")
    populate(s)
    yield s
    s.close()


@pytest.fixture
def make_app(console_config: Config, store: Store):
    def make(*, lang: str = "id", read_only: bool = False, live: bool = False) -> CcConsoleApp:
        if read_only:
            ro = Store(console_config.cache.path, read_only=True, operator="budi")
            return CcConsoleApp(
                console_config, ro, lang=lang, read_only=True, clock=lambda: NOW, live=live
            )
        return CcConsoleApp(console_config, store, lang=lang, clock=lambda: NOW, live=live)

    return make


async def until(pilot, condition, timeout: float = 5.0) -> bool:
    """Let the app run until ``condition()`` holds (or ``timeout`` passes)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        await pilot.pause(0.02)
    return True
