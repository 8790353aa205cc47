"""``cc-console demo``: serve the demo, write a temporary config and cache, refresh, open."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

from cc_console.demo.server import INBOX, DemoServer

__all__ = ["demo_config_text", "run_demo", "serve_demo"]

SOURCES = [
    (
        "bpbd-laporan",
        "incidents",
        "native",
        "/laporan.json",
        "5s",
        "Laporan kejadian BPBD dan aduan warga (format native)",
    ),
    (
        "bpbd-cap",
        "incidents",
        "cap",
        "/cap/index.atom",
        "10s",
        "Peringatan BPBD dalam CAP 1.2 di balik indeks Atom",
    ),
    (
        "bmkg-gempa",
        "incidents",
        "bmkg-gempa",
        "/gempaterkini.json",
        "15s",
        "Gempa terkini gaya BMKG",
    ),
    ("usgs-gempa", "incidents", "geojson", "/usgs.geojson", "30s", "Gempa M4.5+ gaya USGS GeoJSON"),
    (
        "opd-status",
        "agencies",
        "native",
        "/opd.json",
        "5s",
        "Status dan IKU perangkat daerah (format native)",
    ),
    (
        "layanan-digital",
        "agencies",
        "statuspage",
        "/api/v2/summary.json",
        "10s",
        "Layanan digital (Statuspage v2)",
    ),
    ("agenda-pemkab", "agenda", "ical", "/agenda.ics", "60s", "Agenda rapat (iCalendar)"),
]


def demo_config_text(base: str, cache: Path) -> str:
    """A config pointing every demo source at ``base``."""
    lines = [
        "# Temporary config of `cc-console demo`",
        "[site]",
        'name = "Command Center Kabupaten Garut (DEMO)"',
        'code = "32.05"',
        'timezone = "Asia/Jakarta"',
        "",
        "[cache]",
        f"path = {str(cache)!r}".replace("'", '"'),
        "",
        "[poll]",
        'timeout = "5s"',
        "stale_after = 3",
        "",
        "[alert]",
        'severity = "severe"',
        "bell = true",
        "",
        "# Deadlines: the first rule that matches applies. Earthquake feeds inform;",
        "# reports and BPBD alerts are worked on.",
        "[[sla]]",
        'match = { severity = ["extreme", "severe"], source = ["bpbd-laporan", "bpbd-cap"] }',
        'acknowledge_within = "15m"',
        'resolve_within = "24h"',
        "",
        "# The archive of the last 90 days (for kinerja): two days to resolve.",
        "[[sla]]",
        'match = { source = ["arsip"] }',
        'resolve_within = "2d"',
        "",
        "# SP4N-LAPOR!: a first response within 3 working days.",
        "[[sla]]",
        'match = { category = ["complaint"] }',
        'acknowledge_within = "3d"',
        'resolve_within = "14d"',
        'clock = "working"',
        "",
        "# The duty officer's phone: here the demo server's inbox (GET it to read",
        "# what was sent). On a site: tgram://, mailto://, a WhatsApp gateway's",
        "# json:// ..., with secrets in urls_env.",
        "[[notify]]",
        'name = "piket"',
        f'urls = ["{base.replace("http://", "json://")}{INBOX}"]',
        'events = ["incident.new", "incident.breach", "agency.down", "source.failing", '
        '"action.overdue"]',
        'match = { severity = ["extreme", "severe"] }',
        'group_wait = "10s"',
        'repeat = "30m"',
    ]
    for name, kind, fmt, path, interval, comment in SOURCES:
        lines += [
            "",
            f"# {comment}",
            "[[sources]]",
            f'name = "{name}"',
            f'kind = "{kind}"',
            f'format = "{fmt}"',
            f'url = "{base}{path}"',
            f'interval = "{interval}"',
        ]
    return "\n".join(lines) + "\n"


def serve_demo(port: int) -> None:
    """Serve the demo feeds on 127.0.0.1:``port`` until interrupted."""
    import threading

    with DemoServer(port=port) as server:
        print(f"demo feeds at {server.base} (Ctrl+C to stop):", flush=True)
        for _, _, fmt, path, _, comment in SOURCES:
            print(f"  {server.base}{path}  [{fmt}] {comment}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


def seed_follow_up(store: Any, tz: Any, site: Any = None) -> None:
    """Last week's coordination meeting, closed: attendance, discussion, two decisions, its
    items (done, due and overdue since); and the meeting under way now, open: attendance,
    a note and a decision taken on an incident and an agency as they stand."""
    from datetime import datetime, timedelta

    from cc_console.config import SiteConfig
    from cc_console.timefmt import utcnow

    now = utcnow()
    past = [
        m
        for m in store.agenda.between(now - timedelta(days=14), now)
        if m.uid == "rakor-mingguan@garutkab.go.id"
    ]
    if not past or store.followups.items():
        return
    meeting = past[-1]
    known = store.agencies.ids()

    def during(minutes: int) -> datetime:
        return meeting.start + timedelta(minutes=minutes)

    def day(offset: int) -> datetime:
        local = (now + timedelta(days=offset)).astimezone(tz)
        return local.replace(hour=23, minute=59, second=59, microsecond=0)

    present = [a for a in ("bpbd", "pupr", "dinsos", "dinkes", "disdukcapil") if a in known]
    store.meetings.attend(meeting, present, at=during(3))
    store.meetings.note(meeting, "Kepala Pelaksana BPBD: debit Sungai Cimanuk naik 60 cm dalam "
                        "dua hari; tiga desa di Tarogong Kidul tergenang.", at=during(10))  # fmt: skip
    store.meetings.note(meeting, "Dinas PUPR: dua alat berat siap, akses ke bantaran tertutup "
                        "lumpur di ruas Cimanuk hilir.", at=during(22))  # fmt: skip
    store.meetings.note(meeting, "Dinas Sosial: logistik posko cukup untuk tiga hari; data "
                        "pengungsi belum seragam antar posko.", at=during(31))  # fmt: skip
    f = store.followups
    f.decide(meeting, "Normalisasi saluran Sungai Cimanuk dimulai pekan ini.", at=during(45))
    f.decide(meeting, "Posko siaga banjir di Tarogong Kidul dibuka 24 jam.", at=during(52))
    done = f.add("Kirim alat berat ke bantaran Cimanuk", "pupr", day(-3), meeting=meeting,
                 at=during(55))  # fmt: skip
    f.add("Laporkan stok logistik posko pengungsian", "dinsos", day(-2), meeting=meeting,
          at=during(56))  # fmt: skip
    f.add("Verifikasi data warga terdampak banjir", "disdukcapil", day(3), meeting=meeting,
          at=during(57))  # fmt: skip
    f.add("Siapkan tenaga kesehatan di posko", "dinkes", day(1), meeting=meeting, at=during(58))
    site = site or SiteConfig(name="Command Center Kabupaten Garut", code="32.05", timezone=str(tz))
    closed_at = min(meeting.end or during(90), now)
    store.meetings.close(meeting, _builder(store, meeting, site), at=closed_at)
    f.close(done.id, "done", "Dua ekskavator tiba di lokasi.",
            at=min(closed_at + timedelta(days=2), now))  # fmt: skip
    seed_meeting_under_way(store, now, known)


def _builder(store: Any, meeting: Any, site: Any) -> Any:
    """The record of ``meeting`` as of its close (the store calls it inside the close)."""
    from cc_console import minutes as notulen
    from cc_console.timefmt import parse_iso

    def build(closed_at: str, closed_by: str) -> dict[str, Any]:
        at = parse_iso(closed_at)
        assert at is not None
        return notulen.record(store, meeting, site, at, closed_at=closed_at, closed_by=closed_by)

    return build


def seed_meeting_under_way(store: Any, now: Any, known: set[str]) -> None:
    """The meeting under way: open, with who is there, what was said, and a decision taken
    on the worst active incident and an agency, as they stand now."""
    from datetime import timedelta

    meeting = next(
        (m for m in store.agenda.between(now - timedelta(hours=2), now + timedelta(hours=1))
         if m.uid == "sekarang@garutkab.go.id"),
        None,
    )  # fmt: skip
    if meeting is None:
        return
    store.meetings.attend(meeting, [a for a in ("bpbd", "diskominfo", "dishub") if a in known])
    store.meetings.note(meeting, "Layar CC: laporan banjir dan longsor bertambah sejak pagi; "
                        "dua laporan belum ditugaskan.")  # fmt: skip
    worst = sorted(store.incidents.listing(), key=lambda i: (SEVERITY_ORDER.get(i.severity, 9),
                                                             i.reported_at))  # fmt: skip
    store.followups.decide(
        meeting,
        "TRC BPBD diterjunkan ke lokasi laporan terberat; Diskominfo menyiarkan peringatan.",
        incidents=[worst[0].id] if worst else [],
        agencies=[a for a in ("bpbd",) if a in known],
    )


SEVERITY_ORDER = {"extreme": 0, "severe": 1, "moderate": 2, "minor": 3}


def rakor_id(store: Any) -> str | None:
    """The id of last week's coordination meeting (the one the follow-up was seeded on)."""
    from datetime import timedelta

    from cc_console.timefmt import utcnow

    now = utcnow()
    past = [
        m
        for m in store.agenda.between(now - timedelta(days=14), now)
        if m.uid == "rakor-mingguan@garutkab.go.id"
    ]
    return past[-1].id if past else None


ARCHIVE = "arsip"  # the source name of the demo's past incidents (90 days, all closed)
CATEGORY_OWNER = {
    "flood": "bpbd", "landslide": "bpbd", "fire": "damkar", "health": "dinkes",
    "infrastructure": "pupr", "traffic": "dishub", "complaint": "disdukcapil",
    "weather": "bpbd", "earthquake": "bpbd", "security": "satpolpp", "other": "diskominfo",
}  # fmt: skip


def seed_history(store: Any, days: int = 90) -> None:
    """Ninety days behind the demo, so that kinerja tells a story on first start.

    Deterministic: each agency has a "discipline" (how fast it resolves, how
    often its items slip, how often its service fails), the same on every start.
    Written as an archive: resolved incidents of a source of their own (its
    first snapshot: no notifications), the agencies' past states into their
    history only, and closed action items.
    """
    import json
    import random
    from datetime import timedelta

    from cc_console.demo.world import kpi_value
    from cc_console.models import Agency, Incident, Kpi
    from cc_console.resources import data_dir
    from cc_console.store import PollRecord
    from cc_console.timefmt import utcnow

    now = utcnow()
    if store.sources.stored_records(ARCHIVE):
        return
    listed = store.agencies.listing()
    agencies = {a.id: a for a in listed if "›" not in a.name}
    services = [a for a in listed if "›" in a.name]  # a status only: no KPIs, no owner
    if not agencies:
        return
    rng = random.Random(90)
    kecamatan = [k[1] for k in json.loads(
        (data_dir() / "demo" / "kecamatan.json").read_text("utf-8"))["kecamatan"]]  # fmt: skip
    ids = sorted(agencies)
    discipline = {a: rng.uniform(0.35, 0.98) for a in ids}
    history: list[tuple[str, Agency]] = []
    for a in ids:
        agency, d = agencies[a], discipline[a]
        at = now - timedelta(days=days)
        while at < now - timedelta(hours=1):
            down = rng.random() > d + 0.05
            status = (
                rng.choice(("degraded", "partial_outage", "major_outage"))
                if down
                else "operational"
            )
            kpis = tuple(
                Kpi(k.name, kpi_value((k.target or 100) * rng.uniform(d - 0.15, d + 0.25), k.unit),
                    k.target, k.unit, k.higher_is_better)
                for k in agency.kpis
            )  # fmt: skip
            history.append(
                (agency.source, Agency(a, agency.name, status, kpis=kpis, updated_at=at))
            )
            at += timedelta(hours=rng.uniform(3, 10) if down else rng.uniform(24, 24 * 6))
    # The services' status over the same days (a chart of one dot taught nothing); their
    # own random stream, so that the agencies' story above stays what it was.
    steady = random.Random(91)
    for svc in services:
        at = now - timedelta(days=days)
        while at < now - timedelta(hours=1):
            down = steady.random() > 0.85
            status = steady.choice(("degraded", "partial_outage")) if down else "operational"
            history.append(
                (svc.source, Agency(svc.id, svc.name, status, kind=svc.kind, updated_at=at))
            )
            at += timedelta(hours=steady.uniform(2, 8) if down else steady.uniform(24, 24 * 5))
    store.agencies.add_history(history)
    owners = [o for o in CATEGORY_OWNER.values() if o in agencies] or ids
    incidents = []
    for n in range(days * 7):
        reported = now - timedelta(days=days) + timedelta(minutes=rng.uniform(0, days * 1440 - 600))
        category = rng.choice(list(CATEGORY_OWNER))
        owner = (
            CATEGORY_OWNER[category] if CATEGORY_OWNER[category] in agencies else rng.choice(owners)
        )
        hours = rng.expovariate(1 / (6 + 60 * (1 - discipline[owner])))
        resolved = min(reported + timedelta(hours=hours), now - timedelta(minutes=5))
        incidents.append(
            Incident(
                ARCHIVE, f"ARS-{n:05d}", f"Arsip {category} #{n}", category=category,
                severity=rng.choice(("severe", "moderate", "moderate", "minor")),
                status="resolved", area=f"Kec. {rng.choice(kecamatan)}",
                reported_at=reported, updated_at=resolved, assigned_to=owner,
            )
        )  # fmt: skip
    store.apply("incidents", PollRecord(ARCHIVE, now, ok=True, records=len(incidents)), incidents)
    f = store.followups
    for n in range(days // 2):
        owner = rng.choice(ids)
        due = now - timedelta(days=rng.uniform(1, days - 1))
        item = f.add(f"Tindak lanjut rapat #{n + 1}", owner, due, at=due - timedelta(days=5))
        late = rng.random() > discipline[owner]
        closed = due + timedelta(days=rng.uniform(0.5, 4) if late else -1)
        # Never after now: the journal (and the handover) showed a closing days ahead.
        f.close(item.id, "done", at=min(closed, now - timedelta(minutes=10)))


def seed_silence(store: Any) -> None:
    """Planned quiet: the world's earthquakes far away inform, they need not wake anyone."""
    from cc_console.timefmt import utcnow

    if not store.outbox.silences(utcnow()):
        store.outbox.silence(
            {"source": "usgs-gempa"}, 8 * 3600, "gempa luar wilayah: hanya informasi", utcnow()
        )


def refresh_once(cfg: Any, store: Any) -> list[Any]:
    """Every source of ``cfg`` read once (the demo's first refresh)."""
    from cc_console.poll import Refresher

    async def refresh() -> list[Any]:
        refresher = Refresher(cfg, store)
        try:
            return await refresher.refresh(list(cfg.sources))
        finally:
            await refresher.aclose()

    return asyncio.run(refresh())


def exit_if_failed(outcomes: list[Any]) -> None:
    """Name each source that failed on stderr and exit 1 (a demo that cannot read its
    own feeds is broken); nothing when all were read."""
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        sys.stderr.write(f"cc-console: demo source {o.name}: {o.error}\n")
    if failed:
        raise SystemExit(1)


def run_demo(state: object, *, tui: bool) -> None:
    """Run the demo end to end (the CLI's ``demo`` command)."""
    from cc_console.cli.state import State

    assert isinstance(state, State)
    with tempfile.TemporaryDirectory(prefix="cc-console-demo-") as tmp, DemoServer() as server:
        folder = Path(tmp)
        config_path = folder / "config.toml"
        config_path.write_text(demo_config_text(server.base, folder / "demo.db"), encoding="utf-8")
        state.config_path = config_path
        state.db_path = None
        cfg = state.config
        store = state.store()
        from cc_console.serve import Server, ServerThread

        public = Server(cfg, port=0)  # this site's public page, as `serve` publishes it
        published = ServerThread()
        published.start([public])
        try:
            # Say where the demo lives: to try a command on it from another terminal.
            sys.stderr.write(
                f"demo public page at {public.address}/ (the site as `cc-console serve` "
                "publishes it)\n"
                f"demo feeds at {server.base}\n"
                f"demo notifications at {server.base}{INBOX} (the route 'piket' posts there)\n"
                f"demo config {config_path} (try: cc-console --config {config_path} sla)\n"
                f"demo cache  {cfg.cache.path} (both are removed when the demo ends)\n"
            )
            sys.stderr.flush()

            outcomes = refresh_once(cfg, store)
            seed_follow_up(store, cfg.site.tz, cfg.site)
            from cc_console.demo.crisis import seed_crisis

            seed_crisis(store, rakor_id(store))
            seed_silence(store)
            seed_history(store)
            if not tui:
                from cc_console.cli import tables

                state.out.print(tables.refresh_table(outcomes, state.t))
                counts = (len(store.incidents.listing()), len(store.agencies.listing()))
                state.out.print(
                    f"{counts[0]} active incidents, {counts[1]} agencies; feeds at {server.base}"
                )
                exit_if_failed(outcomes)
                return
            from cc_console.app import run_console

            run_console(state)
        finally:
            published.close()
