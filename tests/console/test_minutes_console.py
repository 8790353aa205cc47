"""The meeting record in the console: relative due times, the minutes (m, w), closing (c)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cc_console.screens.dialogs import ConfirmPrompt, NotePrompt
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
        # Enter on an empty due field is said and asked again, not dropped silently.
        await pilot.press("t", *"Cek tanggul", "enter", *"pupr", "enter", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, NotePrompt))
        await pilot.press(*"lusa", "enter")
        assert await until(pilot, lambda: len(store.followups.items()) == 3)
        # A form that does not read is said in the console's language, and asked again.
        await pilot.press("t", *"Tugas", "enter", *"pupr", "enter", *"kemarin", "enter")
        assert await until(pilot, lambda: any("Waktu harus" in n.message
                                               for n in app._notifications))  # fmt: skip
        assert len(store.followups.items()) == 3


async def test_m_shows_the_minutes_w_saves_them_and_c_closes_after_asking(
    make_app, store, tmp_path, monkeypatch
):
    from cc_console import minutes as notulen
    from cc_console.screens.minutes import MinutesScreen

    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "j", "enter")
        meeting = app.screen.meeting_view.meeting
        store.meetings.note(meeting, "Debit Cimanuk naik")
        store.meetings.attend(meeting, ["bpbd", "pupr"])
        await pilot.press("d", *"Posko siaga dibuka", "enter")
        assert await until(pilot, lambda: len(store.followups.decisions(meeting.id)) == 1)
        await pilot.press("m")
        assert await until(pilot, lambda: isinstance(app.screen, MinutesScreen))
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Notulen Rapat" in shown and "Sabtu, 5 Desember 2026" in shown
        _, body = app.screen.minutes_view.render(app.ctx)  # the whole page, past the screen
        assert "Pimpinan rapat" in body.markup and "belum ditutup" in body.markup
        # c asks first; Esc leaves the meeting open.
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmPrompt))
        assert "Tutup rapat" in app.screen.question
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, MinutesScreen))
        assert store.meetings.closure(meeting.id) is None
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmPrompt))
        await pilot.press("enter")
        assert await until(pilot, lambda: store.meetings.closure(meeting.id) is not None)
        closure = store.meetings.closure(meeting.id)
        assert [e.action for e in store.journal.entries()][-1] == "meeting.close"
        assert store.journal.entries()[-1].note == f"sha256:{closure.hash}"
        assert await until(pilot, lambda: "ditutup" in app.screen.query_one("#detail-title")
                           .render().plain)  # fmt: skip
        # w saves the frozen minutes: the document the CLI prints, Markdown and HTML.
        await pilot.press("w")
        assert await until(pilot, lambda: len(list(tmp_path.glob("notulen-*"))) == 2)
        (md,) = tmp_path.glob("notulen-3205-20261205-0800.md")
        record = {**closure.record, "hash": closure.hash}
        assert md.read_text(encoding="utf-8") == notulen.markdown(record, app.ctx.t)
        assert "Halaman" in tmp_path.joinpath("notulen-3205-20261205-0800.html").read_text()
        # Back in the meeting's view: a closed meeting takes no more decisions (said in Bahasa).
        await pilot.press("escape", "d", *"Lagi", "enter")
        assert await until(pilot, lambda: any("sudah ditutup" in n.message
                                               for n in app._notifications))  # fmt: skip
        assert len(store.followups.decisions(meeting.id)) == 1
        await pilot.press("c")  # closing again: said, nothing asked
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmPrompt)


def _offered(app, words: str) -> bool:
    """Whether the command palette lists a command with ``words`` in its title."""
    commands = app.screen.query_one("CommandList")
    return any(
        words in commands.get_option_at_index(i).prompt.plain for i in range(commands.option_count)
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [("id", ("Notulen", "Tutup rapat")), ("en", ("Minutes", "Close the meeting"))],
)
async def test_the_minutes_keys_are_in_help_and_the_palette_in_both_languages(
    make_app, lang, words
):
    from textual.command import CommandPalette

    app = make_app(lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3", "j", "enter", "question_mark")
        shown = app.export_screenshot().replace("&#160;", " ")
        assert all(w in shown for w in words), (lang, words)
        await pilot.press("escape", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*words[1].split()[0].lower())
        assert await until(pilot, lambda: _offered(app, words[1]))


async def test_read_only_cannot_close(make_app, store):
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "j", "enter", "c")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmPrompt)
        assert any("hanya-baca" in n.message.lower() for n in app._notifications)
        assert store.meetings.closure(app.screen.meeting_view.meeting.id) is None
