"""Interface language: Bahasa Indonesia by default, English on request.

Strings live in ``data/i18n/<lang>.json``; a missing key falls back to English,
then to the key itself, so a gap shows up as a readable word, never a crash.
"""

from __future__ import annotations

import json
from datetime import date, datetime, tzinfo
from functools import cache
from typing import Any

from cc_console.resources import data_dir
from cc_console.timefmt import in_zone

__all__ = ["LANGUAGES", "Translator"]

LANGUAGES = ("id", "en")
_DAYS_ID = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# In full, for documents a person signs (minutes): "Kamis, 3 Desember 2026".
_LONG_DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_LONG_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


@cache
def _table(lang: str) -> dict[str, str]:
    path = data_dir() / "i18n" / f"{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Translator:
    """``t("key", name=...)`` in one language."""

    def __init__(self, lang: str = "id") -> None:
        self.lang = lang if lang in LANGUAGES else "id"
        self._own = _table(self.lang)
        self._en = _table("en")

    def __call__(self, key: str, **kwargs: Any) -> str:
        """The text of ``key`` filled with ``kwargs``.

        With ``n=1`` (or ``count=1``), the singular ``<key>.one`` where the
        language has one ("1 action item overdue"; Indonesian nouns do not change).
        """
        text = None
        if kwargs.get("n", kwargs.get("count")) == 1:
            text = self._own.get(f"{key}.one")
        text = text or self._own.get(key) or self._en.get(key) or key
        return text.format(**kwargs) if kwargs else text

    def when(
        self,
        dt: datetime | None,
        tz: tzinfo,
        *,
        day: bool = True,
        year: bool = True,
        seconds: bool = False,
        zone: bool = True,
    ) -> str:
        """``Sab 28 Nov 2026 01:25 WIB`` in this language (empty for None).

        Every date a person reads is made here: month and day names of the
        language (never the C locale's ``%b``), in the site's zone.
        """
        if dt is None:
            return ""
        local = in_zone(dt, tz)
        days = _DAYS_ID if self.lang == "id" else _DAYS_EN
        months = _MONTHS_ID if self.lang == "id" else _MONTHS_EN
        text = f"{local.day:02d} {months[local.month - 1]}"
        if year:
            text += f" {local.year}"
        text += f" {local:%H:%M:%S}" if seconds else f" {local:%H:%M}"
        if zone:
            text = f"{text} {local.tzname() or ''}".rstrip()
        return f"{days[local.weekday()]} {text}" if day else text

    def short(self, dt: datetime | None, tz: tzinfo) -> str:
        """``05 Des 11:00``: a time in a table cell (the zone is the site's, said once)."""
        return self.when(dt, tz, day=False, year=False, zone=False)

    def error(self, exc: BaseException, tz: tzinfo) -> str:
        """An error in this language: ``error.<key>`` with its facts, else its message.

        Facts that are times are shown in ``tz``; a ``status`` (incident) or
        ``item_status`` (action item) fact as its word.
        """
        key = getattr(exc, "key", None)
        template = key and (self._own.get(f"error.{key}") or self._en.get(f"error.{key}"))
        if not template:
            return str(exc)
        facts: dict[str, Any] = {}
        for name, value in getattr(exc, "facts", {}).items():
            if isinstance(value, datetime):
                value = self.when(value, tz)
            elif name in ("status", "item_status") and isinstance(value, str):
                value = self.word("status" if name == "status" else "item", value)
            facts[name] = value
        try:
            return template.format(**facts)
        except (KeyError, IndexError):  # a fact the raise site did not give: say it as raised
            return str(exc)

    def long_date(self, d: date) -> str:
        """The full day and date, as an official document writes it: ``Kamis, 3 Desember
        2026`` / ``Thursday, 3 December 2026``."""
        day = _LONG_DAYS[self.lang][d.weekday()]
        return f"{day}, {d.day} {_LONG_MONTHS[self.lang][d.month - 1]} {d.year}"

    def clock(self, dt: datetime, tz: tzinfo, *, zone: bool = True) -> str:
        """The time of day in ``tz``: ``09.00 WIB`` in Bahasa Indonesia (as Indonesian
        documents write it), ``09:00 WIB`` in English."""
        local = in_zone(dt, tz)
        text = f"{local:%H.%M}" if self.lang == "id" else f"{local:%H:%M}"
        return f"{text} {local.tzname() or ''}".rstrip() if zone else text

    def values_meaning(
        self, typed: str, vocabularies: dict[str, tuple[str, ...]]
    ) -> list[tuple[str, str]]:
        """Stored values whose shown word starts with ``typed``, in either language.

        ``vocabularies`` maps a prefix ("category") to its values; the result is
        (prefix, value) pairs: "banjir" and "flo" both give ("category", "flood").
        """
        folded = typed.casefold()
        found = []
        for prefix, values in vocabularies.items():
            for value in values:
                key = f"{prefix}.{value}"
                shown = {_table(lang).get(key, "") for lang in LANGUAGES}
                if any(part.casefold().startswith(folded) for w in shown for part in w.split()):
                    found.append((prefix, value))
        return found

    def day(self, d: date) -> str:
        """``Sab 28 Nov`` in this language."""
        days = _DAYS_ID if self.lang == "id" else _DAYS_EN
        months = _MONTHS_ID if self.lang == "id" else _MONTHS_EN
        return f"{days[d.weekday()]} {d.day:02d} {months[d.month - 1]}"

    def long_day(self, d: date) -> str:
        """``Senin, 30 Nov 2026`` in this language (a heading of the agenda)."""
        months = _MONTHS_ID if self.lang == "id" else _MONTHS_EN
        return f"{_LONG_DAYS[self.lang][d.weekday()]}, {d.day} {months[d.month - 1]} {d.year}"

    def word(self, prefix: str, value: str) -> str:
        """The translation of a vocabulary value, e.g. ``word("severity", "severe")``."""
        key = f"{prefix}.{value}"
        return self._own.get(key) or self._en.get(key) or value.replace("_", " ")
