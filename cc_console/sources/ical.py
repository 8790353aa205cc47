"""iCalendar agendas (RFC 5545; Google and Outlook public ICS) expanded into occurrences.

``icalendar`` parses, ``x-wr-timezone`` turns a calendar-wide X-WR-TIMEZONE
into real zones, and ``recurring-ical-events`` expands RRULE/RDATE/EXDATE and
RECURRENCE-ID overrides (``skip_bad_series`` so one broken series does not
lose the calendar).  Expansion is bounded: a series that recurs more often
than hourly (no meeting does; a hostile ``FREQ=SECONDLY`` without end would
expand without limit) is skipped with a warning, series are expanded one at
a time up to :data:`MAX_OCCURRENCES` in all, and ``ctx.expired`` stops it
when the source's time is up.  Occurrences are read over a window around ``ctx.now``;
floating times are taken in the site's zone; all-day events keep their dates
(DTEND exclusive).  STATUS is kept, so cancelled meetings show as cancelled.

A meeting is named by its UID and, for an occurrence of a recurring series,
its RECURRENCE-ID (the original start): never by its current start, so a
meeting the calendar moves keeps its id (and its decisions).  Two events that
share a UID without being a series (a broken calendar) are told apart by
their start, with a warning.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from cc_console.models import Meeting
from cc_console.sources.base import ParseContext, Parsed, ParseError, clean_line, clean_text
from cc_console.timefmt import iso_z

FORMAT = "ical"
KINDS = ("agenda",)
PAST_DAYS = 31
FUTURE_DAYS = 186
MAX_OCCURRENCES = 20_000  # per feed, inside the window
MAX_PER_DAY = 24  # occurrences one series may have in a day
# Seconds in each step of RRULE frequency, to estimate a series' occurrences per day.
_PER_DAY = {"SECONDLY": 86_400, "MINUTELY": 1_440, "HOURLY": 24}
_STATUS = {"CONFIRMED": "confirmed", "TENTATIVE": "tentative", "CANCELLED": "cancelled"}


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a VCALENDAR into meeting occurrences around ``ctx.now``."""
    import icalendar
    import recurring_ical_events
    import x_wr_timezone

    if b"BEGIN:VCALENDAR" not in body[:4096].upper():
        raise ParseError("expected an iCalendar document (BEGIN:VCALENDAR)")
    try:
        cal = icalendar.Calendar.from_ical(body)
        cal = x_wr_timezone.to_standard(cal)
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise ParseError(f"not a valid iCalendar document ({str(exc)[:80]})") from None
    local_now = ctx.now.astimezone(ctx.tz)
    start = datetime.combine(local_now.date() - timedelta(days=PAST_DAYS), time(0), tzinfo=ctx.tz)
    end = datetime.combine(local_now.date() + timedelta(days=FUTURE_DAYS), time(0), tzinfo=ctx.tz)
    out = Parsed()
    try:
        query = recurring_ical_events.of(cal, skip_bad_series=True)
        series_list = list(query.series)
    except Exception as exc:
        raise ParseError(f"cannot expand the calendar ({str(exc)[:80]})") from None
    recurring = _series_uids(cal)
    occurrences: list[Any] = []
    for series in series_list:
        if ctx.expired():
            raise ParseError(
                f"expanding the calendar took longer than the source's timeout "
                f"({len(occurrences)} occurrences so far); last good agenda kept"
            )
        uid = str(getattr(series, "uid", "?"))[:60]
        per_day = _occurrences_per_day(series)
        if per_day > MAX_PER_DAY:
            out.warnings.append(
                f"event {uid!r} skipped: it recurs about {per_day} times a day "
                f"(at most {MAX_PER_DAY} are read)"
            )
            continue
        try:  # a generator: no more is expanded than is taken
            occurrences.extend(
                islice(series.between(start, end), MAX_OCCURRENCES + 1 - len(occurrences))
            )
        except Exception as exc:  # one broken series does not lose the calendar
            out.warnings.append(f"event {uid!r} skipped: cannot expand it ({str(exc)[:60]})")
            continue
        if len(occurrences) > MAX_OCCURRENCES:
            out.warnings.append(f"calendar has over {MAX_OCCURRENCES} occurrences in the window")
            break
    seen: set[str] = set()
    for occurrence in sorted(occurrences)[:MAX_OCCURRENCES]:
        event = occurrence.as_component(False)
        try:
            meeting = _occurrence(event, ctx, recurring)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            out.warnings.append(f"event {str(event.get('UID', '?'))[:60]!r} skipped: {exc}")
            continue
        if meeting.id in seen:  # a UID reused by unrelated events: their start tells them apart
            out.warnings.append(
                f"event {meeting.uid[:60]!r} shares its UID with another event; "
                "told apart by its start time"
            )
            meeting = replace(meeting, recurrence=_key(meeting.start_date or meeting.start))
            if meeting.id in seen:
                continue
        seen.add(meeting.id)
        out.meetings.append(meeting)
    return out


def _series_uids(cal: Any) -> set[str]:
    """UIDs of the recurring series: an event with RRULE, RDATE or RECURRENCE-ID."""
    return {
        clean_line(event.get("UID"), 200)
        for event in cal.walk("VEVENT")
        if any(event.get(key) is not None for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }


def _key(value: date | datetime) -> str:
    """An occurrence's key: the UTC time of a timed one, the date of an all-day one."""
    if isinstance(value, datetime):
        return iso_z(value if value.tzinfo else value.replace(tzinfo=UTC)) or ""
    return value.isoformat()


def _occurrences_per_day(series: Any) -> int:
    """How many occurrences a day the RRULEs of ``series`` make, at most (1 without rules)."""
    from icalendar import vRecur

    most = 1
    for component in series.components:
        for text in component.rrules:  # RRULE values as text
            rule = vRecur.from_ical(str(text))
            freq = str((rule.get("FREQ") or ["DAILY"])[0]).upper()
            count = _PER_DAY.get(freq, 1)
            for part, cap in (("BYHOUR", 24), ("BYMINUTE", 60), ("BYSECOND", 60)):
                values = rule.get(part)
                if values and (freq not in _PER_DAY or _PER_DAY[freq] <= 86_400 // cap):
                    count *= min(len(values), cap)
            most = max(most, count)
    return most


def _aware(value: datetime, ctx: ParseContext) -> datetime:
    if value.tzinfo is None:  # floating time: the site's wall clock
        value = value.replace(tzinfo=ctx.tz)
    return value.astimezone(UTC)


def _person(value: Any) -> str | None:
    if value is None:
        return None
    cn = getattr(value, "params", {}).get("CN")
    if cn:
        return clean_line(str(cn), 120)
    text = str(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return clean_line(text, 120) or None


def _occurrence(event: Any, ctx: ParseContext, recurring: set[str]) -> Meeting:
    uid = clean_line(event.get("UID"), 200)
    if not uid:
        raise ValueError("event without UID")
    recurrence = None
    if uid in recurring:  # the original start names the occurrence (the expander sets it)
        original = event.get("RECURRENCE-ID") or event.get("DTSTART")
        value = original.dt
        if isinstance(value, datetime):
            value = _aware(value, ctx)
        recurrence = _key(value)
    dtstart = event.get("DTSTART")
    if dtstart is None:
        raise ValueError("event without DTSTART")
    begin = dtstart.dt
    dtend = event.get("DTEND")
    finish = dtend.dt if dtend is not None else None
    if finish is None and event.get("DURATION") is not None:
        finish = begin + event.get("DURATION").dt
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    common: dict[str, Any] = {
        "source": ctx.source,
        "uid": uid,
        "title": clean_line(event.get("SUMMARY")) or "(tanpa judul)",
        "location": clean_line(event.get("LOCATION"), 200),
        "status": _STATUS.get(str(event.get("STATUS", "CONFIRMED")).upper(), "confirmed"),
        "organizer": _person(event.get("ORGANIZER")),
        "participants": tuple(p for p in (_person(a) for a in attendees[:200]) if p),
        "description": clean_text(event.get("DESCRIPTION"), 5000),
        "recurrence": recurrence,
    }
    if isinstance(begin, date) and not isinstance(begin, datetime):
        last = finish if isinstance(finish, date) and not isinstance(finish, datetime) else None
        if last is None or last <= begin:
            last = begin + timedelta(days=1)
        midnight = datetime.combine(begin, time(0), tzinfo=ctx.tz).astimezone(UTC)
        return Meeting(start=midnight, all_day=True, start_date=begin, end_date=last, **common)
    start = _aware(begin, ctx)
    end = _aware(finish, ctx) if isinstance(finish, datetime) else None
    if end is not None and end < start:
        end = None
    return Meeting(start=start, end=end, **common)
