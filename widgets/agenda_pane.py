"""The Agenda pane: today and the next 7 days in the site's zone, grouped by day.

The meeting under way is marked "now", the next one "next"; cancelled ones
are struck through and say so in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rich.text import Text

from cc_console.i18n import Translator
from cc_console.models import Meeting
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.pane import Pane

__all__ = ["AgendaPane", "AgendaRow"]


@dataclass(frozen=True)
class AgendaRow:
    """A day heading (``meeting`` None) or one meeting of that day."""

    day: date
    meeting: Meeting | None = None
    mark: str = ""  # "now" or "next"


def day_label(day: date, lang: str) -> str:
    """``Senin, 30 Nov 2026`` / ``Monday, 30 Nov 2026`` (names from the translator: the
    C locale's ``%b`` is English whatever the operator's language)."""
    return Translator(lang).long_day(day)


class AgendaSource:
    """Meetings of the window, with a heading row per day."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.text = ""
        self.rows: list[AgendaRow] = []

    def count(self) -> int:
        tz = self.ctx.tz
        now = self.ctx.now()
        today = now.astimezone(tz).date()
        start = datetime.combine(today, time(0), tzinfo=tz)
        meetings = self.ctx.store.agenda.between(start, start + timedelta(days=8), text=self.text)
        upcoming = [m for m in meetings if m.status != "cancelled" and m.start > now]
        nxt = upcoming[0].id if upcoming else None
        rows: list[AgendaRow] = []
        current: date | None = None
        for m in meetings:
            day = m.start_date if m.all_day and m.start_date else m.start.astimezone(tz).date()
            if day != current:
                rows.append(AgendaRow(day))
                current = day
            ongoing = (
                not m.all_day
                and m.status != "cancelled"
                and m.start <= now
                and (m.end or m.start + timedelta(hours=1)) > now
            )
            rows.append(AgendaRow(day, m, "now" if ongoing else ("next" if m.id == nxt else "")))
        self.rows = rows
        return len(rows)

    def page(self, offset: int, limit: int) -> Sequence[AgendaRow]:
        return self.rows[offset : offset + limit]

    def key(self, row: AgendaRow) -> str:
        return row.meeting.id if row.meeting else f"day:{row.day}"

    def locate(self, key: str, hint: int) -> int | None:
        for i, r in enumerate(self.rows):
            if self.key(r) == key:
                return i
        return None

    def set_filter(self, text: str) -> None:
        self.text = text

    def status(self) -> str:
        return ""

    def header(self, width: int) -> Text:
        t = self.ctx.t
        return Text(f"  {t('col.time'):<12} {t('col.title')} @ {t('col.location')}", no_wrap=True)

    def render(self, row: AgendaRow, width: int) -> Text:
        t = self.ctx.t
        if row.meeting is None:
            label = day_label(row.day, t.lang)
            if row.day == self.ctx.now().astimezone(self.ctx.tz).date():
                label = f"{label} · {t('today')}"
            return Text(label, style="bold underline", no_wrap=True)
        m = row.meeting
        tz = self.ctx.tz
        when = (
            t("all_day")
            if m.all_day
            else (
                f"{m.start.astimezone(tz):%H:%M}–{m.end.astimezone(tz):%H:%M}"
                if m.end
                else f"{m.start.astimezone(tz):%H:%M}"
            )
        )
        line = Text(no_wrap=True)
        mark = {"now": f"▶ {t('now')}", "next": f"→ {t('next')}"}.get(row.mark, "")
        line.append(f"  {fit(when, 12)} ")
        if mark:
            line.append(mark, style="reverse bold" if row.mark == "now" else "bold")
            line.append(" ")
        cancelled = m.status == "cancelled"
        line.append(
            m.title, style="strike dim" if cancelled else ("bold" if row.mark == "now" else "")
        )
        if cancelled or m.status == "tentative":
            line.append(f" ({t.word('meeting', m.status)})", style="italic")
        if m.location:
            line.append(f" @ {m.location}", style="dim")
        return line


class AgendaPane(Pane):
    """Meetings of today and the next 7 days."""

    def __init__(self, ctx: ConsoleContext, *, id: str | None = None) -> None:
        super().__init__(
            ctx, AgendaSource(ctx), title_key="pane.agenda", list_id="agenda-list", id=id
        )
