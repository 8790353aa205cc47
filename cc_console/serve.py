"""``cc-console serve``: publish this site's cache as native feeds, for the province.

Another cc-console (the province's, or a neighbouring regency's) reads them
with ``format = "native"``.  Incidents: the active ones and any updated in the
last ``days`` days; agencies: all.  Each incident's published ``id`` is this
site's full id (``bpbd:LAP-1``), so ids of different local sources never
collide upstream.  Read-only: serving never writes the cache.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

from cc_console.export import agency_json, incident_json
from cc_console.http_publish import publishing_server
from cc_console.store import Store
from cc_console.timefmt import utcnow

__all__ = ["FeedPublisher"]


class FeedPublisher:
    """An HTTP server of ``/incidents.json`` and ``/agencies.json`` over one cache."""

    def __init__(
        self,
        cache: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        days: int = 7,
        idle_timeout: float = 10.0,
    ) -> None:
        self.cache = cache
        self.days = days
        self._local = threading.local()
        self.httpd = publishing_server(
            self._render, host, port, "cc-console", idle_timeout=idle_timeout
        )
        bound_host, bound_port = self.httpd.server_address[:2]
        self.address = f"http://{bound_host!s}:{bound_port}"

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.cache, read_only=True)
        return store

    def _render(self, path: str) -> tuple[bytes | None, str]:
        return self.document(path), "application/json; charset=utf-8"

    def document(self, path: str) -> bytes | None:
        """The bytes of a published feed, or None for an unknown path."""
        now = utcnow()
        if path == "/incidents.json":
            rows = self._store().incidents.for_publishing(now - timedelta(days=self.days))
            items = []
            for inc in rows:
                item = incident_json(inc)
                item["id"] = inc.id  # this site's full id is the external id upstream
                items.append(item)
            kind = "incidents"
        elif path == "/agencies.json":
            items = [agency_json(a) for a in self._store().agencies.listing()]
            kind = "agencies"
        else:
            return None
        doc: dict[str, object] = {"format": f"cc-console/{kind}", "version": 1}
        # generated_at follows the data, not the clock, so unchanged data keeps its
        # bytes and ETag and the reader gets a 304.
        stamps = [str(i["updated_at"]) for i in items if i.get("updated_at")]
        if stamps:
            doc["generated_at"] = max(stamps)
        doc[kind] = items
        return json.dumps(doc, ensure_ascii=False).encode()

    def serve_forever(self) -> None:
        """Serve until interrupted."""
        self.httpd.serve_forever()

    def close(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()
