"""The values of a config that are not plain strings: durations, sizes, feed URLs.

Each parser refuses what it cannot use with a ValueError saying what is allowed;
the config loader adds the file and key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = [
    "EXPIRES",
    "FRESH",
    "GROUP_WAIT",
    "INTERVAL",
    "MAX_BYTES",
    "REPEAT",
    "SILENCE",
    "TIMEOUT",
    "bounded",
    "parse_duration",
    "parse_size",
    "parse_within",
    "url_problem",
]

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
_WITHIN_RE = re.compile(r"(\d+(?:\.\d+)?)(d|h|m|s)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_duration(value: object) -> float:
    """Parse ``"90s"``, ``"5m"``, ``"1h"`` (or a bare number of seconds) into seconds.

    Raises:
        ValueError: the value is not a positive duration.
    """
    if isinstance(value, bool):
        raise ValueError('expected a duration such as "90s", "5m" or "1h"')
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION_RE.match(value)):
        seconds = float(m.group(1)) * _DURATION_UNITS[m.group(2) or "s"]
    else:
        raise ValueError(f'expected a duration such as "90s", "5m" or "1h", got {value!r}')
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"a duration must be positive and finite, got {value!r}")
    return seconds


def parse_within(value: object) -> tuple[float, float]:
    """A deadline's length as ``(days, seconds)``: ``"15m"``, ``"24h"``, ``"3d"``, ``"1d4h"``.

    Days stay days: under a working clock a day is one working-hours span.

    Raises:
        ValueError: not such a length, or outside 1 minute .. 366 days.
    """
    text = value.strip().lower() if isinstance(value, str) else ""
    parts = _WITHIN_RE.findall(text)
    if not text or not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
        raise ValueError(f'expected a length such as "15m", "24h" or "3d", got {value!r}')
    days = sum(float(n) for n, u in parts if u == "d")
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in parts if u != "d")
    total = days * 86_400 + seconds
    if not 60 <= total <= 366 * 86_400:
        raise ValueError(f"must lie between 1m and 366d, got {value!r}")
    return days, seconds


def bounded(
    parse: Callable[[object], float], low: float, high: float, unit: str
) -> Callable[[object], float]:
    """``parse`` that also refuses values outside ``[low, high]`` (stated in ``unit``)."""

    def check(value: object) -> float:
        number = parse(value)
        if not low <= number <= high:
            raise ValueError(f"must lie between {low:g} and {high:g} {unit}, got {value!r}")
        return number

    return check


def parse_size(value: object) -> int:
    """Parse ``"20MB"``, ``"512KiB"`` (or a bare number of bytes) into bytes.

    Raises:
        ValueError: the value is not a positive size.
    """
    if isinstance(value, bool):
        raise ValueError('expected a size such as "20MB"')
    if isinstance(value, int):
        size = value
    elif isinstance(value, float) and math.isfinite(value):
        size = int(value)
    elif isinstance(value, str) and (m := _SIZE_RE.match(value)):
        size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
    else:
        raise ValueError(f'expected a size such as "20MB", got {value!r}')
    if size <= 0:
        raise ValueError(f"a size must be positive, got {value!r}")
    return size


# What each duration and size may be: a poll every millisecond hammers the
# feed, a timeout of a day holds a poller, a 100-million-hour interval overflows.
INTERVAL = bounded(parse_duration, 1, 7 * 86_400, "s")
TIMEOUT = bounded(parse_duration, 0.5, 600, "s")
MAX_BYTES = bounded(parse_size, 1_000, 2_000_000_000, "bytes")
# Notifications: a group waits at most an hour ("0s": each cycle sends what it
# has); a standing outage is repeated at most every minute, at least weekly; a
# silence ends within 90 days (never "forever": planned work ends).
REPEAT = bounded(parse_duration, 60, 7 * 86_400, "s")
SILENCE = bounded(parse_duration, 60, 90 * 86_400, "s")
# A CAP message expires 5 minutes to 30 days after it is sent.
EXPIRES = bounded(parse_duration, 300, 30 * 86_400, "s")


def FRESH(value: object) -> float:
    """``[alert] fresh``: 0 to 7 days ("0s": a source's first snapshot is all baseline)."""
    if value in (0, "0", "0s"):
        return 0.0
    return bounded(parse_duration, 0, 7 * 86_400, "s")(value)


def GROUP_WAIT(value: object) -> float:
    """``group_wait``: 0 to 1 hour ("0s" sends with the next cycle)."""
    if value in (0, "0", "0s"):
        return 0.0
    return bounded(parse_duration, 0, 3600, "s")(value)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched, or None (checked at load, not at the first fetch)."""
    if not url.isprintable() or any(c.isspace() for c in url):
        return "must not hold spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL with a host"
    return None
