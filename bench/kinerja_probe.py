"""Run by run.py: kinerja's figures for the last N days against one bare query of the same
per-agency counts, in one process on the same file (interleaved, best of each)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

from cc_console.config import load_config
from cc_console.kinerja import compute, period
from cc_console.store import Store
from cc_console.timefmt import iso_z, utcnow

BARE = (
    "SELECT assigned_to, count(*), sum(status = 'resolved'), "
    "sum(status = 'resolved' AND (resolve_due IS NULL OR resolved_at <= resolve_due)), "
    "sum(breached IS NOT NULL) FROM incidents "
    "WHERE reported_at >= ? AND reported_at < ? AND assigned_to IS NOT NULL "
    "GROUP BY assigned_to"
)


def main(path: str, days: int) -> dict[str, float]:
    cfg = load_config(Path(path))
    store = Store(cfg.cache.path, read_only=True)
    bare = sqlite3.connect(cfg.cache.path)
    ours, bares, parts = [], [], {}
    for _ in range(3):
        now = utcnow()
        start, end = period(now, days, cfg.site.tz)
        began = time.perf_counter()
        k = compute(store.kinerja, store.agencies.listing(), start, end)
        ours.append(time.perf_counter() - began)
        began = time.perf_counter()
        rows = bare.execute(BARE, [iso_z(start), iso_z(end)]).fetchall()
        bares.append(time.perf_counter() - began)
        began = time.perf_counter()
        compute(store.kinerja, store.agencies.listing(), start, end, trend=False)
        parts["no_trend"] = min(parts.get("no_trend", 9e9), time.perf_counter() - began)
    assert len(rows) == len([a for a in k.agencies if a.assigned]), (len(rows), len(k.agencies))
    return {
        "ours": min(ours),
        "bare": min(bares),
        **parts,
        "span_days": (end - start) / timedelta(days=1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
