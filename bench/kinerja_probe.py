"""Run by run.py: kinerja's figures for the last N days against one bare query of the same
per-agency counts, in one process on the same file (interleaved, best of each).

Each of the cache's sources is read from its own regency (bench/run.py marks them), so
the figures are per (site, agency), from the counts kept per site day and source.

As a live site: before each timed report, 1,000 incidents arrive and 100 older ones
change (as a poller's minute would), so the report also brings its counts kept per
day up to date. The first keeping of the whole cache is timed apart (once per cache)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

from cc_console.config import load_config
from cc_console.kinerja import compute, fixed_offset, period
from cc_console.store import Store
from cc_console.timefmt import iso_z, utcnow

BARE = (
    "SELECT source, assigned_to, count(*), sum(status = 'resolved'), "
    "sum(status = 'resolved' AND (resolve_due IS NULL OR resolved_at <= resolve_due)), "
    "sum(breached IS NOT NULL) FROM incidents "
    "WHERE reported_at >= ? AND reported_at < ? AND assigned_to IS NOT NULL "
    "GROUP BY source, assigned_to"
)


def _a_minute_of_news(c: sqlite3.Connection, n: int) -> None:
    """1,000 new incidents (copies of recent ones, reported now) and 100 older changed."""
    now = iso_z(utcnow())
    c.execute(
        "INSERT INTO incidents(id, source, external_id, title, category, severity, "
        "severity_rank, status, feed_status, area, reported_at, updated_at, feed_hash, "
        "assigned_to) SELECT id || ':n' || ?1, source, external_id || ':n' || ?1, title, "
        "category, severity, severity_rank, status, feed_status, area, ?2, ?2, feed_hash, "
        "assigned_to FROM incidents ORDER BY seq DESC LIMIT 1000",
        [n, now],
    )
    c.execute(
        "UPDATE incidents SET status = 'resolved', resolved_at = ?1 WHERE seq IN "
        "(SELECT seq FROM incidents WHERE status = 'open' AND seq % 997 = ?2 LIMIT 100)",
        [now, n],
    )
    c.commit()


def main(path: str, days: int) -> dict[str, float]:
    cfg = load_config(Path(path))
    store = Store(cfg.cache.path)  # as `report` opens it: it keeps the counts up to date
    bare = sqlite3.connect(cfg.cache.path)
    ours, bares, parts = [], [], {}
    # Each source a regency's: counted per (site, agency), as the province's report does.
    sites = {source: code for source, (code, _) in store.sources.sites().items()}
    offset = fixed_offset(cfg.site.tz, utcnow())
    assert offset is not None
    began = time.perf_counter()
    store.kinerja.keep(offset)
    parts["first_keep"] = time.perf_counter() - began
    for n in range(3):
        _a_minute_of_news(bare, n)
        now = utcnow()
        start, end = period(now, days, cfg.site.tz)
        began = time.perf_counter()
        k = compute(store.kinerja, store.agencies.listing(), start, end, tz=cfg.site.tz,
                    current=True, sites=sites)  # fmt: skip
        ours.append(time.perf_counter() - began)
        began = time.perf_counter()
        rows = bare.execute(BARE, [iso_z(start), iso_z(end)]).fetchall()
        bares.append(time.perf_counter() - began)
        began = time.perf_counter()
        compute(store.kinerja, store.agencies.listing(), start, end, trend=False,
                tz=cfg.site.tz, current=True, sites=sites)  # fmt: skip
        parts["no_trend"] = min(parts.get("no_trend", 9e9), time.perf_counter() - began)
    began = time.perf_counter()
    compute(store.kinerja, store.agencies.listing(), start, end, tz=cfg.site.tz, sites=sites)
    parts["counted"] = time.perf_counter() - began  # every count read from the incidents
    assert len(rows) == len([a for a in k.agencies if a.assigned]), (len(rows), len(k.agencies))
    return {
        "ours": min(ours),
        "bare": min(bares),
        **parts,
        "span_days": (end - start) / timedelta(days=1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
