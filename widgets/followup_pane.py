"""The Tindak lanjut pane: open action items, the most overdue first.

Overdue in words and a symbol (⚠ lewat 2d), never colour alone; filtered with
``/`` by owner, text or meeting; Enter opens the item, ``x`` marks it done.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from cc_console.looks import due_label, due_label_width
from cc_console.store import ActionItem
from widgets.cells import fit
from widgets.context import ConsoleContext
from widgets.pane import Pane

__all__ = ["FollowUpPane", "FollowUpSource", "item_due_text"]

ID_W = 6
OWNER_W = 12


def item_due_text(item: ActionItem, ctx: ConsoleContext) -> Text:
    """``⚠ lewat 2d 3h`` / ``◷ 5h lagi``, or the status word once closed."""
    if item.status != "open":
        return Text(ctx.t.word("item", item.status), style="dim")
    return due_label(item.due, ctx.now(), ctx.t)


class FollowUpSource:
    """Open action items (tens or hundreds), filtered in SQL."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.text = ""
        self.rows: list[ActionItem] = []

    def count(self) -> int:
        self.rows = self.ctx.store.followups.items(open_only=True, text=self.text)
        return len(self.rows)

    def page(self, offset: int, limit: int) -> Sequence[ActionItem]:
        return self.rows[offset : offset + limit]

    def key(self, row: ActionItem) -> str:
        return row.id

    def locate(self, key: str, hint: int) -> int | None:
        for i, row in enumerate(self.rows):
            if row.id == key:
                return i
        return None

    def set_filter(self, text: str) -> None:
        self.text = text

    def status(self) -> str:
        late = sum(1 for r in self.rows if r.overdue(self.ctx.now()))
        return f"⚠ {late} {self.ctx.t('item.overdue')}" if late else ""

    def due_w(self) -> int:
        return due_label_width(self.ctx.t)

    def header(self, width: int) -> Text:
        t = self.ctx.t
        due_w = self.due_w()
        text_w = max(8, width - ID_W - OWNER_W - due_w - 4)
        return Text(
            " ".join(
                [
                    fit(t("col.id"), ID_W),
                    fit(t("col.due"), due_w),
                    fit(t("col.owner"), OWNER_W),
                    fit(t("col.text"), text_w),
                ]
            ),
            no_wrap=True,
        )

    def render(self, row: ActionItem, width: int) -> Text:
        due_w = self.due_w()
        text_w = max(8, width - ID_W - OWNER_W - due_w - 4)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(fit(row.id, ID_W), style="bold")
        line.append(" ")
        due = item_due_text(row, self.ctx)
        due.truncate(due_w, overflow="ellipsis", pad=True)
        line.append_text(due)
        line.append(" ")
        line.append(fit(row.owner, OWNER_W), style="cyan")
        line.append(" ")
        what = row.text.replace("\n", " ")
        if row.meeting_title:
            what += f" · {row.meeting_title}"
        line.append(fit(what, text_w))
        return line


class FollowUpPane(Pane):
    """Tindak lanjut: open action items of every meeting and incident."""

    def __init__(self, ctx: ConsoleContext, *, id: str | None = None) -> None:
        self.source = FollowUpSource(ctx)
        super().__init__(ctx, self.source, title_key="pane.actions", list_id="action-list", id=id)
