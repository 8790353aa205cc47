"""A simulated Kabupaten Garut: agencies, a week of incidents and meetings that keep moving.

Built from ``data/demo/`` (the 42 kecamatan, the perangkat daerah and report
templates) with a seeded random generator, so every demo looks alike but is
alive: :meth:`DemoWorld.tick` brings new reports, status changes and CAP
updates every few seconds.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cc_console.resources import data_dir

__all__ = ["DemoWorld", "Quake", "Report"]

WIB = ZoneInfo("Asia/Jakarta")
SEVERITY_WEIGHTS = (("minor", 40), ("moderate", 35), ("severe", 18), ("extreme", 7))
# Reports arriving while the demo runs: mostly routine, so that the alarm
# (and its bell) stays for what is severe.
LIVE_WEIGHTS = (("minor", 55), ("moderate", 42), ("severe", 3), ("extreme", 0))
# Complaints have 3 working days for a first answer: under 72 h they are never late,
# past 6 days always (short of a holiday week). The demo answers every complaint
# older than 60 h but the first LATE_COMPLAINTS of those past 6 days.
COMPLAINT_ANSWERED_H = 60
COMPLAINT_LATE_H = 6 * 24
LATE_COMPLAINTS = 2


def kpi_value(value: float, unit: str) -> float:
    """A KPI's value within its scale: a percentage lies in 0..100 (the demo showed
    "106.4/99.5%"), any other count is not negative."""
    return round(max(0.0, min(value, 100.0) if unit == "%" else value), 1)


@dataclass(frozen=True)
class Report:
    """One incident report of the demo."""

    id: str
    category: str
    agency: str
    title: str
    description: str
    severity: str
    status: str
    area: str
    code: str
    lat: float
    lon: float
    reported_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Quake:
    """One earthquake of the demo (served as BMKG and as GeoJSON)."""

    at: datetime
    lat: float
    lon: float
    magnitude: float
    depth: int
    region: str
    tsunami: bool = False


@dataclass
class AgencyState:
    """One agency's status and KPIs, moving over time."""

    id: str
    name: str
    status: str
    kpis: list[list[Any]]
    updated_at: datetime
    summary: str | None = None


@dataclass
class CapAlert:
    """A CAP message of the demo's BPBD hub."""

    identifier: str
    sent: datetime
    msg_type: str
    severity: str
    event: str
    headline: str
    area: str
    lat: float
    lon: float
    references: str | None = None


@dataclass
class DemoWorld:
    """The demo's state; every method is safe to call from the server's threads."""

    now: datetime
    seed: int = 32_05
    reports: list[Report] = field(default_factory=list)
    quakes: list[Quake] = field(default_factory=list)
    agencies: list[AgencyState] = field(default_factory=list)
    services: list[AgencyState] = field(default_factory=list)
    cap: list[CapAlert] = field(default_factory=list)
    version: int = 0
    # Another regency of the province (demo --province): its kecamatan and how many
    # reports of the last week it starts with.
    area: list[list[Any]] | None = None
    initial_reports: int = 320

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.RLock()
        demo = data_dir() / "demo"
        self.kecamatan = (
            self.area or json.loads((demo / "kecamatan.json").read_text("utf-8"))["kecamatan"]
        )
        agencies = json.loads((demo / "agencies.json").read_text("utf-8"))
        self.templates = json.loads((demo / "incidents.json").read_text("utf-8"))["templates"]
        if self.area is not None:  # another regency: no Garut place names in its reports
            local = ("Garut", "Cimanuk", "Cikamiri", "Cikajang")
            self.templates = [
                [cat, agency, [t for t in titles if not any(w in t for w in local)] or titles,
                 details]
                for cat, agency, titles, details in self.templates
            ]  # fmt: skip
        self.today = self.now.astimezone(WIB).date()
        self.started = self.now
        self._flashed = False
        self._counter = 0
        self._late_complaints = 0
        for a in agencies["agencies"]:
            kpis = [
                [k[0], float(k[1]), float(k[2]), k[3], k[4] if len(k) > 4 else True]
                for k in a["kpis"]
            ]
            status = self.rng.choices(["operational", "degraded", "partial_outage"], [80, 15, 5])[0]
            self.agencies.append(AgencyState(a["id"], a["name"], status, kpis, self.now))
        for sid, name, desc in agencies["services"]:
            self.services.append(AgencyState(sid, name, "operational", [], self.now, desc))
        self.services[4].status = "degraded_performance"
        for _ in range(self.initial_reports):
            self._new_report(self.now - timedelta(minutes=self.rng.uniform(5, 7 * 24 * 60)))
        self._seed_quakes()
        self._seed_cap()

    # -- building --------------------------------------------------------------

    def _new_report(
        self, at: datetime, weights: tuple[tuple[str, int], ...] = SEVERITY_WEIGHTS
    ) -> Report:
        self._counter += 1
        category, agency, titles, details = self.rng.choice(self.templates)
        code, kec, lat, lon = self.rng.choice(self.kecamatan)
        severity = self.rng.choices([s for s, _ in weights], [w for _, w in weights])[0]
        age_h = (self.now - at).total_seconds() / 3600
        status = "open"
        urgent = severity in ("severe", "extreme")
        # Urgent reports are mostly handled in time: a few stay past their deadline.
        if age_h > 24 and self.rng.random() < (0.9 if urgent else 0.7):
            status = "resolved"
        elif (age_h > 0.25 and urgent and self.rng.random() < 0.93) or (
            age_h > 2 and self.rng.random() < 0.3
        ):
            status = "acknowledged"
        elif category == "complaint" and age_h > COMPLAINT_ANSWERED_H:
            # Complaints are due in working days, so whether an open one is late
            # depends on the hour and the weekday the demo starts at. All but the
            # first few old ones are answered: the demo looks alike at any hour.
            if age_h < COMPLAINT_LATE_H or self._late_complaints >= LATE_COMPLAINTS:
                status = "acknowledged"
            else:
                self._late_complaints += 1
        if category == "complaint" and urgent:
            # A queue at the KTP counter is a complaint, not an emergency: drawn from the
            # same stream (the rest of the demo unchanged), it is never rated above moderate.
            severity = "moderate"
        report = Report(
            id=f"LAP-{at.astimezone(WIB):%Y%m%d}-{self._counter:04d}",
            category=category,
            agency=agency,
            title=self.rng.choice(titles).format(kec=f"Kec. {kec}"),
            description=" ".join(self.rng.sample(details, k=min(2, len(details)))),
            severity=severity,
            status=status,
            area=f"Kec. {kec}",
            code=code,
            lat=round(lat + self.rng.uniform(-0.02, 0.02), 4),
            lon=round(lon + self.rng.uniform(-0.02, 0.02), 4),
            reported_at=at.replace(microsecond=0),
            updated_at=at.replace(microsecond=0),
        )
        self.reports.append(report)
        return report

    def _seed_quakes(self) -> None:
        regions = [
            ("Pusat gempa berada di laut {d} km BaratDaya Kab. Garut", -8.1, 107.6),
            ("Pusat gempa berada di laut {d} km Selatan Kab. Pangandaran", -8.3, 108.5),
            ("Pusat gempa berada di darat {d} km TimurLaut Kab. Garut", -7.1, 108.0),
            ("Pusat gempa berada di laut {d} km BaratDaya Kab. Sukabumi", -7.6, 106.4),
            ("Pusat gempa berada di laut {d} km Selatan Kab. Cianjur", -7.9, 107.1),
        ]
        for i in range(15):
            text, lat, lon = self.rng.choice(regions)
            mag = round(self.rng.uniform(2.8, 6.4), 1)
            self.quakes.append(
                Quake(
                    at=(self.now - timedelta(hours=i * 11 + self.rng.uniform(0, 10))).replace(
                        microsecond=0
                    ),
                    lat=round(lat + self.rng.uniform(-0.3, 0.3), 2),
                    lon=round(lon + self.rng.uniform(-0.3, 0.3), 2),
                    magnitude=mag,
                    depth=self.rng.choice([10, 15, 20, 35, 60, 110]),
                    region=text.format(d=self.rng.randint(20, 140)),
                    tsunami=False,
                )
            )

    def _seed_cap(self) -> None:
        base = self.now - timedelta(hours=6)
        first = CapAlert(
            "BPBD-GRT-DEMO-0001",
            base,
            "Alert",
            "Severe",
            "Banjir",
            "Siaga banjir Sungai Cimanuk",
            "Kec. Tarogong Kidul",
            -7.21,
            107.88,
        )
        self.cap = [
            first,
            replace(
                first,
                identifier="BPBD-GRT-DEMO-0002",
                sent=base + timedelta(hours=2),
                msg_type="Update",
                severity="Extreme",
                headline="Awas banjir Sungai Cimanuk: evakuasi warga bantaran",
                references=f"bpbd@garutkab.go.id,{first.identifier},{first.sent.isoformat()}",
            ),
            CapAlert(
                "BPBD-GRT-DEMO-0003",
                base + timedelta(hours=1),
                "Alert",
                "Moderate",
                "Tanah Longsor",
                "Waspada pergerakan tanah di Talegong",
                "Kec. Talegong",
                -7.29,
                107.485,
            ),
        ]

    # -- moving ----------------------------------------------------------------

    FLASH_AFTER = timedelta(seconds=60)

    def tick(self, now: datetime) -> None:
        """Advance the world: a new report, a status change, a KPI drift.

        A minute after the start, one extreme flood report arrives, so that the
        alarm line and the bell are seen live.
        """
        with self.lock:
            self.now = now
            self.version += 1
            if not self._flashed and now - self.started >= self.FLASH_AFTER:
                self._flashed = True
                self._flash(now)
            else:
                self._new_report(now, LIVE_WEIGHTS)
            if self.rng.random() < 0.5:
                a = self.rng.choice(self.agencies)
                a.status = self.rng.choices(
                    ["operational", "degraded", "partial_outage", "major_outage"], [60, 25, 10, 5]
                )[0]
                a.updated_at = now
            for a in self.agencies:
                for k in a.kpis:
                    k[1] = kpi_value(k[1] + self.rng.uniform(-1.5, 1.5), k[3])
                a.updated_at = now
            if self.rng.random() < 0.3:
                svc = self.rng.choice(self.services)
                svc.status = self.rng.choice(
                    ["operational", "operational", "degraded_performance", "partial_outage"]
                )
                svc.updated_at = now
            if self.rng.random() < 0.15:
                self.quakes.insert(
                    0,
                    Quake(
                        now,
                        round(-8.0 + self.rng.uniform(-0.4, 0.4), 2),
                        round(107.6 + self.rng.uniform(-0.5, 0.5), 2),
                        round(self.rng.uniform(3.0, 5.5), 1),
                        10,
                        "Pusat gempa berada di laut 70 km BaratDaya Kab. Garut",
                    ),
                )
                del self.quakes[15:]
            # a report moves on upstream: an agency takes it up, or closes it
            recent = self.reports[-60:]
            moving = [i for i, r in enumerate(recent) if r.status in ("open", "acknowledged")]
            if moving and self.rng.random() < 0.5:
                i = len(self.reports) - len(recent) + self.rng.choice(moving)
                report = self.reports[i]
                status = "acknowledged" if report.status == "open" else "resolved"
                self.reports[i] = replace(report, status=status, updated_at=now)

    def _flash(self, now: datetime) -> None:
        self._counter += 1
        # Cibatu in Garut's own world; a province's Garut has fewer kecamatan: its first.
        place = next((k for k in self.kecamatan if k[1] == "Cibatu"), self.kecamatan[0])
        code, kec, lat, lon = place
        self.reports.append(
            Report(
                id=f"LAP-{now.astimezone(WIB):%Y%m%d}-{self._counter:04d}",
                category="flood",
                agency="bpbd",
                title=f"Banjir bandang menerjang permukiman di Kec. {kec}",
                description="Air setinggi 1,5 m, 40 rumah terendam, warga mengungsi ke masjid.",
                severity="extreme",
                status="open",
                area=f"Kec. {kec}",
                code=code,
                lat=lat,
                lon=lon,
                reported_at=now.replace(microsecond=0),
                updated_at=now.replace(microsecond=0),
            )
        )

    def meetings(self) -> list[dict[str, Any]]:
        """The week's meetings around today, as plain dicts for the ICS renderer."""
        d0 = self.today - timedelta(days=self.today.weekday())
        out = []

        def at(day: date, hh: int, mm: int = 0) -> datetime:
            return datetime.combine(day, time(hh, mm), tzinfo=WIB)

        out.append(
            {
                "uid": "rakor-mingguan@garutkab.go.id",
                # From last week: its record (decisions, action items) is the demo's.
                "start": at(d0 - timedelta(days=7), 8),
                "end": at(d0 - timedelta(days=7), 10),
                "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=9",
                "title": "Rapat Koordinasi Mingguan Perangkat Daerah",
                "location": "Ruang Command Center, Pendopo",
                "organizer": "Sekretaris Daerah",
                "attendees": ["Kepala BPBD", "Kadis Kesehatan", "Kadis PUPR", "Kadis Kominfo"],
                "description": "Evaluasi kinerja perangkat daerah dan tindak lanjut aduan SP4N-LAPOR!",
            }
        )
        out.append(
            {
                "uid": "briefing-harian@garutkab.go.id",
                "start": at(d0, 7, 30),
                "end": at(d0, 8),
                "rrule": "FREQ=DAILY;COUNT=14",
                "title": "Briefing Siaga Bencana Harian",
                "location": "Posko BPBD",
                "organizer": "Kepala Pelaksana BPBD",
                "attendees": ["Operator CC", "TRC BPBD"],
                "description": "Situasi cuaca dan kejadian 24 jam.",
            }
        )
        topics = [
            ("Rapat Evaluasi Penanganan Banjir Cimanuk", "Aula Setda", "Bupati Garut"),
            ("Koordinasi Distribusi Logistik Pengungsi", "Dinas Sosial", "Kepala Dinas Sosial"),
            ("Rapat Teknis Perbaikan Jalan Cikajang", "Dinas PUPR", "Kepala Dinas PUPR"),
            ("Evaluasi Layanan Adminduk", "Disdukcapil", "Kepala Disdukcapil"),
            ("Rapat Kesiapsiagaan Musim Hujan", "Ruang Command Center", "Wakil Bupati"),
        ]
        for i, (title, loc, org) in enumerate(topics):
            day = self.today + timedelta(days=i + 1)
            status = "CANCELLED" if i == 3 else ("TENTATIVE" if i == 4 else "CONFIRMED")
            out.append(
                {
                    "uid": f"agenda-{i}@garutkab.go.id",
                    "start": at(day, 9 + i % 3, 30 if i % 2 else 0),
                    "end": at(day, 11 + i % 3),
                    "title": title,
                    "location": loc,
                    "organizer": org,
                    "attendees": ["Operator CC"],
                    "status": status,
                    "description": "",
                }
            )
        now_local = self.now.astimezone(WIB)
        out.append(
            {
                "uid": "sekarang@garutkab.go.id",
                "start": now_local - timedelta(minutes=20),
                "end": now_local + timedelta(minutes=40),
                "title": "Rapat Pemantauan Situasi (sedang berlangsung)",
                "location": "Ruang Command Center",
                "organizer": "Kepala Diskominfo",
                "attendees": [],
                "description": "Pemantauan langsung dari layar Command Center.",
            }
        )
        out.append(
            {
                "uid": "apel@garutkab.go.id",
                "date": self.today + timedelta(days=2),
                "title": "Apel Siaga Bencana Kabupaten",
                "location": "Alun-alun Garut",
                "organizer": "Bupati Garut",
                "attendees": [],
                "description": "",
            }
        )
        return out


def utc(dt: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
