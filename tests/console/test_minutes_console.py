"""The meeting record in the console: relative due times, the minutes (m, w), closing (c)."""

from __future__ import annotations

from datetime import UTC, datetime

from cc_console.screens.dialogs import ConfirmPrompt
from tests.console.conftest import until


async def test_the_due_prompt_reads_relative_times_and_asks_before_a_past_one(make_app, store):
    app = make_app()  # the console's clock: Saturday 5 Dec 2026, 11:00 WIB
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "j", "enter")
        await pilot.press("t", *"Kirim perahu karet", "enter", *"bpbd", "enter")
        await pilot.press(*"besok 09.00", "enter")
        assert await until(pilot, lambda: len(store.followups.items()) == 1)
        assert store.followups.items()[0].due == datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
        # Today's weekday at an hour gone by: asked first; Esc asks for the time again.
        await pilot.press("t", *"Laporan stok", "enter", *"dinkes", "enter")
        await pilot.press(*"sabtu 08:00", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmPrompt))
        assert "sudah lewat" in app.screen.question and "Sab 05 Des 2026 08:00 WIB" in (
            app.screen.question
        )
        await pilot.press("escape")
        assert await until(pilot, lambda: not isinstance(app.screen, ConfirmPrompt))
        assert len(store.followups.items()) == 1
        await pilot.press(*"sabtu 08:00", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmPrompt))
        await pilot.press("enter")
        assert await until(pilot, lambda: len(store.followups.items()) == 2)
        late = next(i for i in store.followups.items() if i.owner == "dinkes")
        assert late.due == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
        # A form that does not read is said in the console's language, and asked again.
        await pilot.press("t", *"Tugas", "enter", *"pupr", "enter", *"kemarin", "enter")
        assert await until(pilot, lambda: any("Waktu harus" in n.message
                                               for n in app._notifications))  # fmt: skip
        assert len(store.followups.items()) == 2
