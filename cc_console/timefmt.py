"""Time helpers: everything is stored in UTC and shown in the site's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo

__all__ = ["age", "in_zone", "iso_z", "local", "parse_iso", "utcnow"]


def utcnow() -> datetime:
    """The current time, aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso_z(dt: datetime | None) -> str | None:
    """``2026-11-27T03:15:00Z`` (CONTRACT's JSON time format) or None."""
    if dt is None:
        return None
    if dt.tzinfo is not UTC:  # records are UTC already; this is the slow path
        dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    # %-formatting: the fastest way here (a large refresh formats two times per incident)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 - the fastest form here
        dt.year,
        dt.month,
        dt.day,
        dt.hour,
        dt.minute,
        dt.second,
    )


def parse_iso(text: str | None) -> datetime | None:
    """Parse an ISO 8601 time (``Z`` or offset); naive times are taken as UTC."""
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def in_zone(dt: datetime, tz: tzinfo) -> datetime:
    """``dt`` in ``tz``; left in UTC at the very ends of the calendar (year 1 or 9999).

    The refresher refuses such times, but a cache written by an older version
    may hold them, and showing them must not crash.
    """
    try:
        return dt.astimezone(tz)
    except OverflowError:
        return dt


def local(dt: datetime | None, tz: tzinfo, fmt: str = "%d %b %H:%M") -> str:
    """``dt`` in the site zone, formatted; empty for None."""
    if dt is None:
        return ""
    return in_zone(dt, tz).strftime(fmt)


def age(dt: datetime | None, now: datetime) -> str:
    """A compact age such as ``45s``, ``12m``, ``3h``, ``4d`` (``-`` for None)."""
    if dt is None:
        return "-"
    try:
        seconds = int((now - dt).total_seconds())
    except OverflowError:
        return "?"
    if seconds < 0:
        return "0s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def span(seconds: float) -> str:
    """A length in two units at most: ``12m``, ``1h 40m``, ``3d 4h`` (``0m`` under a minute)."""
    s = max(0, int(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            parts.append(f"{s // size}{unit}")
            s %= size
        if len(parts) == 2:
            break
        if parts and s < 60:
            break
    return " ".join(parts) or "0m"


def due_words(due: datetime | None, now: datetime) -> tuple[bool, str] | None:
    """``(late, "1h 40m")``: how far past or ahead a deadline is, or None when there is none."""
    if due is None:
        return None
    try:
        seconds = (now - due).total_seconds()
    except OverflowError:
        return None
    return (True, span(seconds)) if seconds >= 0 else (False, span(-seconds + 59))


def parse_when(value: str, tz: tzinfo) -> datetime:
    """``YYYY-MM-DD`` (the end of that day) or ``YYYY-MM-DD HH:MM``, in ``tz``.

    Raises:
        ValueError: not such a date, or outside 1970..2199 (the message says so).
    """
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            when = datetime.combine(day, time(23, 59, 59), tz)
        else:
            when = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    except ValueError:
        raise ValueError(
            f'WHEN must be "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (site time), not {value!r}'
        ) from None
    if not 1970 <= when.year <= 2199:
        raise ValueError(f"WHEN must lie between 1970 and 2199, not {value!r}")
    return when
