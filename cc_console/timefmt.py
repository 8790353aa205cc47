"""Time helpers: everything is stored in UTC and shown in the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "WhenError",
    "age",
    "in_zone",
    "iso_z",
    "local",
    "parse_iso",
    "parse_when",
    "refuse_past",
    "utcnow",
]


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


_NAMED = ("%a", "%A", "%b", "%B", "%h", "%c", "%x", "%X", "%p")


def local(dt: datetime | None, tz: tzinfo, fmt: str = "%H:%M") -> str:
    """``dt`` in the site zone, formatted with numbers only; empty for None.

    Month and day names come from the translation (``Translator.when``): the
    C locale's ``%b`` says "Dec" to an Indonesian operator.

    Raises:
        ValueError: ``fmt`` asks for a name (``%b``, ``%a``, …).
    """
    if any(code in fmt for code in _NAMED):
        raise ValueError(f"{fmt!r} names a month or day: use Translator.when")
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


class WhenError(ValueError):
    """A WHEN that does not read, or lies in the past where that is refused.

    ``reason`` names the rule (translation key ``when.<reason>``: ``format``,
    ``range``, ``hours_time``, ``past``) and ``facts`` its values, so that each
    interface says it in its own language; the message says it in English.
    """

    def __init__(self, message: str, reason: str, **facts: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts


# Weekday names as people type them, both languages, full and as the console shows them.
WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("senin", "sen", "monday", "mon"), 0),
    **dict.fromkeys(("selasa", "sel", "tuesday", "tue"), 1),
    **dict.fromkeys(("rabu", "rab", "wednesday", "wed"), 2),
    **dict.fromkeys(("kamis", "kam", "thursday", "thu"), 3),
    **dict.fromkeys(("jumat", "jum'at", "jum", "friday", "fri"), 4),
    **dict.fromkeys(("sabtu", "sab", "saturday", "sat"), 5),
    **dict.fromkeys(("minggu", "ahad", "min", "sunday", "sun"), 6),
}
# Days counted from today (site time).
DAY_WORDS: dict[str, int] = {"hari ini": 0, "today": 0, "besok": 1, "tomorrow": 1, "lusa": 2}
_WHEN = re.compile(
    r"^(?P<day>.+?)(?:\s+(?:pukul\s+|jam\s+|at\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?$"
)
_OFFSET = re.compile(r"^\+(?P<n>\d{1,4})(?P<unit>[dh])$")
_FORMS = (
    'YYYY-MM-DD, "YYYY-MM-DD HH:MM", hari ini/today, besok/tomorrow, lusa, +Nd (days), '
    "+Nh (hours) or a weekday name, each with an optional HH:MM (site time)"
)


def parse_when(value: str, tz: tzinfo, now: datetime | None = None) -> datetime:
    """WHEN in the site zone ``tz``, as a time; ``now`` is the moment it is said at.

    ``YYYY-MM-DD`` or a day word alone is the end of that day (23:59:59);
    with ``HH:MM`` (or ``HH.MM``) that minute. The day words: ``hari ini``/``today``,
    ``besok``/``tomorrow``, ``lusa`` (the day after tomorrow), ``+Nd`` (N days from
    today), a weekday name in either language (the next such day, today included:
    ``kamis`` said on a Thursday is that Thursday, as GNU ``date`` reads it).
    ``+Nh`` is N hours from now (to the minute) and takes no time of day.
    Days are site days: at 00:30 WIB "besok" is the next WIB day, whatever UTC says.

    Raises:
        WhenError: not such a time, or outside 1970..2199 (the message says so).
    """
    text = " ".join(value.strip().casefold().split())
    match = _WHEN.match(text)
    if match is None:
        raise WhenError(f"WHEN must be {_FORMS}, not {value!r}", "format", value=value)
    day_text, hour, minute = match["day"], match["hour"], match["minute"]
    clock: time | None = None
    if hour is not None:
        if int(hour) > 23 or int(minute) > 59:
            raise WhenError(f"WHEN must be {_FORMS}, not {value!r}", "format", value=value)
        clock = time(int(hour), int(minute))
    moment = in_zone(now or utcnow(), tz)
    offset = _OFFSET.match(day_text)
    try:
        if offset is not None and offset["unit"] == "h":
            if clock is not None:
                raise WhenError(
                    f"+Nh is hours from now and takes no time of day, not {value!r}",
                    "hours_time",
                    value=value,
                )
            when = moment.replace(second=0) + timedelta(hours=int(offset["n"]))
        else:
            day = _day(day_text, moment.date(), offset)
            if day is None:
                raise WhenError(f"WHEN must be {_FORMS}, not {value!r}", "format", value=value)
            when = datetime.combine(day, clock or time(23, 59, 59), tz)
    except OverflowError:
        when = datetime.min.replace(tzinfo=tz)  # refused just below
    if not 1970 <= when.year <= 2199:
        raise WhenError(f"WHEN must lie between 1970 and 2199, not {value!r}", "range", value=value)
    return when


def _day(text: str, today: date, offset: re.Match[str] | None) -> date | None:
    """The site day a WHEN's day part names, or None when it names none."""
    if offset is not None:
        return today + timedelta(days=int(offset["n"]))
    if text in DAY_WORDS:
        return today + timedelta(days=DAY_WORDS[text])
    if text in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[text] - today.weekday()) % 7)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def refuse_past(when: datetime, now: datetime, value: str, tz: tzinfo) -> None:
    """Raise WhenError (``past``) when ``when`` lies before ``now``: a due time typed
    in the past is most often a slip (a wrong year, yesterday's weekday)."""
    if when < now:
        shown = in_zone(when, tz).strftime("%Y-%m-%d %H:%M %Z").strip()
        raise WhenError(
            f"WHEN {value!r} is in the past ({shown}); give a later time, "
            "or --allow-past to record it anyway",
            "past",
            value=value,
            when=shown,
        )
