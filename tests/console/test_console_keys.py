"""The console driven by real key presses (Pilot): every key of the issue."""

from __future__ import annotations

from cc_console.errors import ReadOnlyError
from cc_console.models import Incident
from cc_console.screens import (
    AgencyDetailScreen,
    HealthScreen,
    HelpScreen,
    IncidentDetailScreen,
    JournalScreen,
    MainScreen,
    MeetingDetailScreen,
)
from cc_console.store import PollRecord, Store
from tests.console.conftest import NOW, until


async def test_opens_on_incidents_and_switches_panes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        assert main.active == 1 and app.focused is main.incidents.list
        assert main.incidents.list.total == 39  # the cancelled one is not active
        assert main.incidents.list.selected.external_id == "LAP-000"  # newest first
        await pilot.press("1")
        assert main.active == 0 and app.focused is main.agencies.list
        assert main.agencies.list.selected.id == "pupr"  # worst first
        assert main.agencies.display and not main.incidents.display
        await pilot.press("3")
        assert main.active == 2 and main.agenda.list.total == 5  # 2 day headings + 3 meetings
        await pilot.press("2")
        assert main.active == 1


async def test_filter_as_you_type_enter_keeps_escape_clears(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.incidents
        await pilot.press("slash", *"cisewu")
        await until(pilot, lambda: pane.filter_text == "cisewu")
        assert pane.filter_text == "cisewu" and pane.list.total == 6
        assert all("Cisewu" in pane.list.row(i).area for i in range(pane.list.total))
        await pilot.press("enter")
        assert app.focused is pane.list and pane.filter_text == "cisewu"
        await pilot.press("down")
        assert pane.list.cursor == 1
        await pilot.press("escape")
        assert pane.filter_text == "" and pane.list.total == 39


async def test_enter_opens_details_and_escape_returns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        assert isinstance(app.screen, IncidentDetailScreen)
        assert app.screen.incident.external_id == "LAP-001"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and app.screen.incidents.list.cursor == 1
        await pilot.press("1", "enter")
        assert isinstance(app.screen, AgencyDetailScreen) and app.screen.agency_id == "pupr"
        await pilot.press("escape", "3", "down", "enter")
        assert isinstance(app.screen, MeetingDetailScreen) and app.screen.meeting_id.startswith(
            "rakor:rakor@garut"
        )


async def test_acknowledge_is_journaled_and_shown(make_app, store: Store):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.press(*"tim meluncur", "enter")
        await pilot.pause()
        (entry,) = store.journal.entries()
        assert (entry.action, entry.target, entry.operator, entry.note) == (
            "ack",
            "bpbd:LAP-000",
            "siti",
            "tim meluncur",
        )
        assert app.screen.incidents.list.selected.status == "acknowledged"


async def test_note_assign_resolve_from_the_detail_view(make_app, store: Store):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "n", *"air naik", "enter")
        await pilot.press("s", *"kesehatan", "enter")
        await pilot.press("r", "enter")
        await pilot.pause()
        assert [(e.action, e.note, e.agency) for e in store.journal.entries()] == [
            ("note", "air naik", None),
            ("assign", None, "dinkes"),
            ("resolve", None, None),
        ]
        inc = store.incidents.get("bpbd:LAP-000")
        assert inc.status == "resolved" and inc.assigned_to == "dinkes"
        timeline = [e.kind for e in store.incidents.timeline("bpbd:LAP-000")]
        assert timeline == ["note", "assign", "resolve"]
        await pilot.press("escape")
        assert app.screen.incidents.list.total == 38  # resolved leaves the active view


async def test_escape_cancels_a_prompt_without_writing(make_app, store: Store):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "escape", "n", "enter")  # an empty note is refused
        await pilot.pause()
        assert store.journal.entries() == []


async def test_read_only_console_refuses_and_says_why(make_app, store: Store):
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # no prompt opened
        assert any("hanya-baca" in n.message.lower() for n in app._notifications)
        assert store.journal.entries() == []
        try:
            app.ctx.store.journal.act("ack", "bpbd:LAP-000")
        except ReadOnlyError:
            pass
        else:
            raise AssertionError("the store must refuse too")


async def test_lists_help_pause_sort_all(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, HealthScreen)
        await pilot.press("escape", "J")
        assert isinstance(app.screen, JournalScreen)
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "p")
        assert app.paused
        await pilot.press("p")
        assert not app.paused
        pane = app.screen.incidents
        await pilot.press("o")
        assert pane.source.query.order == "severity" and pane.list.selected.severity == "extreme"
        await pilot.press("v")
        assert pane.list.total == 40


async def test_live_data_from_another_process_keeps_the_cursor(make_app, console_config):
    app = make_app(live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down")
        selected = app.screen.incidents.list.selected.id
        other = Store(console_config.cache.path)  # as `cc-console poll` would
        other.apply(
            "incidents",
            PollRecord("bpbd", NOW, ok=True),
            [
                Incident(
                    "bpbd",
                    "NEW-1",
                    "Banjir baru di Kec. Cibatu",
                    severity="severe",
                    reported_at=NOW,
                    updated_at=NOW,
                )
            ],
        )
        other.close()
        pane = app.screen.incidents
        for _ in range(40):
            await pilot.pause(0.05)
            if pane.list.total == 40:
                break
        assert pane.list.total == 40
        assert pane.list.selected.id == selected and pane.list.cursor == 3


async def test_keys_are_configurable(make_app, console_config):
    from dataclasses import replace

    app = make_app()
    app.keys["quit"] = "ctrl+q"
    app.ctx.config = replace(console_config, keys={"quit": "ctrl+q"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        assert app.is_running
        await pilot.press("ctrl+q")
        assert not app.is_running


async def test_command_palette_lists_the_actions(make_app):
    from textual.command import CommandPalette

    app = make_app(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"journal")
        await until(
            pilot,
            lambda: (
                "Journal" in app.screen.query_one("CommandList").get_option_at_index(0).prompt.plain
                if app.screen.query_one("CommandList").option_count
                else False
            ),
        )
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, JournalScreen))
        assert isinstance(app.screen, JournalScreen)


async def test_ctrl_r_refreshes_now(tmp_path, feeds):
    from cc_console.app import CcConsoleApp
    from cc_console.config import load_config
    from tests.conftest import incident, incidents_doc, write_config

    feeds.route("/inc.json", incidents_doc(incident("NOW-1", "Banjir bandang di Kec. Cibatu")))
    cfg = load_config(
        write_config(
            tmp_path / "live.toml",
            [
                {
                    "name": "bpbd",
                    "kind": "incidents",
                    "format": "native",
                    "url": feeds.url("/inc.json"),
                }
            ],
        )
    )
    store = Store(cfg.cache.path)
    app = CcConsoleApp(cfg, store, clock=lambda: NOW, live=True)  # no poll workers: ctrl+r does it
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.incidents
        assert pane.list.total == 0 and not feeds.hits("/inc.json")
        await pilot.press("ctrl+r")
        assert await until(pilot, lambda: pane.list.total == 1)
        assert pane.list.selected.title == "Banjir bandang di Kec. Cibatu"
    store.close()


async def test_ages_move_with_the_clock_without_new_data(console_config, store):
    from datetime import timedelta

    from cc_console.app import CcConsoleApp

    now = [NOW]
    app = CcConsoleApp(console_config, store, clock=lambda: now[0], live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.screen.incidents.list
        await pilot.pause()
        assert lst.render_line(0).text.rstrip().endswith("5m")
        now[0] = NOW + timedelta(hours=2)
        app.screen.tick()
        await pilot.pause()
        assert lst.render_line(0).text.rstrip().endswith("2h")


async def test_actions_that_do_not_apply_say_why_and_reopen_is_journaled(make_app, store):
    from textual.widgets import Label

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = app.screen.incidents.list.selected
        await pilot.press("r")
        assert target.title in str(app.screen.query_one(Label).render())  # named, not only its id
        await pilot.press("enter")
        assert await until(pilot, lambda: store.incidents.get(target.id).status == "resolved")
        await pilot.press("v")  # every incident: the resolved one is first again
        assert await until(pilot, lambda: app.screen.incidents.list.selected.id == target.id)
        await pilot.press("a")
        notes = [n.message for n in app._notifications]
        assert any("sudah selesai" in m and target.title in m for m in notes), notes
        assert [e.action for e in store.journal.entries()] == ["resolve"]
        await pilot.press("u", "enter")
        assert await until(pilot, lambda: store.incidents.get(target.id).status == "open")
        assert [e.action for e in store.journal.entries()] == ["resolve", "reopen"]


async def test_vi_moves_and_q_closes_a_view_not_the_console(make_app):
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.screen.incidents.list
        await pilot.press("j", "j", "k")
        assert lst.cursor == 1
        await pilot.press("G")
        assert lst.cursor == lst.total - 1
        await pilot.press("g")
        assert lst.cursor == 0
        await pilot.press("3", "j", "enter")  # a meeting
        assert isinstance(app.screen, MeetingDetailScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen) and app.is_running  # q closed the view
        await pilot.press("J")
        assert isinstance(app.screen, JournalScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("colon")
        assert isinstance(app.screen, CommandPalette)  # ours: its words in the UI language
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_new_reports_are_followed_marked_and_counted_until_seen(make_app, console_config):
    app = make_app(live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.incidents
        assert pane.list.cursor == 0
        await pilot.press("3")  # reading the agenda while reports arrive
        other = Store(console_config.cache.path)
        other.apply(
            "incidents",
            PollRecord("bpbd", NOW, ok=True),
            [
                Incident("bpbd", f"NEW-{i}", f"Laporan baru {i}", severity="moderate",
                         reported_at=NOW, updated_at=NOW)
                for i in range(3)
            ],
        )  # fmt: skip
        other.close()
        assert await until(pilot, lambda: pane.list.total == 42)
        await pilot.press("2")
        assert pane.list.cursor == 0 and pane.list.selected.external_id.startswith("NEW-")
        title = str(pane.query_one(".pane-title").render())
        assert "✱ 3 baru" in title, title
        assert "✱ Laporan baru" in pane.list.render_line(0).text
        await pilot.press("j")  # the operator moves: seen
        title = str(pane.query_one(".pane-title").render())
        assert "✱" not in title and "✱" not in pane.list.render_line(0).text
        await pilot.press("o")  # worst first: a new extreme report lands on top, followed
        await pilot.press("g")
        other = Store(console_config.cache.path)
        other.apply(
            "incidents",
            PollRecord("bpbd", NOW, ok=True),
            [Incident("bpbd", "FIRE", "Kebakaran pasar", severity="extreme",
                      reported_at=NOW, updated_at=NOW)],
        )  # fmt: skip
        other.close()
        assert await until(pilot, lambda: pane.list.total == 43)
        assert pane.list.selected.external_id == "FIRE"


async def test_the_filter_finds_what_the_screen_shows_in_either_language(make_app, store):
    store.apply(
        "incidents",
        PollRecord("bpbd", NOW, ok=True),
        [Incident("bpbd", "AIR", "Air meluap di Kec. Cikajang", category="flood",
                  severity="extreme", reported_at=NOW, updated_at=NOW)],
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.incidents

        def shown() -> set[str]:
            return {pane.list.row(i).external_id for i in range(pane.list.total)}

        await pilot.press("slash", *"banjir", "enter")  # the category column says "banjir"
        assert await until(pilot, lambda: "AIR" in shown())
        assert all(pane.list.row(i).category == "flood" for i in range(pane.list.total))
        await pilot.press("escape", "slash", *"ekstrem", "enter")
        assert await until(pilot, lambda: pane.filter_text == "ekstrem")
        assert "AIR" in shown()
        assert {pane.list.row(i).severity for i in range(pane.list.total)} == {"extreme"}
        await pilot.press("escape", "slash", *"flood cikajang", "enter")  # English works too
        assert await until(pilot, lambda: pane.filter_text == "flood cikajang")
        assert "AIR" in shown()


async def test_the_handover_is_a_view_that_saves_to_a_file(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("H")
        assert type(app.screen).__name__ == "HandoverScreen"
        # (composed in a thread: "Menyusun serah terima…" until the page is there)
        assert await until(pilot, lambda: "Garut&#160;—&#160;serah" in app.export_screenshot())
        await pilot.press("w")
        (saved,) = tmp_path.glob("handover-*.txt")
        text = saved.read_text(encoding="utf-8")
        assert "Command Center Kabupaten Garut — serah terima" in text and "\x1b" not in text
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen)


async def test_at_80_columns_severity_keeps_a_word_and_the_area_makes_way(make_app):
    for lang, words in (
        ("id", ("ekst", "berat", "sdg", "rgn")),
        ("en", ("extr", "sev", "mod", "min")),
    ):
        app = make_app(lang=lang)
        async with app.run_test(size=(80, 24)):
            lst = app.screen.incidents.list
            lines = [lst.render_line(y).text for y in range(lst.size.height)]
            for word in words:
                assert any(f" {word} " in line[:10] for line in lines), (lang, word, lines[:5])
            assert not any("Kec. Garut Kota   " in line[40:] for line in lines)  # no area column
            header = lst.source.header(lst.size.width).plain
            assert ("Wilayah" if lang == "id" else "Area") not in header


async def test_p_publishes_an_update_for_the_public_listed_in_help_and_palette(
    make_app, store: Store
):
    from textual.command import CommandPalette
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("P", *"Posko di SDN 1", "enter")
        await pilot.press("P", "enter")  # an empty public update is refused
        await pilot.pause()
        assert [(e.action, e.note) for e in store.journal.entries()] == [
            ("note.public", "Posko di SDN 1")
        ]
        assert any("Kabar publik" in n.message for n in app._notifications)
        await pilot.press("question_mark")
        help_text = str(app.screen.query_one("#help-keys", Static).render())
        assert "Kabar publik" in help_text and "P  Kabar publik" in help_text
    app = make_app(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"public update")
        await until(
            pilot,
            lambda: (
                "Public update"
                in app.screen.query_one("CommandList").get_option_at_index(0).prompt.plain
                if app.screen.query_one("CommandList").option_count
                else False
            ),
        )


async def test_a_read_only_console_publishes_nothing(make_app, store: Store):
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # no prompt opened
        assert store.journal.entries() == []
