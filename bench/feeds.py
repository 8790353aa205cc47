"""Benchmark data and a small HTTP server for it (127.0.0.1 only)."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEC = [
    "Garut Kota",
    "Tarogong Kidul",
    "Cisewu",
    "Pameungpeuk",
    "Leles",
    "Cikajang",
    "Malangbong",
    "Bayongbong",
    "Cilawu",
    "Talegong",
    "Caringin",
    "Cibalong",
    "Karangpawitan",
    "Wanaraja",
]
WORDS = [
    "Banjir",
    "Longsor",
    "Kebakaran",
    "Aduan jalan rusak",
    "Pohon tumbang",
    "Listrik padam",
    "Kemacetan",
    "Gempa",
    "Pipa PDAM bocor",
    "Keracunan makanan",
]
CATS = [
    "flood",
    "landslide",
    "fire",
    "complaint",
    "weather",
    "infrastructure",
    "traffic",
    "earthquake",
    "complaint",
    "health",
]
SEV = ["extreme", "severe", "moderate", "minor", "unknown"]
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def incidents(n: int, prefix: str = "I", seed: int = 1) -> list[dict]:
    """``n`` native incident objects, newest first."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        w = rng.randrange(len(WORDS))
        kec = KEC[rng.randrange(len(KEC))]
        at = (NOW - timedelta(seconds=i * 37)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(
            {
                "id": f"{prefix}{i:07d}",
                "title": f"{WORDS[w]} di Kec. {kec} #{i}",
                "category": CATS[w],
                "severity": SEV[i % 5],
                "status": "open" if i % 3 else "acknowledged",
                "area": f"Kec. {kec}",
                "lat": round(-7.2 - rng.random() / 2, 4),
                "lon": round(107.5 + rng.random() / 2, 4),
                "reported_at": at,
                "updated_at": at,
                "description": f"Laporan warga nomor {i}.",
            }
        )
    return out


def live_incidents(n: int, now: datetime, prefix: str = "L", seed: int = 5) -> list[dict]:
    """``n`` open incidents of a busy regency, one every 97 s back from a minute before
    ``now`` (about 11 hours for 400): young ages and countdowns that move every minute."""
    out = incidents(n, prefix=prefix, seed=seed)
    for i, item in enumerate(out):
        at = (now - timedelta(seconds=60 + i * 97)).strftime("%Y-%m-%dT%H:%M:%SZ")
        item.update(reported_at=at, updated_at=at, status="open")
    return out


def native(items: list[dict]) -> bytes:
    return json.dumps(
        {
            "format": "cc-console/incidents",
            "version": 1,
            "generated_at": "2026-11-27T03:00:00Z",
            "incidents": items,
        }
    ).encode()


class BenchServer:
    """Routes of fixed bytes, optional ETag/304, optional delay."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, bool, float]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:
                body, etag, delay = server.routes.get(self.path, (b"", False, 0.0))
                if delay:
                    time.sleep(delay)
                tag = '"' + hashlib.sha1(body).hexdigest() + '"' if etag else None
                if tag and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if tag:
                    self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            request_queue_size = 512
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def route(self, path: str, body: bytes, *, etag: bool = True, delay: float = 0.0) -> str:
        self.routes[path] = (body, etag, delay)
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Inbox:
    """A notification receiver (what Apprise's json:// posts to): counts the messages."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                inbox.messages.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"json://127.0.0.1:{self.httpd.server_address[1]}/piket"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
