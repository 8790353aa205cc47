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
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cc_console.i18n import Translator
from cc_console.models import AGENCY_STATUSES, SEVERITY_RANK
from cc_console.store.outbox import GROUP_ORDER, Group, Message
from cc_console.text import clean_line
from cc_console.timefmt import parse_iso, utcnow

if TYPE_CHECKING:
    from cc_console.config import Config, NotifyRoute
    from cc_console.store import Store

__all__ = ["Delivery", "Notifier", "compose", "redact", "send", "url_problem"]

_KIND_KEY = {
    "incident.new": "new",
    "incident.severity": "severity",
    "incident.breach": "breach",
    "agency.down": "down",
    "source.failing": "failing",
    "action.overdue": "overdue",
    "event.opened": "event_opened",
    "event.impact": "event_impact",
    "event.status": "event_status",
    "event.status_expiring": "event_expiring",
}
_SHORT = 6  # a secret this long is masked wherever it appears
_send_lock = threading.Lock()  # Apprise's log capture is process-wide
# One round of sending per process at a time: two notifiers of one process
# share its lease holder name, so the lease alone would not keep them apart.
_delivering = threading.Lock()


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (longest first) replaced by ``***``.

    A short one (a chat id, a topic, a user: under six characters) only where it
    stands as a word of its own, so that "to" or "1" does not mask every word
    holding it; a long one wherever it appears.
    """
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _SHORT:
            text = text.replace(secret, "***")
        elif secret:
            text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", "***", text)
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


def compose(group: Group, t: Translator, config: Config) -> tuple[str, str]:
    """The title and plain-text body of the one message that tells a route's group.

    The title counts what the group holds ("3 kejadian baru (2 ekstrem, 1
    berat)"); the body lists the worst first, one line per incident (an
    incident past both its deadlines once): severity word, title, area, time
    in the site's zone and the incident id. Feed text is cleaned.
    """
    parts: list[str] = []
    for kind in GROUP_ORDER:
        counts: Counter[str] = Counter()
        for event, phase, severity, n in group.tally:
            if event == kind and phase != "clear":
                counts[severity] += n
        if not counts:
            continue
        text = t(f"msg.{_KIND_KEY[kind]}", n=sum(counts.values()))
        if kind.startswith("incident."):
            words = [
                f"{counts[s]} {t(f'severity.{s}')}"
                for s in sorted(counts, key=lambda s: SEVERITY_RANK.get(s, 4))
            ]
            text += f" ({', '.join(words)})"
        parts.append(text)
    clears = sum(n for _, phase, _, n in group.tally if phase == "clear")
    if clears:
        parts.append(t("msg.clear", n=clears))
    title = clean_line(f"{config.site.name}: {', '.join(parts)}", 200)
    lines = [_line(m, t, config.site.tz) for m in group.top]
    if group.listed > len(group.top):
        lines.append(t("msg.more", n=group.listed - len(group.top)))
    return title, "\n".join(lines)


def _line(m: Message, t: Translator, tz: object) -> str:
    """One thing of a message: what, how bad, where, when, which id."""
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
        # Without a summary from the feed the detail is the stored status: say it in words.
        detail = m.detail or ""
        if detail in AGENCY_STATUSES:
            detail = t.word("agency", detail)
        fields = [t("msg.tag.down"), title, clean_line(detail, 120), when]
    elif m.event == "source.failing":
        fields = [t("msg.tag.failing"), title, clean_line(m.detail or "", 160), when]
    elif m.event.startswith("event."):
        tag = t(f"msg.tag.{_KIND_KEY.get(m.event, 'event_opened')}")
        detail = clean_line(m.detail or "", 200)
        if m.event == "event.status_expiring":  # the detail is the status's end
            detail = t.when(parse_iso(m.detail), tz, year=False) or detail  # type: ignore[arg-type]
        fields = [tag, title, detail, when, m.target]
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
    dropped: int = 0  # unsent messages of routes removed from the config
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
        # The routes of a process do not change: what a removed route left unsent
        # is dropped once, at this process's first send pass.
        self._orphans_checked = False

    def warm(self) -> None:
        """Load Apprise and its service plugins now (about 0.2 s, once per process).

        Otherwise they load with the first message (a refresh with nothing to
        send never loads them); loading them in a thread beside a refresh's
        work gained nothing measurable (the import holds the interpreter).
        """
        import apprise

        _quiet_apprise()
        apprise.Apprise.instantiate("json://localhost")  # parsing a URL loads the plugins

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
        if not self._orphans_checked:
            self._orphans_checked = True
            done.dropped = await asyncio.to_thread(outbox.drop_removed)
        if not force and not await asyncio.to_thread(outbox.has_waiting):
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
            for group in await asyncio.to_thread(outbox.due_groups, now, force):
                if await asyncio.to_thread(outbox.acquire, self.holder, utcnow()) is not None:
                    break  # our lease lapsed while sending and another took it
                error = await self._send_group(self.routes.get(group.route), group)
                if error is None:
                    await asyncio.to_thread(outbox.mark_sent, group, utcnow())
                    done.sent += group.count
                    done.groups += 1
                else:
                    await asyncio.to_thread(outbox.mark_failed, group, utcnow(), error)
                    done.failed += group.count
                    done.errors = [*(done.errors or []), f"{group.route}: {error}"]
        finally:
            await asyncio.to_thread(outbox.release, self.holder)
        return done

    async def _send_group(self, route: NotifyRoute | None, group: Group) -> str | None:
        if route is None:
            return f"route {group.route} is no longer in the config"
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
