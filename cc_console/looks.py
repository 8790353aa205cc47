"""Symbols and styles of statuses, shared by the CLI tables and the console.

A status is always a word and a symbol; colour is only a third cue.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from cc_console.i18n import Translator
from cc_console.models import JournalEntry, SourceHealth
from cc_console.text import clean_line, clean_text
from cc_console.timefmt import due_words, parse_iso

if TYPE_CHECKING:
    from cc_console.store.outbox import Message

__all__ = [
    "AGENCY_LOOK",
    "SEVERITY_LOOK",
    "SPARK",
    "due_label",
    "due_label_width",
    "journal_note",
    "outbox_words",
    "sparkline_values",
]

# Symbols that read as the scale: filled triangles, an open one, a dot.
SEVERITY_LOOK: dict[str, tuple[str, str]] = {
    "extreme": ("▲▲", "bold red"),
    "severe": ("▲ ", "red"),
    "moderate": ("△ ", "yellow"),
    "minor": ("· ", "green"),
    "unknown": ("? ", "dim"),
}
AGENCY_LOOK: dict[str, tuple[str, str]] = {
    "operational": ("●", "green"),
    "degraded": ("◐", "yellow"),
    "partial_outage": ("◑", "dark_orange"),
    "major_outage": ("✖", "bold red"),
    "maintenance": ("◆", "blue"),
    "unknown": ("?", "dim"),
}
# Sparkline level per status: higher is healthier.
SPARK_LEVEL = {
    "major_outage": 0,
    "partial_outage": 2,
    "degraded": 4,
    "unknown": 3,
    "maintenance": 5,
    "operational": 7,
}
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(statuses: list[str]) -> str:
    """A one-line history of statuses, healthiest highest."""
    return "".join(SPARK[SPARK_LEVEL.get(s, 3)] for s in statuses)


OUTBOX_STYLE = {"pending": "yellow", "sent": "green", "failed": "bold red", "silenced": "dim",
                "dropped": "dim"}  # fmt: skip


def outbox_words(m: Message, t: Translator) -> tuple[Text, str]:
    """A message's state ("gagal ×3", styled) and its event in words ("lewat tenggat (ulang)")."""
    status = t.word("outbox", m.status)
    if m.attempts > 1 or m.status == "failed":
        status += f" ×{m.attempts}"
    event = t.word("event", m.event)
    if m.event == "incident.breach" and m.detail in ("acknowledge", "resolve"):
        # Which deadline: an acknowledge breach and a resolve breach of one incident are
        # two messages an operator must tell apart.
        event = t(f"event.breach.{m.detail}")
    if m.phase != "alert":
        event += f" ({t.word('phase', m.phase)})"
    return Text(status, style=OUTBOX_STYLE.get(m.status, "")), event


def sparkline_values(values: list[float | None], top: float = 100.0) -> str:
    """Scores (0..``top``) as a sparkline; a week without a score is a space."""
    last = len(SPARK) - 1
    return "".join(
        " " if v is None else SPARK[max(0, min(last, round(v / top * last)))] for v in values
    )


def health_status(h: SourceHealth, t: Translator) -> Text:
    """A source's state in words and a symbol: failing ×n, stale, never polled, OK."""
    if h.consecutive_failures and h.last_error:
        status = Text(f"✖ {t('outcome.failed')} ×{h.consecutive_failures}", style="bold red")
    elif h.stale:
        status = Text(f"⚠ {t('stale')}", style="yellow")
    elif h.last_success is None:
        status = Text(f"… {t('never')}", style="dim")
    else:
        status = Text(f"● {t('ok')}", style="green")
    if h.insecure:
        status.append(" ⚠ TLS OFF", style="bold red")
    return status


JOURNAL_COLUMNS = ("col.time", "col.operator", "col.action", "col.target", "col.note")


def journal_cells(e: JournalEntry, t: Translator, tz: tzinfo) -> tuple[Text, ...]:
    """One journal entry as the cells of ``JOURNAL_COLUMNS`` (CLI table and console screen)."""
    # Cleaned again here: a cache written by an older version may hold raw names.
    note = journal_note(e.action, clean_text(e.note or ""), t, tz)
    if e.agency:
        note = f"→ {clean_line(e.agency)}" + (f" · {note}" if note else "")
    return (
        Text(t.when(e.at, tz, day=False, year=False)),
        Text(clean_line(e.operator)),
        Text(t.word("action", e.action)),
        Text(clean_line(e.target)),
        Text(note),
    )


_DUE = re.compile(r" \(due (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\)$")
_FIGURE = re.compile(r"\b([a-z_]+)=(\d+)")
_SPAN = re.compile(r"^(.*); (.*); (\S*)\.\.(\S*)$")


def journal_note(action: str, note: str, t: Translator, tz: tzinfo) -> str:
    """A journal note as a person reads it: the stored words of the program in ``t``'s
    language, times in the site's zone; the operator's and the feeds' text as written.

    The journal keeps what was written (its entries are hash-chained, and
    ``journal --json`` shows them as stored); only their display changes:
    ``(due 2026-12-02T16:59:59Z)`` reads ``(tenggat Rab 02 Des 23:59 WIB)``,
    ``dead=1`` reads ``Meninggal 1``, ``flood: …`` reads ``banjir: …``.
    """
    if action == "action.add":
        found = _DUE.search(note)
        if found:
            when = t.when(parse_iso(found.group(1)), tz, year=False)
            note = f"{note[: found.start()]} ({t('journal.due', when=when)})"
    elif action == "event.open":
        category, sep, title = note.partition(": ")
        if sep:
            note = f"{t.word('category', category)}: {title}"
    elif action in ("event.link", "event.unlink"):
        kind, sep, target = note.partition(" ")
        if sep and kind in ("incident", "meeting"):
            note = f"{t(f'journal.link.{kind}')} {target}"
    elif action == "event.impact":
        figures, sep, source = note.rpartition("; source: ")
        if sep:
            where, _, given = figures.rpartition(": ")
            said = ", ".join(f"{t(f'figure.{k}')} {v}" for k, v in _FIGURE.findall(given))
            note = f"{where}: {said or given}; {t('journal.source', source=source)}"
    elif action == "event.status":
        found = _SPAN.match(note)
        if found:
            status, paper, start, until = found.groups()
            span = " – ".join(
                t.when(parse_iso(at), tz, year=False) if at else "…" for at in (start, until)
            )
            note = f"{t(f'crisis.status.{status}')}; {paper}; {span}"
    return note


def due_label(due: datetime | None, now: datetime, t: Translator) -> Text:
    """``⚠ late 1h 40m`` / ``◷ in 12m``: how far past or ahead ``due`` is, in words and a
    symbol (empty without a deadline). The one form of every deadline the UI shows."""
    words = due_words(due, now)
    if words is None:
        return Text("")
    late, length = words
    return Text(
        t("due.late" if late else "due.in", span=length), style="bold red" if late else "yellow"
    )


@functools.cache
def due_label_width(t: Translator) -> int:
    """Cells a deadline column needs in ``t``'s language (the longest two-unit label)."""
    return max(cell_len(t("due.late", span="23h 59m")), cell_len(t("due.in", span="23h 59m")))
