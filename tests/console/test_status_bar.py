"""The top line tells apart one failing source from every source failing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cc_console.i18n import Translator
from cc_console.models import SourceHealth
from widgets.status_bar import health_text

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)


def health(
    name: str, *, failing: bool = False, stale: bool = False, insecure: bool = False
) -> SourceHealth:
    return SourceHealth(
        name=name, kind="incidents", format="native", url="http://x", last_attempt=NOW,
        last_success=NOW - timedelta(minutes=3), last_error="HTTP 503" if failing else None,
        consecutive_failures=2 if failing else 0, records=1, stale=stale, insecure=insecure,
    )  # fmt: skip


def test_all_healthy_one_failing_all_failing_stale_insecure():
    t = Translator("en")
    ok = health_text([health("a"), health("b")], NOW, t).plain
    assert ok.startswith("✓ feeds 2/2 OK") and "oldest data 3m" in ok
    one = health_text([health("a", failing=True), health("b")], NOW, t).plain
    assert one.startswith("⚠ feeds 1/2 OK · 1 failing")
    every = health_text([health("a", failing=True), health("b", failing=True)], NOW, t).plain
    assert "ALL FEEDS FAILING" in every and "our own network" in every
    stale = health_text([health("a", stale=True)], NOW, t).plain
    assert "STALE 1" in stale
    insecure = health_text([health("a", insecure=True)], NOW, t).plain
    assert "TLS verification OFF: a" in insecure
    assert health_text([], NOW, Translator("id")).plain == "belum ada umpan"
