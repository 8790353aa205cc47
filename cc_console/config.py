"""Configuration: ``config.toml`` parsed once, strictly, into frozen dataclasses.

Every mistake is a :class:`ConfigError` whose message names the file, the key
and (inside ``[[sources]]``) the source, so that an operator can fix it without
reading code.  See CONTRACT.md section 3.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from cc_console.actions import DEFAULT_KEYS, clashes, key_problem
from cc_console.config_values import (
    EXPIRES,
    FRESH,
    GROUP_WAIT,
    INTERVAL,
    MAX_BYTES,
    REPEAT,
    TIMEOUT,
    parse_duration,
    parse_size,
    parse_within,
    url_problem,
)
from cc_console.errors import ConfigError, SourceError
from cc_console.models import CATEGORIES, SEVERITIES, SITE_CODE_RE
from cc_console.sla import DAYS, MATCH_KEYS, Calendar, Match, Policy, Rule, Within
from cc_console.sources import formats
from cc_console.urls import redact

__all__ = [
    "KINDS",
    "AlertConfig",
    "CacheConfig",
    "Config",
    "KinerjaConfig",
    "NotifyRoute",
    "PollConfig",
    "PublicConfig",
    "SiteConfig",
    "SourceConfig",
    "default_config_path",
    "load_config",
    "parse_duration",
    "parse_size",
]

KINDS = ("incidents", "agencies", "agenda", "events")
LANGUAGES = ("id", "en")

_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")


@dataclass(frozen=True)
class SiteConfig:
    """The command center this console serves."""

    name: str = "Command Center"
    code: str = ""
    timezone: str = "Asia/Jakarta"
    language: str = "id"

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone; every displayed time is in it."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class AlertConfig:
    """What raises the console's alarm line (CONTRACT.md section 7)."""

    severity: str = "severe"  # a new incident at or above this
    bell: bool = True  # ring the terminal bell once per new alarm
    # A source's first snapshot is its baseline (its rolling window is not news),
    # except the incidents reported within this many seconds before it: those are.
    fresh: float = 3600.0

    @property
    def rank(self) -> int:
        """The severity's rank (lower is worse): incidents ranked at most this alarm."""
        return SEVERITIES.index(self.severity)


# What the public page shows unless [serve] public_categories says otherwise: hazards
# the public must know of, never complaints or security matters.
PUBLIC_CATEGORIES = ("earthquake", "flood", "landslide", "fire", "weather")


@dataclass(frozen=True)
class ServeConfig:
    """What ``serve`` publishes and to whom (CONTRACT.md section 11)."""

    tokens_env: str | None = None
    public_categories: tuple[str, ...] = PUBLIC_CATEGORIES
    # The absolute base of links in the Atom feeds and status.json (None: relative links).
    public_url: str | None = None

    def tokens(self) -> tuple[str, ...]:
        """The accepted bearer tokens (comma-separated in ``tokens_env``). Never log them."""
        raw = os.environ.get(self.tokens_env, "") if self.tokens_env else ""
        return tuple(t.strip() for t in raw.split(",") if t.strip())


@dataclass(frozen=True)
class PublicConfig:
    """What the public page and the public CAP feed tell citizens (``[public]``)."""

    emergency: tuple[str, ...] = ()  # numbers shown first on the page
    quake_hours: float = 24.0  # earthquakes older than this leave the page
    point_radius_km: float = 5.0  # CAP circle around a point when no shape is known
    # Seconds after ``sent`` each category's CAP message expires ("default": the rest).
    expires: Mapping[str, float] = field(default_factory=lambda: {"default": 12 * 3600.0})
    instructions: Mapping[str, str] = field(default_factory=dict)  # by category

    def expires_after(self, category: str) -> float:
        """Seconds after ``sent`` a CAP message of ``category`` expires."""
        return self.expires.get(category, self.expires.get("default", 12 * 3600.0))


@dataclass(frozen=True)
class KinerjaConfig:
    """How agencies are ranked: ``min_events`` is the fewest counted events (assigned
    incidents and action items) in the period for an agency to be scored at all."""

    min_events: int = 3


@dataclass(frozen=True)
class CacheConfig:
    """Where the SQLite cache lives.

    ``configured``: the config's own cache when ``--db`` points elsewhere; it is
    live too (the console reads it), so no output file may land on it either.
    """

    path: Path
    configured: Path | None = None


@dataclass(frozen=True)
class PollConfig:
    """Defaults shared by every poller."""

    interval: float = 60.0
    timeout: float = 10.0
    concurrency: int = 16
    max_bytes: int = 20_000_000
    stale_after: int = 3


@dataclass(frozen=True)
class SourceConfig:
    """One feed: where it is, what it carries and how often to read it."""

    name: str
    kind: str
    format: str
    url: str
    interval: float
    timeout: float
    max_bytes: int
    token_env: str | None = None
    enabled: bool = True
    insecure: bool = False
    # The site code a native feed must claim ("32.06"); None: the first code it claims.
    site: str | None = None

    @property
    def raw_token(self) -> str:
        """The value of ``token_env`` as set, unchecked ("" when unset). Never log it."""
        return os.environ.get(self.token_env, "") if self.token_env else ""

    def token(self) -> str | None:
        """The bearer token from the environment, or None.  Never log it.

        Raises:
            SourceError: the token holds control characters or spaces (a stray
                newline from a file): named by its variable, never shown.
        """
        token = self.raw_token
        if token and (not token.isprintable() or " " in token):
            raise SourceError(
                f"source {self.name}: the token in ${self.token_env} holds a control "
                "character or a space (a stray newline?); fix the variable"
            )
        return token or None

    def token_missing(self) -> str | None:
        """A warning when ``token_env`` names a variable that is not set, else None."""
        if self.token_env and not self.raw_token:
            return (
                f"token_env names ${self.token_env}, which is not set: "
                "the requests go out without a token"
            )
        return None


NOTIFY_EVENTS = (
    "incident.new",
    "incident.severity",
    "incident.breach",
    "agency.down",
    "source.failing",
    "action.overdue",
    "event.opened",
    "event.impact",
    "event.status",
    "event.status_expiring",
)
NOTIFY_MATCH_KEYS = (*MATCH_KEYS, "agency")


@dataclass(frozen=True)
class NotifyRoute:
    """One ``[[notify]]`` table: which events go where, grouped and repeated how.

    ``match`` narrows the incident events (and ``agency`` every event that has
    an agency: the incident's assignee, the agency that went down, an action
    item's owner); an event without the field matched on passes (an outage has
    no severity).
    """

    name: str
    events: tuple[str, ...]
    urls: tuple[str, ...] = ()
    urls_env: str | None = None
    match: Match = field(default_factory=Match)
    agency: tuple[str, ...] = ()
    group_wait: float = 30.0
    repeat: float | None = None

    def all_urls(self) -> tuple[str, ...]:
        """The inline URLs and those of ``urls_env`` (space-separated). Never print them."""
        extra = os.environ.get(self.urls_env, "").split() if self.urls_env else []
        return (*self.urls, *extra)

    def secrets(self) -> tuple[str, ...]:
        """Every URL and every part of it, whatever its length: what output must hide.

        Apprise's URLs carry their secrets anywhere (a bot token as the host, a
        chat id or a topic as the path, a user, a short PIN): every part of the
        host, user, password and path is one, and every value of the query
        (its keys are only option names).
        """
        out: set[str] = set()
        for url in self.all_urls():
            out.add(url)
            _, _, rest = url.partition("://")
            rest, _, query = rest.partition("?")
            out.update(re.split(r"[/:@#,]+", rest.partition("#")[0]))
            for pair in query.split("&"):
                out.update(pair.partition("=")[2].split(","))
        out.discard("")
        return tuple(sorted(out, key=len, reverse=True))

    def env_missing(self) -> str | None:
        """A warning when ``urls_env`` names a variable that is unset or empty, else None."""
        if self.urls_env and not os.environ.get(self.urls_env, "").strip():
            return f"route {self.name}: urls_env names ${self.urls_env}, which is not set"
        return None

    def as_json(self) -> dict[str, Any]:
        """The route without its URLs (for ``doctor --json`` and the console)."""
        return {
            "name": self.name,
            "events": list(self.events),
            "match": {
                **self.match.as_dict(),
                **({"agency": list(self.agency)} if self.agency else {}),
            },
            "group_wait": self.group_wait,
            "repeat": self.repeat,
            "urls": len(self.all_urls()),
            "urls_env": self.urls_env,
        }


@dataclass(frozen=True)
class Config:
    """The whole configuration, passed down from the CLI; never a global."""

    path: Path | None
    site: SiteConfig
    cache: CacheConfig
    poll: PollConfig
    sources: tuple[SourceConfig, ...] = ()
    keys: Mapping[str, str] = field(default_factory=dict)
    sla: Policy = field(default_factory=Policy)
    alert: AlertConfig = field(default_factory=AlertConfig)
    notify: tuple[NotifyRoute, ...] = ()
    serve: ServeConfig = field(default_factory=ServeConfig)
    public: PublicConfig = field(default_factory=PublicConfig)
    kinerja: KinerjaConfig = field(default_factory=KinerjaConfig)

    def route(self, name: str) -> NotifyRoute:
        """The ``[[notify]]`` route called ``name``.

        Raises:
            ConfigError: no route has that name.
        """
        return self._named(self.notify, name, "[[notify]] route")

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``.

        Raises:
            ConfigError: no source has that name.
        """
        return self._named(self.sources, name, "source")

    def _named(self, items: tuple[Any, ...], name: str, what: str) -> Any:
        for item in items:
            if item.name == name:
                return item
        known = ", ".join(i.name for i in items) or "none"
        raise ConfigError(f"{self.path}: no {what} named {name!r} (known: {known})")

    def with_cache_path(self, path: Path) -> Config:
        """A copy whose cache is at ``path`` (``--db`` / ``CC_CONSOLE_DB``)."""
        configured = self.cache.configured or self.cache.path
        return replace(self, cache=CacheConfig(path=path, configured=configured))


def default_config_path() -> Path | None:
    """``./config.toml``, else the platform config dir's ``config.toml``, else None."""
    here = Path("config.toml")
    if here.is_file():
        return here.resolve()
    user = Path(platformdirs.user_config_dir("cc-console")) / "config.toml"
    return user if user.is_file() else None


def default_cache_path() -> Path:
    """The platform data dir's ``cc-console.db``."""
    return Path(platformdirs.user_data_dir("cc-console")) / "cc-console.db"


def load_config(path: Path | None) -> Config:
    """Read and validate ``path`` (or the default search) into a :class:`Config`.

    With no file found, returns a config with no sources, so that read-only
    commands still work on an explicit ``--db``.

    Raises:
        ConfigError: unreadable file, bad TOML, unknown key or bad value.
    """
    if path is None:
        path = default_config_path()
        if path is None:
            return Config(
                path=None,
                site=SiteConfig(),
                cache=CacheConfig(default_cache_path()),
                poll=PollConfig(),
            )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM (Notepad) is fine
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _Parser(path.resolve()).config(raw)


def _hours(text: str) -> tuple[time, time] | None:
    """``"08:00-16:00"`` as (start, end), or None when it is not such a span."""
    m = re.fullmatch(r"\s*(\d\d):(\d\d)\s*-\s*(\d\d):(\d\d)\s*", text)
    try:
        span = (time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))) if m else None
    except ValueError:  # 25:00
        return None
    return span if span and span[0] < span[1] else None


class _Parser:
    """Turns the TOML mapping into dataclasses, naming file and key on error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {message}")

    def table(self, raw: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{key}]", "must be a table")
        self.no_unknown(value, allowed, f"[{key}]")
        return value

    def no_unknown(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                f"{where} key {unknown[0]!r}",
                f"unknown key (allowed: {', '.join(sorted(allowed))})",
            )

    def string(self, table: Mapping[str, Any], key: str, where: str, default: str | None) -> str:
        value = table.get(key, default)
        if value is None:
            raise self.fail(f"{where} key {key!r}", "is required")
        if not isinstance(value, str):
            raise self.fail(f"{where} key {key!r}", f"must be a string, got {value!r}")
        return value

    def convert(self, table: Mapping[str, Any], key: str, where: str, default: Any, fn: Any) -> Any:
        if key not in table:
            return default
        try:
            return fn(table[key])
        except ValueError as exc:
            raise self.fail(f"{where} key {key!r}", str(exc)) from None

    def boolean(self, table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where} key {key!r}", f"must be true or false, got {value!r}")
        return value

    def config(self, raw: dict[str, Any]) -> Config:
        self.no_unknown(
            raw,
            {
                "site",
                "cache",
                "poll",
                "sources",
                "keys",
                "sla",
                "alert",
                "notify",
                "serve",
                "public",
                "kinerja",
            },
            "top level",
        )
        site_raw = self.table(
            raw,
            "site",
            {"name", "code", "timezone", "language", "working_hours", "working_days"},
        )
        site = self.site(site_raw)
        cache = self.cache(self.table(raw, "cache", {"path"}))
        poll = self.poll(
            self.table(
                raw, "poll", {"interval", "timeout", "concurrency", "max_bytes", "stale_after"}
            )
        )
        sources_raw = raw.get("sources", [])
        if not isinstance(sources_raw, list):
            raise self.fail("[[sources]]", "must be an array of tables")
        sources = tuple(self.source(s, i, poll, site.code) for i, s in enumerate(sources_raw))
        seen: set[str] = set()
        for src in sources:
            if src.name in seen:
                raise self.fail(f"[[sources]] {src.name!r} key 'name'", "duplicate source name")
            seen.add(src.name)
        keys = raw.get("keys", {})
        if not isinstance(keys, dict):
            raise self.fail("[keys]", 'must map action names to keys, e.g. quit = "ctrl+q"')
        for action, key in keys.items():
            if action not in DEFAULT_KEYS:
                raise self.fail(
                    f"[keys] key {action!r}", f"unknown action (known: {', '.join(DEFAULT_KEYS)})"
                )
            if not isinstance(key, str) or not key.strip():
                raise self.fail(f"[keys] key {action!r}", 'must be a key name such as "ctrl+q"')
            problem = key_problem(key)
            if problem:
                raise self.fail(f"[keys] key {action!r}", problem)
        for key, first, second in clashes(keys):
            raise self.fail(
                f"[keys] key {second!r}",
                f"{key!r} is already the key of {first!r}; give one of them another key",
            )
        return Config(
            path=self.path,
            site=site,
            cache=cache,
            poll=poll,
            sources=sources,
            keys=keys,
            sla=Policy(self.sla_rules(raw.get("sla", [])), self.calendar(site, site_raw)),
            alert=self.alert(self.table(raw, "alert", {"severity", "bell", "fresh"})),
            notify=self.routes(raw.get("notify", [])),
            serve=self.serve(
                self.table(raw, "serve", {"tokens_env", "public_categories", "public_url"})
            ),
            public=self.public(
                self.table(
                    raw,
                    "public",
                    {"emergency", "quake_hours", "point_radius_km", "expires", "instructions"},
                )
            ),
            kinerja=self.kinerja(self.table(raw, "kinerja", {"min_events"})),
        )

    def kinerja(self, t: dict[str, Any]) -> KinerjaConfig:
        least = t.get("min_events", KinerjaConfig.min_events)
        if not isinstance(least, int) or isinstance(least, bool) or not 0 <= least <= 10_000:
            raise self.fail("[kinerja] key 'min_events'", "must be a whole number from 0 to 10000")
        return KinerjaConfig(least)

    def calendar(self, site: SiteConfig, t: dict[str, Any]) -> Calendar:
        where = "[site]"
        hours = self.string(t, "working_hours", where, "08:00-16:00")
        span = _hours(hours)
        if span is None:
            raise self.fail(
                f"{where} key 'working_hours'",
                f'expected "HH:MM-HH:MM", start before end (e.g. "08:00-16:00"), got {hours!r}',
            )
        days = t.get("working_days", ["mon", "tue", "wed", "thu", "fri"])
        if (
            not isinstance(days, list)
            or not days
            or any(d not in DAYS for d in days)
            or len(set(days)) != len(days)
        ):
            raise self.fail(
                f"{where} key 'working_days'",
                f"a list of distinct days among {', '.join(DAYS)}, got {days!r}",
            )
        return Calendar(site.timezone, *span, tuple(days))

    def sla_rules(self, raw: object) -> tuple[Rule, ...]:
        if not isinstance(raw, list):
            raise self.fail("[[sla]]", "must be an array of tables")
        return tuple(self.sla_rule(t, i) for i, t in enumerate(raw))

    def match(
        self, t: dict[str, Any], where: str, keys: tuple[str, ...]
    ) -> dict[str, tuple[str, ...]]:
        match = t.get("match", {})
        if not isinstance(match, dict):
            raise self.fail(
                f"{where} key 'match'", 'must be a table, e.g. { severity = ["extreme"] }'
            )
        self.no_unknown(match, set(keys), f"{where} match")
        known = {"severity": SEVERITIES}
        fields: dict[str, tuple[str, ...]] = {}
        for key, values in match.items():
            if isinstance(values, str):
                values = [values]
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, str) and v for v in values)
            ):
                raise self.fail(f"{where} match key {key!r}", "must be a list of names")
            wrong = [v for v in values if key in known and v not in known[key]]
            if wrong:
                raise self.fail(
                    f"{where} match key {key!r}",
                    f"unknown {key} {wrong[0]!r} (known: {', '.join(known[key])})",
                )
            fields[key] = tuple(values)
        return fields

    def sla_rule(self, t: object, index: int) -> Rule:
        where = f"[[sla]] #{index + 1}"
        if not isinstance(t, dict):
            raise self.fail(where, "must be a table")
        self.no_unknown(t, {"match", "acknowledge_within", "resolve_within", "clock"}, where)
        fields = self.match(t, where, MATCH_KEYS)
        clock = self.string(t, "clock", where, "always")
        if clock not in ("always", "working"):
            raise self.fail(f"{where} key 'clock'", f'must be "always" or "working", got {clock!r}')
        ack = self.convert(t, "acknowledge_within", where, None, parse_within)
        res = self.convert(t, "resolve_within", where, None, parse_within)
        if ack is None and res is None:
            raise self.fail(where, "needs acknowledge_within, resolve_within or both")
        return Rule(
            Match(**fields),
            Within(*ack) if ack else None,
            Within(*res) if res else None,
            clock,
        )

    def routes(self, raw: object) -> tuple[NotifyRoute, ...]:
        if not isinstance(raw, list):
            raise self.fail("[[notify]]", "must be an array of tables")
        routes = tuple(self.route(t, i) for i, t in enumerate(raw))
        names = [r.name for r in routes]
        for name in names:
            if names.count(name) > 1:
                raise self.fail(f"[[notify]] {name!r} key 'name'", "duplicate route name")
        return routes

    def route(self, t: object, index: int) -> NotifyRoute:
        if not isinstance(t, dict):
            raise self.fail(f"[[notify]] #{index + 1}", "must be a table")
        label = t.get("name")
        where = f"[[notify]] {label!r}" if isinstance(label, str) else f"[[notify]] #{index + 1}"
        allowed = {"name", "urls", "urls_env", "events", "match", "group_wait", "repeat"}
        self.no_unknown(t, allowed, where)
        name = self.string(t, "name", where, None)
        if not _NAME_RE.match(name):
            raise self.fail(f"{where} key 'name'", "use lowercase letters, digits and '-' only")
        events = t.get("events", [])
        if (
            not isinstance(events, list)
            or not all(isinstance(e, str) for e in events)
            or len(set(events)) != len(events)
        ):
            raise self.fail(f"{where} key 'events'", "must be a list of distinct event names")
        wrong = [e for e in events if e not in NOTIFY_EVENTS]
        if wrong:
            raise self.fail(
                f"{where} key 'events'",
                f"unknown event {wrong[0]!r} (known: {', '.join(NOTIFY_EVENTS)})",
            )
        urls = t.get("urls", [])
        if not isinstance(urls, list) or not all(isinstance(u, str) and u for u in urls):
            # (No URL is quoted: it may hold a token.)
            raise self.fail(f"{where} key 'urls'", "must be a list of Apprise URLs")
        if any("://" not in u or not u.isprintable() or " " in u for u in urls):
            raise self.fail(
                f"{where} key 'urls'", "each must be an Apprise URL such as tgram://TOKEN/CHAT"
            )
        urls_env = t.get("urls_env")
        if urls_env is not None and (
            not isinstance(urls_env, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", urls_env)
        ):
            raise self.fail(f"{where} key 'urls_env'", "must be an environment variable name")
        if not urls and urls_env is None:
            raise self.fail(where, "needs urls, urls_env or both")
        fields = self.match(t, where, NOTIFY_MATCH_KEYS)
        agency = fields.pop("agency", ())
        return NotifyRoute(
            name=name,
            events=tuple(events),
            urls=tuple(urls),
            urls_env=urls_env,
            match=Match(**fields),
            agency=agency,
            group_wait=self.convert(t, "group_wait", where, 30.0, GROUP_WAIT),
            repeat=self.convert(t, "repeat", where, None, REPEAT),
        )

    def serve(self, t: dict[str, Any]) -> ServeConfig:
        tokens_env = t.get("tokens_env")
        if tokens_env is not None and not isinstance(tokens_env, str):
            raise self.fail("[serve] key 'tokens_env'", f"must be a string, got {tokens_env!r}")
        if tokens_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", tokens_env):
            raise self.fail(
                "[serve] key 'tokens_env'",
                f'must name an environment variable such as "CC_SERVE_TOKENS", got {tokens_env!r}',
            )
        cats = t.get("public_categories", list(PUBLIC_CATEGORIES))
        if not isinstance(cats, list) or any(c not in CATEGORIES for c in cats):
            raise self.fail(
                "[serve] key 'public_categories'",
                f"a list among {', '.join(CATEGORIES)}, got {cats!r}",
            )
        public_url = t.get("public_url")
        if public_url is not None and (
            not isinstance(public_url, str)
            or not re.fullmatch(r"https?://[^\s/?#<>\"']+(/[^\s?#<>\"']*)?", public_url)
        ):
            raise self.fail(
                "[serve] key 'public_url'",
                f'must be an absolute http(s) address such as "https://cc.garutkab.go.id", '
                f"got {public_url!r}",
            )
        return ServeConfig(
            tokens_env,
            tuple(dict.fromkeys(cats)),
            public_url.rstrip("/") if public_url else None,
        )

    def public(self, t: dict[str, Any]) -> PublicConfig:
        where = "[public]"
        emergency = t.get("emergency", [])
        if not isinstance(emergency, list) or not all(
            isinstance(e, str) and e.strip() and len(e) <= 120 for e in emergency
        ):
            raise self.fail(
                f"{where} key 'emergency'",
                f'a list of numbers to call such as ["112", "BPBD (0262) 000000"], got {emergency!r}',
            )
        quake_hours = t.get("quake_hours", PublicConfig.quake_hours)
        if (
            isinstance(quake_hours, bool)
            or not isinstance(quake_hours, int | float)
            or not 1 <= quake_hours <= 24 * 30
        ):
            raise self.fail(
                f"{where} key 'quake_hours'",
                f"a number of hours from 1 to 720, got {quake_hours!r}",
            )
        radius = t.get("point_radius_km", PublicConfig.point_radius_km)
        if (
            isinstance(radius, bool)
            or not isinstance(radius, int | float)
            or not 0.1 <= radius <= 500
        ):
            raise self.fail(
                f"{where} key 'point_radius_km'",
                f"a number of kilometres from 0.1 to 500 (never 0: readers cannot show it), "
                f"got {radius!r}",
            )
        expires_raw = t.get("expires", {})
        if not isinstance(expires_raw, dict):
            raise self.fail(
                f"{where} key 'expires'", 'a table such as { default = "12h", flood = "24h" }'
            )
        expires = {"default": 12 * 3600.0}
        for key, value in expires_raw.items():
            if key != "default" and key not in CATEGORIES:
                raise self.fail(
                    f"{where} key 'expires'",
                    f"{key!r} is not a category (known: default, {', '.join(CATEGORIES)})",
                )
            try:
                expires[key] = EXPIRES(value)
            except ValueError as exc:
                raise self.fail(f"{where} key 'expires' {key!r}", str(exc)) from None
        instructions = t.get("instructions", {})
        if not isinstance(instructions, dict):
            raise self.fail(
                f"{where} key 'instructions'",
                'a table such as { flood = "Jauhi bantaran sungai." }',
            )
        for key, value in instructions.items():
            if key not in CATEGORIES:
                raise self.fail(
                    f"{where} key 'instructions'",
                    f"{key!r} is not a category (known: {', '.join(CATEGORIES)})",
                )
            if not isinstance(value, str) or not value.strip() or len(value) > 1000:
                raise self.fail(
                    f"{where} key 'instructions' {key!r}",
                    f"a text of 1 to 1000 characters, got {value!r}",
                )
        return PublicConfig(
            emergency=tuple(e.strip() for e in emergency),
            quake_hours=float(quake_hours),
            point_radius_km=float(radius),
            expires=expires,
            instructions={k: v.strip() for k, v in instructions.items()},
        )

    def alert(self, t: dict[str, Any]) -> AlertConfig:
        severity = self.string(t, "severity", "[alert]", AlertConfig.severity)
        if severity not in SEVERITIES:
            raise self.fail(
                "[alert] key 'severity'",
                f"must be one of {', '.join(SEVERITIES)}, got {severity!r}",
            )
        return AlertConfig(
            severity,
            self.boolean(t, "bell", "[alert]", AlertConfig.bell),
            self.convert(t, "fresh", "[alert]", AlertConfig.fresh, FRESH),
        )

    def site(self, t: dict[str, Any]) -> SiteConfig:
        site = SiteConfig(
            name=self.string(t, "name", "[site]", SiteConfig.name),
            code=self.string(t, "code", "[site]", SiteConfig.code),
            timezone=self.string(t, "timezone", "[site]", SiteConfig.timezone),
            language=self.string(t, "language", "[site]", SiteConfig.language),
        )
        try:
            ZoneInfo(site.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                "[site] key 'timezone'",
                f'unknown time zone {site.timezone!r} (e.g. "Asia/Jakarta")',
            ) from None
        if site.language not in LANGUAGES:
            raise self.fail("[site] key 'language'", f'must be "id" or "en", got {site.language!r}')
        return site

    def cache(self, t: dict[str, Any]) -> CacheConfig:
        if "path" not in t:
            return CacheConfig(default_cache_path())
        raw = Path(self.string(t, "path", "[cache]", None)).expanduser()
        return CacheConfig(raw if raw.is_absolute() else self.path.parent / raw)

    def poll(self, t: dict[str, Any]) -> PollConfig:
        d = PollConfig()
        concurrency = t.get("concurrency", d.concurrency)
        if (
            not isinstance(concurrency, int)
            or isinstance(concurrency, bool)
            or not 1 <= concurrency <= 256
        ):
            raise self.fail("[poll] key 'concurrency'", "must be a whole number from 1 to 256")
        stale_after = t.get("stale_after", d.stale_after)
        if (
            not isinstance(stale_after, int)
            or isinstance(stale_after, bool)
            or not 1 <= stale_after <= 1000
        ):
            raise self.fail("[poll] key 'stale_after'", "must be a whole number from 1 to 1000")
        return PollConfig(
            interval=self.convert(t, "interval", "[poll]", d.interval, INTERVAL),
            timeout=self.convert(t, "timeout", "[poll]", d.timeout, TIMEOUT),
            concurrency=concurrency,
            max_bytes=self.convert(t, "max_bytes", "[poll]", d.max_bytes, MAX_BYTES),
            stale_after=stale_after,
        )

    def source(self, t: object, index: int, poll: PollConfig, own: str = "") -> SourceConfig:
        if not isinstance(t, dict):
            raise self.fail(f"[[sources]] #{index + 1}", "must be a table")
        label = t.get("name")
        where = f"[[sources]] {label!r}" if isinstance(label, str) else f"[[sources]] #{index + 1}"
        allowed = {
            "name",
            "kind",
            "format",
            "url",
            "interval",
            "timeout",
            "max_bytes",
            "token_env",
            "enabled",
            "insecure",
            "site",
        }
        self.no_unknown(t, allowed, where)
        name = self.string(t, "name", where, None)
        if not _NAME_RE.match(name):
            raise self.fail(f"{where} key 'name'", "use lowercase letters, digits and '-' only")
        kind = self.string(t, "kind", where, None)
        if kind not in KINDS:
            raise self.fail(
                f"{where} key 'kind'", f"must be one of {', '.join(KINDS)}, got {kind!r}"
            )
        fmt = self.string(t, "format", where, None)
        known = formats()
        if fmt not in known:
            raise self.fail(
                f"{where} key 'format'", f"unknown format {fmt!r} (known: {', '.join(known)})"
            )
        if kind not in known[fmt].kinds:
            raise self.fail(
                f"{where} key 'format'",
                f"format {fmt!r} cannot feed kind {kind!r} "
                f"(it feeds {', '.join(known[fmt].kinds)})",
            )
        url = self.string(t, "url", where, None)
        problem = url_problem(url)
        if problem:
            raise self.fail(f"{where} key 'url'", f"{problem}, got {redact(url)!r}")
        token_env = t.get("token_env")
        if token_env is not None and (
            not isinstance(token_env, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", token_env)
        ):
            raise self.fail(f"{where} key 'token_env'", "must be an environment variable name")
        site = self.site_pin(t, where, fmt, own)
        return SourceConfig(
            name=name,
            kind=kind,
            format=fmt,
            url=url,
            interval=self.convert(t, "interval", where, poll.interval, INTERVAL),
            timeout=self.convert(t, "timeout", where, poll.timeout, TIMEOUT),
            max_bytes=self.convert(t, "max_bytes", where, poll.max_bytes, MAX_BYTES),
            token_env=token_env,
            enabled=self.boolean(t, "enabled", where, True),
            insecure=self.boolean(t, "insecure", where, False),
            site=site,
        )

    def site_pin(self, t: dict[str, Any], where: str, fmt: str, own: str) -> str | None:
        """A source's ``site``: the code its native feed must claim, never this site's own."""
        if "site" not in t:
            return None
        code = self.string(t, "site", where, None)
        if fmt != "native":
            raise self.fail(f"{where} key 'site'", 'only a format = "native" feed claims a site')
        if not SITE_CODE_RE.fullmatch(code):
            raise self.fail(
                f"{where} key 'site'", f'must be a site code such as "32.06", got {code!r}'
            )
        if own and code == own:
            raise self.fail(
                f"{where} key 'site'",
                f"{code!r} is this site's own code ([site] code); a feed read from "
                "another site has that site's code",
            )
        return code
