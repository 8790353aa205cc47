"""The bare pipeline of target 1: httpx GET + json.loads + one executemany into an indexed table."""

from __future__ import annotations

import json
import sqlite3
import sys
import time

import httpx

url, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
doc = json.loads(httpx.get(url, timeout=120).content)
conn = sqlite3.connect(path)
conn.execute(
    "CREATE TABLE incidents (id TEXT PRIMARY KEY, title TEXT, category TEXT, severity TEXT, status TEXT,"
    " area TEXT, lat REAL, lon REAL, reported_at TEXT, updated_at TEXT, description TEXT)"
)
conn.execute("CREATE INDEX incidents_reported ON incidents(reported_at)")
with conn:
    conn.executemany(
        "INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i["id"],
                i["title"],
                i["category"],
                i["severity"],
                i["status"],
                i["area"],
                i["lat"],
                i["lon"],
                i["reported_at"],
                i["updated_at"],
                i["description"],
            )
            for i in doc["incidents"]
        ],
    )
print(time.perf_counter() - start)
