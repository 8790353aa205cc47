"""Sending the outbox: one message per route per group, through Apprise.

Apprise is the one library for every channel (Telegram, e-mail, Slack,
Matrix, WhatsApp and SMS gateways, plain JSON webhooks): no per-service
client is written here. A route's URLs may hold secrets (``urls_env``):
they are never printed, and every error Apprise reports is passed through
:func:`redact` with each URL's parts before it is stored or shown.

Only the holder of the cache's ``sender`` lease sends, so ten consoles and
a ``poll`` on one cache send each message once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cc_console.i18n import Translator
from cc_console.models import SEVERITY_RANK
from cc_console.text import clean_line
from cc_console.timefmt import parse_iso, utcnow

if TYPE_CHECKING:
    from cc_console.config import Config, NotifyRoute
    from cc_console.store import Message, Store

__all__ = ["Delivery", "Notifier", "compose", "redact", "send", "url_problem"]

MAX_LINES = 20  # a message lists the worst this many; the rest are counted
_KIND_ORDER = (
    "incident.breach",
    "incident.severity",
    "incident.new",
    "agency.down",
    "source.failing",
    "action.overdue",
)
_KIND_KEY = {
    "incident.new": "new",
    "incident.severity": "severity",
    "incident.breach": "breach",
    "agency.down": "down",
    "source.failing": "failing",
    "action.overdue": "overdue",
}
_send_lock = threading.Lock()  # Apprise's log capture is process-wide
# One round of sending per process at a time: two notifiers of one process
# share its lease holder name, so the lease alone would not keep them apart.
_delivering = threading.Lock()


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (longest first) replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


def _quiet_apprise() -> None:
    """Apprise logs to the root logger's last-resort handler otherwise: URLs could leak."""
    log = logging.getLogger("apprise")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.propagate = False


def url_problem(url: str) -> str | None:
    """Why Apprise cannot use ``url`` (without sending), or None. Never quotes it."""
    import apprise

    _quiet_apprise()
    scheme = url.partition("://")[0]
    if apprise.Apprise.instantiate(url) is None:
        return f"a {scheme}:// URL that Apprise cannot read (unknown service or missing parts)"
    return None


def send(urls: Sequence[str], title: str, body: str, secrets: Sequence[str]) -> str | None:
    """Send one plain-text message to every URL; None when all took it, else the error."""
    import apprise

    _quiet_apprise()
    if not urls:
        return "the route has no URLs"
    hub = apprise.Apprise()
    for n, url in enumerate(urls, 1):
        if not hub.add(url):
            return f"URL #{n} ({url.partition('://')[0]}://…) is not one Apprise can use"
    with _send_lock, apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        try:
            ok = bool(hub.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))
        except Exception as exc:  # a plugin's bug must not take the sender down
            ok, extra = False, f"{type(exc).__name__}: {exc}"
        else:
            extra = ""
        text = log.getvalue()
    if ok:
        return None
    error = " ".join(line.strip() for line in f"{text}\n{extra}".splitlines() if line.strip())
    return clean_line(redact(error or "not delivered", secrets), 400)


def compose(messages: Sequence[Message], t: Translator, config: Config) -> tuple[str, str]:
    """The title and plain-text body of one message for a group of outbox rows.

    The title counts what the group holds ("3 kejadian baru (2 ekstrem, 1
    berat)"); the body lists the worst first: severity word, title, area,
    time in the site's zone and the incident id. Feed text is cleaned.
    """
    tz = config.site.tz
    # One line per thing: an incident past both its deadlines is listed once
    # (the later breach), a repeat told twice in a group once.
    latest: dict[tuple[str, str, str], Message] = {}
    for m in sorted(messages, key=lambda m: m.id):
        latest[(m.event, m.target, m.phase)] = m
    messages = list(latest.values())
    alerts = [m for m in messages if m.phase != "clear"]
    clears = [m for m in messages if m.phase == "clear"]
    parts: list[str] = []
    for kind in _KIND_ORDER:
        some = [m for m in alerts if m.event == kind]
        if not some:
            continue
        text = t(f"msg.{_KIND_KEY[kind]}", n=len(some))
        if kind.startswith("incident."):
            counts = Counter(m.severity or "unknown" for m in some)
            words = [
                f"{counts[s]} {t(f'severity.{s}')}"
                for s in sorted(counts, key=lambda s: SEVERITY_RANK.get(s, 4))
            ]
            text += f" ({', '.join(words)})"
        parts.append(text)
    if clears:
        parts.append(t("msg.clear", n=len(clears)))
    title = clean_line(f"{config.site.name}: {', '.join(parts)}", 200)

    def order(m: Message) -> tuple[int, int, int, float]:
        kind = _KIND_ORDER.index(m.event) if m.event in _KIND_ORDER else 9
        return (m.phase == "clear", kind, SEVERITY_RANK.get(m.severity or "unknown", 4),
                -m.at.timestamp())  # fmt: skip

    ordered = sorted(messages, key=order)
    lines = [_line(m, t, tz) for m in ordered[:MAX_LINES]]
    if len(ordered) > MAX_LINES:
        lines.append(t("msg.more", n=len(ordered) - MAX_LINES))
    return title, "\n".join(lines)


def _line(m: Message, t: Translator, tz: object) -> str:
    when = t.when(m.at, tz, year=False)  # type: ignore[arg-type]
    title = clean_line(m.title, 120)
    if m.event.startswith("incident."):
        head = t(f"severity.{m.severity or 'unknown'}").upper()
        if m.event == "incident.breach":
            duty = t(f"msg.duty.{m.detail}") if m.detail in ("acknowledge", "resolve") else ""
            head = f"{t('msg.tag.breach', duty=duty)} · {head}"
        elif m.event == "incident.severity":
            head = f"{t('msg.tag.severity')} {head}"
        fields = [head, title, clean_line(m.area or "", 60), when, m.target]
    elif m.event == "agency.down":
        fields = [t("msg.tag.down"), title, clean_line(m.detail or "", 120), when]
    elif m.event == "source.failing":
        fields = [t("msg.tag.failing"), title, clean_line(m.detail or "", 160), when]
    else:
        due = t.when(parse_iso(m.detail), tz, year=False)  # type: ignore[arg-type]
        fields = [t("msg.tag.overdue"), m.target, title, clean_line(m.agency or "", 40), due]
    if m.phase == "repeat":
        fields[0] = f"{t('msg.tag.still')} {fields[0]}"
    elif m.phase == "clear":
        fields = [t("msg.tag.clear"), *fields[1:2], m.target if m.target != title else ""]
    return " · ".join(f for f in fields if f)


@dataclass(slots=True)
class Delivery:
    """What one round of sending did."""

    sent: int = 0  # messages (outbox rows) delivered
    failed: int = 0
    silenced: int = 0
    groups: int = 0  # messages sent out (one per route group)
    busy: str | None = None  # another process holds the lease
    errors: list[str] | None = None


class Notifier:
    """Sends the outbox of one store for one config (if this process may)."""

    def __init__(self, config: Config, store: Store, holder: str | None = None) -> None:
        from cc_console.store.outbox import me

        self.config = config
        self.store = store
        self.routes = {r.name: r for r in config.notify}
        self.holder = holder or me()
        self.t = Translator(config.site.language)

    @property
    def active(self) -> bool:
        """Whether this process sends at all: it has routes and may write."""
        return bool(self.routes) and not self.store.read_only

    async def deliver(self, force: bool = False, now: datetime | None = None) -> Delivery:
        """Send each route's group that is due (``force``: all waiting, ignoring backoff)."""
        done = Delivery()
        if not self.active:
            return done
        outbox = self.store.outbox
        if not force and not await asyncio.to_thread(outbox.waiting_count):
            return done
        if not _delivering.acquire(blocking=False):
            done.busy = "this process"
            return done
        try:
            return await self._deliver(done, force, now or utcnow())
        finally:
            _delivering.release()

    async def _deliver(self, done: Delivery, force: bool, now: datetime) -> Delivery:
        outbox = self.store.outbox
        busy = await asyncio.to_thread(outbox.acquire, self.holder, now)
        if busy is not None:
            done.busy = busy
            return done
        try:
            done.silenced = await asyncio.to_thread(outbox.apply_silences, now)
            for name, group in await asyncio.to_thread(outbox.due_groups, now, force):
                if await asyncio.to_thread(outbox.acquire, self.holder, utcnow()) is not None:
                    break  # our lease lapsed while sending and another took it
                error = await self._send_group(self.routes.get(name), name, group)
                if error is None:
                    await asyncio.to_thread(outbox.mark_sent, group, utcnow())
                    done.sent += len(group)
                    done.groups += 1
                else:
                    await asyncio.to_thread(outbox.mark_failed, group, utcnow(), error)
                    done.failed += len(group)
                    done.errors = [*(done.errors or []), f"{name}: {error}"]
        finally:
            await asyncio.to_thread(outbox.release, self.holder)
        return done

    async def _send_group(
        self, route: NotifyRoute | None, name: str, group: Sequence[Message]
    ) -> str | None:
        if route is None:
            return f"route {name} is no longer in the config"
        urls = route.all_urls()
        if not urls:
            return route.env_missing() or "the route has no URLs"
        title, body = compose(group, self.t, self.config)
        return await asyncio.to_thread(send, urls, title, body, route.secrets())

    async def test(self, route: NotifyRoute) -> str | None:
        """Send one test message on ``route`` now (not through the outbox); the error or None."""
        urls = route.all_urls()
        if not urls:
            return route.env_missing() or "the route has no URLs"
        title = clean_line(f"{self.config.site.name}: {self.t('msg.test.title')}", 200)
        body = self.t(
            "msg.test.body", route=route.name, when=self.t.when(utcnow(), self.config.site.tz)
        )
        return await asyncio.to_thread(send, urls, title, body, route.secrets())
