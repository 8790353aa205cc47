"""The alarm line above the panes: what is new and severe or past its deadline, unacknowledged,
and the emergency statuses about to end.

It names the count and the worst, in words and the ⚠ symbol (never colour
alone), and says which key opens the worst. It takes no room when nothing is
raised. The app computes the :class:`~cc_console.store.Alarm` and rings the bell.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from cc_console.looks import SEVERITY_LOOK
from cc_console.store import Alarm
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.key_bar import key_label

__all__ = ["AlarmLine", "alarm_text"]


def alarm_text(alarm: Alarm, ctx: ConsoleContext, width: int) -> Text:
    """The line for ``alarm`` in ``width`` cells: the worst keeps room, the key hint fits.

    The long wording is used where it leaves the worst's title 30 cells, a
    short one otherwise (80 columns over SSH).
    """
    t = ctx.t
    key = key_label(ctx.keys["alarm"])
    hint = f" [{t('alarm.key', k=key)}]" if width >= 100 else f" [{key}]"
    room = max(1, width - cell_len(hint) - 2)
    head = _head(alarm, ctx, short=False)
    if room - cell_len(head) < 30:
        head = _head(alarm, ctx, short=True)
    worst = t("alarm.open_items")
    if alarm.worst is None and alarm.expiring:
        e = alarm.expiring[0]
        worst = t("alarm.status_until", id=e.id, title=e.title,
                  status=t.word("crisis.status.short", e.status or ""),
                  when=t.when(e.status_until, ctx.tz, day=False, year=False)
                  if e.status_until else "–")  # fmt: skip
    if alarm.worst is not None:
        symbol = SEVERITY_LOOK.get(alarm.worst.severity, ("?", ""))[0].strip()
        worst = f"{symbol} {_where_kept(alarm.worst.title, alarm.worst.area, room - cell_len(head) - cell_len(symbol) - 1)}"
    line = Text(no_wrap=True, overflow="crop")
    line.append("⚠ ", style="bold")
    line.append(fit(head + worst, room).rstrip(), style="bold")
    line.append(hint)
    return line


def _where_kept(title: str, area: str | None, room: int) -> str:
    """``title`` in ``room`` cells, cut in its middle so that where it happened stays
    ("Banjir bandang menerjang… Kec. Cibatu"): the place is what the operator acts on."""
    area = (area or "").strip()
    if cell_len(title) <= room or not area or cell_len(area) + 8 > room:
        return title
    before, found, _ = title.rpartition(area)
    lead = before.rstrip(" ,-–·") if found else title
    return f"{fit(lead, room - cell_len(area) - 1)} {area}"


def _head(alarm: Alarm, ctx: ConsoleContext, *, short: bool) -> str:
    """``ALARM 3 · 1 new at or above severe · 2 past deadline — worst: `` (counts that are not 0)."""
    t = ctx.t
    tail = "_short" if short else ""
    parts = [t(f"alarm.head{tail}", count=alarm.count)]  # short: the parts say the count
    if alarm.new:
        severity = t.word("severity", ctx.config.alert.severity)
        parts.append(t(f"alarm.new{tail}", n=alarm.new, severity=severity))
    if alarm.breaches:
        parts.append(t(f"alarm.late{tail}", n=alarm.breaches))
    if alarm.items:
        parts.append(t(f"alarm.items{tail}", n=alarm.items))
    if alarm.expiring:
        parts.append(t(f"alarm.statuses{tail}", n=len(alarm.expiring)))
    return " · ".join(parts) + t(f"alarm.worst{tail}")


class AlarmLine(Widget):
    """One line, shown only while an alarm is raised."""

    DEFAULT_CSS = """
    AlarmLine { height: 1; background: $error; color: $text; display: none; }
    AlarmLine.-raised { display: block; }
    """

    # A repaint of one line when the alarm changes; the layout moves only when
    # the line appears or goes (its class below).
    alarm: reactive[Alarm | None] = reactive(None)

    class Mounted(Message):
        """Asks the app for the current alarm (a screen pushed later starts current)."""

        def __init__(self, line: AlarmLine) -> None:
            super().__init__()
            self.line = line

    def __init__(self, ctx: ConsoleContext) -> None:
        super().__init__(id="alarm-line")
        self.ctx = ctx

    def on_mount(self) -> None:
        self.post_message(self.Mounted(self))

    def watch_alarm(self, alarm: Alarm | None) -> None:
        self.set_class(bool(alarm and alarm.count), "-raised")

    def render(self) -> Text:
        if not self.alarm or not self.alarm.count:
            return Text("")
        return alarm_text(self.alarm, self.ctx, self.size.width)
