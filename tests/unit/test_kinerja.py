"""Agency performance on a hand-built cache whose answers are known."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cc_console.config import load_config
from cc_console.kinerja import compute
from cc_console.models import Agency, Incident, Kpi
from cc_console.store import PollRecord, Store
from cc_console.timefmt import parse_iso, utcnow
from tests.conftest import Result, write_config

END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
START = END - timedelta(days=7)
H = timedelta(hours=1)
D = timedelta(days=1)
RULE = '[[sla]]\nmatch = { severity = ["severe"] }\nresolve_within = "24h"\n'


def agencies(at: datetime, bpbd: str, kpis: tuple[Kpi, ...] = ()) -> list[Agency]:
    return [
        Agency("bpbd", "BPBD", bpbd, kpis=kpis, updated_at=at),
        Agency("pupr", "Dinas PUPR", "operational", updated_at=at),
        Agency("dinkes", "Dinas Kesehatan", "operational", updated_at=at),
    ]


def incident(ext: str, reported: datetime) -> Incident:
    return Incident(
        "bpbd", ext, f"Kejadian {ext}", severity="severe", reported_at=reported, updated_at=reported
    )


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Store]:
    cfg = write_config(
        tmp_path / "config.toml",
        [{"name": "opd", "kind": "agencies", "format": "native", "url": "http://127.0.0.1:9/o"}],
        RULE,
    )
    store = Store.for_config(load_config(cfg), operator="siti")
    met, missed = Kpi("Respon", 95, 90, "%"), Kpi("Posko", 3, 10)

    def opd(at: datetime, bpbd: str, kpis: tuple[Kpi, ...] = ()) -> None:
        store.apply("agencies", PollRecord("opd", at, ok=True), agencies(at, bpbd, kpis))

    # BPBD's service: up before the period, down for 12 hours inside it.
    opd(START - 3 * D, "operational", (met, missed))
    opd(START + D, "major_outage", (met, missed))
    opd(START + D + 12 * H, "operational", (met, missed))
    # After the period: a later change that must not count.
    opd(END + H, "major_outage", (met, met))

    a1, a2 = START + 2 * D, START + 3 * D
    a3, a4 = START + 4 * D, START + 5 * D
    rows = [incident("A1", a1), incident("A2", a2), incident("A3", a3), incident("A4", a4)]
    store.apply("incidents", PollRecord("bpbd", START, ok=True), rows)
    j = store.journal
    # A1: assigned an hour in, resolved four hours later: on time.
    j.act("assign", "bpbd:A1", agency="bpbd", at=a1 + H)
    j.act("resolve", "bpbd:A1", at=a1 + 5 * H)
    # A2: PUPR first, then BPBD (it counts for BPBD, from its assignment), resolved
    # 30 hours after the report: past its deadline, and the breach was recorded.
    j.act("assign", "bpbd:A2", agency="pupr", at=a2 + H)
    j.act("assign", "bpbd:A2", agency="bpbd", at=a2 + 3 * H)
    store.deadlines.check(a2 + 25 * H)
    j.act("resolve", "bpbd:A2", at=a2 + 30 * H)
    # A3: resolved without anyone assigned: the center's, no agency's.
    j.act("resolve", "bpbd:A3", at=a3 + 2 * H)
    # A4: assigned to BPBD, still open past its deadline at the end.
    j.act("assign", "bpbd:A4", agency="bpbd", at=a4 + H)
    store.deadlines.check(END)
    # Action items of BPBD due in the period: one done on time, one done late, one open.
    f = store.followups
    on_time = f.add("Kirim logistik", "bpbd", END - 2 * D, at=START)
    f.close(on_time.id, "done", at=END - 3 * D)
    late = f.add("Laporan posko", "bpbd", END - 2 * D, at=START)
    f.close(late.id, "done", at=END - D)
    f.add("Data pengungsi", "bpbd", END - D, at=START)
    f.add("Bukan periode ini", "bpbd", END + 2 * D, at=START)
    return cfg, store


def test_the_figures_of_each_agency_are_the_known_answers(built) -> None:
    _, store = built
    k = compute(store.kinerja, store.agencies.listing(), START, END, trend=False)
    by_id = {a.id: a for a in k.agencies}
    bpbd = by_id["bpbd"]
    assert (bpbd.assigned, bpbd.resolved, bpbd.resolved_on_time, bpbd.late_open) == (3, 2, 1, 1)
    assert bpbd.breaches == 2  # A2 (recorded before its resolution) and A4
    assert bpbd.median_resolve_s == pytest.approx((4 * 3600 + 27 * 3600) / 2)
    assert (bpbd.actions, bpbd.actions_done_on_time, bpbd.actions_overdue) == (3, 1, 2)
    assert (bpbd.kpis_met, bpbd.kpis_total) == (1, 2)  # as reported before the end
    assert bpbd.status_time["major_outage"] == pytest.approx(12 / 168)
    assert bpbd.status_time["operational"] == pytest.approx(156 / 168)
    # 40 x 1/3 + 25 x 1/3 + 20 x 1/2 (one of two KPIs met all along) + 15 x 156/168: the
    # four parts, each to a tenth, add up to the score.
    assert bpbd.kpi_share_met == pytest.approx(0.5)
    assert bpbd.points == {"resolution": 13.3, "items": 8.3, "kpis": 10.0, "service": 13.9}
    assert bpbd.score == 45.5 and bpbd.scored and bpbd.rank == 1
    pupr = by_id["pupr"]
    assert (pupr.assigned, pupr.resolved, pupr.breaches) == (0, 0, 0)  # reassigned away
    # Its service alone was up all along, but nothing it did was counted: no score, and
    # listed after the one that handled incidents (not above it at 100).
    assert (pupr.scored, pupr.score, pupr.rank) == (False, None, None)
    assert [a.id for a in k.agencies] == ["bpbd", "dinkes", "pupr"]  # ranked, then by name
    c = k.center
    assert (c.incidents, c.acknowledged, c.breaches) == (4, 3, 2)
    assert c.acknowledged_on_time == 3  # no acknowledge deadlines: all in time


def test_an_agency_with_nothing_to_measure_has_no_score_and_ranks_last() -> None:
    class Empty:  # a cache with nothing in it: every read answers no rows
        def __getattr__(self, name: str):
            return lambda *a, **k: []

    k = compute(Empty(), [Agency("x", "X"), Agency("a", "A")], START, END, trend=False)
    assert [a.score for a in k.agencies] == [None, None]
    assert [a.id for a in k.agencies] == ["a", "x"]


def test_status_shares_carry_the_status_in_force_across_the_period_start() -> None:
    class History:  # a cache holding two status changes of one agency, and nothing else
        def __getattr__(self, name: str):
            return lambda *a, **k: []

        def history(self, since, end):
            return [
                # before the period: in force at its start
                ("opd", "bpbd", "2026-11-01T00:00:00Z", "degraded", "[]"),
                ("opd", "bpbd", "2026-11-16T00:00:00Z", "operational", "[]"),
            ]

        def kpis(self, text):
            return ()

    (bpbd,) = compute(History(), [Agency("bpbd", "BPBD")], START, END, trend=False).agencies
    assert bpbd.status_time == pytest.approx({"degraded": 3 / 7, "operational": 4 / 7})


def test_report_json_is_what_the_module_computes(built, cli: Callable[..., Result]) -> None:
    cfg, store = built
    r = cli("--config", str(cfg), "report", "--days", "30", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    period = doc["period"]  # type: ignore[index]
    # The report reads the counts kept per day; counted from the incidents, they agree.
    again = compute(
        store.kinerja,
        store.agencies.listing(),
        parse_iso(period["from"]),  # type: ignore[arg-type]
        parse_iso(period["to"]),  # type: ignore[arg-type]
        tz=ZoneInfo("Asia/Jakarta"),
        previous=parse_iso(doc["previous_period"]["from"]),  # type: ignore[index]
    )
    assert again.as_json() == doc
    assert set(doc) == {  # type: ignore[arg-type]
        "period", "previous_period", "min_events", "center", "agencies",
        "incidents_by_category", "incidents_by_area", "overdue_items_by_owner",
    }  # fmt: skip
    # Open past due now: "Data pengungsi" and the one due after the period.
    assert doc["overdue_items_by_owner"] == [{"name": "bpbd", "count": 2}]  # type: ignore[index]
    row = next(a for a in doc["agencies"] if a["id"] == "bpbd")  # type: ignore[index]
    for key in ("assigned", "resolved", "resolved_on_time", "breaches", "median_resolve_s",
                "actions", "actions_done_on_time", "actions_overdue", "kpis_met", "kpis_total",
                "status_time", "score", "trend"):  # fmt: skip
        assert key in row
    assert len(row["trend"]) == 8
    md = cli("--config", str(cfg), "report", "--format", "md")
    assert md.code == 0 and md.out.startswith("# Evaluasi kinerja perangkat daerah")
    out = cfg.parent / "r.json"
    assert (
        cli("--config", str(cfg), "report", "--days", "30", "--json", "--out", str(out)).code == 0
    )
    assert json.loads(out.read_text())["period"]["from"] == doc["period"]["from"]  # type: ignore[index]
    assert cli("--config", str(cfg), "report", "--format", "pdf").code == 2


class _Tree(HTMLParser):
    """Tags as a stack: a mismatched or unclosed tag fails; text and attributes kept."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "col", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


EVIL = "<script>alert(1)</script>"


def evil_report(built, cli) -> str:
    cfg, store = built
    at = utcnow() - 2 * D
    store.apply(
        "incidents",
        PollRecord("bpbd", utcnow(), ok=True),
        [Incident("bpbd", "X", f"Banjir {EVIL}", area=f"Kec. {EVIL}", reported_at=at)],
    )
    store.apply(
        "agencies",
        PollRecord("opd", utcnow(), ok=True),
        [*agencies(utcnow(), "operational"), Agency("evil", f"Dinas {EVIL}", "degraded")],
    )
    r = cli("--config", str(cfg), "report", "--days", "30", "--format", "html")
    assert r.code == 0, r.err
    return r.out


def test_the_html_report_is_well_formed_self_contained_and_escapes_feed_text(
    built, cli: Callable[..., Result]
) -> None:
    page = evil_report(built, cli)
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert tree.errors == [] and tree.stack == []
    names = [tag for tag, _ in tree.tags]
    assert names[:2] == ["html", "head"] and "body" in names
    assert "script" not in names and "<script" not in page.lower().replace(
        "&lt;script", ""
    )  # only escaped
    for tag, attrs in tree.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value or value.startswith("#") or value.startswith("data:"), (tag, value)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    text = "".join(tree.text)
    assert f"Kec. {EVIL}" in text and f"Dinas {EVIL}" in text  # shown, as text
    assert names.count("svg") >= 3  # the ranking, the trends, the categories
    assert "Evaluasi kinerja perangkat daerah" in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium (.ci/run installs it)")
def test_a_real_browser_prints_the_report_on_sensible_pages(
    built, cli: Callable[..., Result], tmp_path: Path
) -> None:
    cfg, store = built
    day = utcnow() - D  # up for the last day: a score of 100 from the service alone
    many = [Agency(f"uji-{n:02d}", f"Dinas Uji {n:02d}", "operational") for n in range(60)]
    store.apply("agencies", PollRecord("opd", day, ok=True), [*agencies(day, "operational"), *many])
    for a in many:  # three items each, closed on time: enough to be scored (and at 100)
        for n in range(3):
            item = store.followups.add(f"Tugas {n}", a.id, utcnow() + D, at=day)
            store.followups.close(item.id, "done", at=day + H)
    page = tmp_path / "report.html"
    r = cli("--config", str(cfg), "report", "--days", "30", "--format", "html", "--out", str(page))
    assert r.code == 0, r.err
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert 2 <= pages <= 8
    # No ranking row split across pages: each agency's name and its score on one line.
    rows: dict[str, list[int]] = {}
    whole: dict[str, bool] = {}
    for p in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        for line in text.splitlines():
            for n in range(60):
                name = f"Dinas Uji {n:02d}"
                if name in line and "100.0" in line.split(name, 1)[1]:
                    rows.setdefault(name, []).append(p)
                    # The last column, time in service, is on the page (not cut at
                    # its right edge, where the printed table once ran past A4).
                    if line.lstrip()[:1].isdigit():  # the table's row (its rank), not the chart's
                        whole.setdefault(name, line.rstrip().endswith("100%"))
    assert len(rows) == 60 and all(len(v) >= 1 for v in rows.values())
    assert len(whole) == 60 and all(whole.values()), [n for n, ok in whole.items() if not ok]
    # The charts are drawn: the first page holds the green of the ranking's bars.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p-*.png"))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "raw")],
        check=True,
    )
    ppm = next(tmp_path.glob("raw-*.ppm")).read_bytes()
    assert png.stat().st_size > 1000
    header_end = ppm.index(b"255\n") + 4
    pixels = ppm[header_end:]
    green = sum(
        1
        for i in range(0, len(pixels) - 2, 3)
        if abs(pixels[i] - 0x3A) < 25
        and abs(pixels[i + 1] - 0x9A) < 25
        and abs(pixels[i + 2] - 0x4A) < 25
    )
    assert green > 500


def test_the_demo_has_ninety_days_that_tell_a_story_and_page_no_one(tmp_path) -> None:
    from cc_console.demo import DemoServer
    from cc_console.demo.session import seed_history
    from tests.conftest import demo_store

    with DemoServer(tick_seconds=3600) as server:
        store, refresh = demo_store(server, tmp_path)
        refresh()
        waiting = store.outbox.waiting_count()
        seed_history(store)
        seed_history(store)  # once: a second start of the same cache adds nothing
        end = utcnow()
        k = compute(store.kinerja, store.agencies.listing(), end - 30 * D, end)
        scored = [a for a in k.agencies if a.score is not None and a.assigned]
        assert len(scored) >= 8
        scores = [a.score for a in scored]
        assert max(scores) - min(scores) > 20  # some do well, some do not
        assert all(len([w for w in a.trend if w is not None]) >= 6 for a in scored)
        assert any(a.median_resolve_s for a in scored)
        assert store.outbox.waiting_count() == waiting  # the archive is not news
        store.close()
