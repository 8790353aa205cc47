"""Feed health, the journal, and the help overlay."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cc_console.keys import DEFAULT_KEYS
from cc_console.looks import JOURNAL_COLUMNS, health_status, journal_cells
from cc_console.screens.base import SubScreen
from cc_console.timefmt import age, local
from widgets.context import ConsoleContext
from widgets.key_bar import key_label

__all__ = ["HealthScreen", "HelpScreen", "JournalScreen"]


class _TableScreen(SubScreen):
    DEFAULT_CSS = """
    _TableScreen #table-title { height: 1; background: $boost; text-style: bold; padding: 0 1; }
    _TableScreen DataTable { height: 1fr; }
    """
    title_key = ""

    def body(self) -> ComposeResult:
        yield Static(Text(self.ctx.t(self.title_key)), id="table-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class HealthScreen(_TableScreen):
    """Every source: status, last success, last attempt, last error, age, next poll."""

    title_key = "screen.health"

    def reload(self) -> None:
        t, tz, now = self.ctx.t, self.ctx.tz, self.ctx.now()
        cfg = self.ctx.config
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key in (
            "col.source",
            "col.status",
            "col.last_success",
            "col.age",
            "col.last_attempt",
            "col.next_poll",
            "col.records",
            "col.error",
        ):
            table.add_column(t(key))
        for h in self.ctx.store.sources.health(cfg.sources, cfg.poll.stale_after, now):
            status = health_status(h, t)
            table.add_row(
                Text(h.name),
                status,
                Text(local(h.last_success, tz, "%d %b %H:%M:%S") or t("never")),
                Text(age(h.last_success, now)),
                Text(local(h.last_attempt, tz, "%H:%M:%S")),
                Text(local(h.next_attempt, tz, "%H:%M:%S")),
                Text(str(h.records)),
                Text(h.last_error or "", style="red"),
                key=h.name,
            )


class JournalScreen(_TableScreen):
    """The operator journal, newest first."""

    title_key = "screen.journal"

    def reload(self) -> None:
        t, tz = self.ctx.t, self.ctx.tz
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key in JOURNAL_COLUMNS:
            table.add_column(t(key))
        entries = self.ctx.store.journal.entries(limit=1000)
        if not entries:
            table.add_row(
                Text(t("empty.journal"), style="dim"), Text(""), Text(""), Text(""), Text("")
            )
        for e in reversed(entries):
            table.add_row(*journal_cells(e, t, tz), key=str(e.seq))


class HelpScreen(ModalScreen[None]):
    """Every key and what it does."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 64; max-width: 100%; height: auto; max-height: 100%;
                            border: thick $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, ctx: ConsoleContext, keys: dict[str, str]) -> None:
        super().__init__()
        self.ctx = ctx
        self.keys = keys

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        lines = Text(f"{t('screen.help')}\n", style="bold")
        for action in DEFAULT_KEYS:
            lines.append(
                f"{key_label(self.keys.get(action, DEFAULT_KEYS[action])):>8}  ", style="bold"
            )
            lines.append(f"{t(f'key.{action}')}\n")
        lines.append(f"{'Esc':>8}  ", style="bold")
        lines.append(f"{t('key.back')}\n")
        lines.append(f"{'↑ ↓ PgUp PgDn Home End':>8}", style="dim")
        with Vertical():
            yield Static(lines)
