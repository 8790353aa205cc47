"""One language on every screen: each view of the console and each CLI table, in both
languages, holds no word of the other language, no raw status key and no UTC time.

The forbidden words come from the translation tables themselves: a word that
appears only in the other language's table (and in none of the feed or
operator text this test wrote, which is shown literally) is a leak. So are the
stored values the tables translate (``partial_outage``, ``silence.add``), the
other language's month and day abbreviations, and ISO times (a person reads
local words, in the site's zone).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import cc_console.app as app_module
from cc_console.app import CcConsoleApp
from cc_console.config import Config, load_config
from cc_console.notify import Notifier
from cc_console.resources import data_dir
from cc_console.store import PollRecord, Store
from tests.conftest import write_config
from tests.console.conftest import NOW, populate, until
from tests.receiver import Receiver

LANGS = ("id", "en")
WORD = re.compile(r"[A-Za-z]+")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
DAYS = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
# Names that are the same in both languages though only one table spells them out.
NAMES = {"cc", "console", "ok", "id", "en", "sla", "wib", "wita", "wit", "utc", "hxl", "cap",
         "json", "csv", "pdf", "html", "md", "url", "http", "https", "ical", "bpbd", "opd",
         # keys of the keyboard, named as printed on it
         "esc", "enter", "tab", "home", "end", "pgup", "pgdn", "ctrl", "shift"}  # fmt: skip
# Program syntax, the same in both languages: `cc-console reopen ID`, source=bmkg.
# A file's path is a name too.
SYNTAX = re.compile(r"`[^`]*`|\b(?:event|severity|category|source|area|agency)=|(?<!\w)/[\w./-]+")


def _table(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((data_dir() / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", text))}


# What the test writes as feed and operator text: shown literally in either language.
LITERAL: list[str] = []


def literal(text: str) -> str:
    """``text``, remembered as shown literally (its words are no leak)."""
    LITERAL.append(text)
    return text


def foreign_words(lang: str, allowed: set[str]) -> set[str]:
    """Words of the other language's table that ``lang``'s table never uses."""
    other = "en" if lang == "id" else "id"
    own = set().union(*(_words(v) for v in _table(lang).values()))
    own |= {w.casefold() for w in (*MONTHS[lang], *DAYS[lang])}
    theirs = set().union(*(_words(v) for v in _table(other).values()))
    return {w for w in theirs - own - allowed - NAMES if len(w) >= 3}


def raw_keys() -> set[str]:
    """Stored values the tables translate: a person should never read them as they are.

    The last part of each vocabulary key with ``_`` (``partial_outage``), and
    each journal action and outbox event (``silence.add``, ``agency.down``).
    """
    keys = set()
    for key in _table("en"):
        prefix, _, value = key.partition(".")
        if prefix in ("agency", "status", "severity", "category", "meeting", "phase") and (
            "_" in value
        ):
            keys.add(value)
        if prefix in ("action", "event") and "." in value:
            keys.add(value)
    from cc_console.store.outbox import GROUP_ORDER

    keys.update(GROUP_ORDER)
    keys.update(("silence.add", "silence.expire", "action.add", "action.done", "event.open"))
    return keys


def leaks(text: str, lang: str, allowed: set[str]) -> list[str]:
    """What in ``text`` is not of ``lang``: foreign words, raw keys, months, days, ISO times."""
    found = []
    text = SYNTAX.sub(" ", text)
    foreign = foreign_words(lang, allowed)
    for word in sorted({w for w in WORD.findall(text) if w.casefold() in foreign}):
        found.append(f"word {word!r}")
    for key in sorted(raw_keys()):
        if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w])", text):
            found.append(f"raw key {key!r}")
    other = "en" if lang == "id" else "id"
    for name in [*MONTHS[other], *DAYS[other]]:
        mine = name in MONTHS[lang] or name in DAYS[lang]
        if not mine and re.search(rf"(?<![\w-]){name}(?![\w-])", text):
            found.append(f"date word {name!r}")
    for stamp in sorted(set(ISO_TIME.findall(text))):
        found.append(f"ISO time {stamp!r}")
    return found


def test_the_check_knows_each_kind_of_leak() -> None:
    """Built from the tables, the check has words to look for, and finds each kind."""
    assert len(foreign_words("id", set())) > 200 and len(foreign_words("en", set())) > 200
    shown = (
        "Kam 03 Dec 10:00 · partial_outage · silence.add · Search for commands… · 2026-12-03T03:00Z"
    )
    expected = {"word 'Search'", "word 'commands'", "raw key 'partial_outage'",
                "raw key 'silence.add'", "date word 'Dec'", "ISO time '2026-12-03T03:00'"}  # fmt: skip
    assert expected <= set(leaks(shown, "id", set()))
    found = set(leaks("Thu 03 Des 10:00 · gangguan sebagian · Tidak ada yang cocok", "en", set()))
    assert {"word 'gangguan'", "word 'cocok'", "date word 'Des'"} <= found
    assert not leaks("Kam 03 Des 10:00 WIB · gangguan sebagian · Tidak ada yang cocok", "id", set())


def test_times_and_counts_are_said_in_words_of_the_language() -> None:
    """The pieces the views are made of: names of months, English singulars, journal notes."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from cc_console.i18n import Translator
    from cc_console.looks import journal_note
    from cc_console.timefmt import local

    wib = ZoneInfo("Asia/Jakarta")
    at = datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC)
    with pytest.raises(ValueError, match="names a month"):
        local(at, wib, "%d %b %H:%M")  # the C locale's "Dec"
    id_, en = Translator("id"), Translator("en")
    assert id_.short(at, wib) == "02 Des 23:59" and en.short(at, wib) == "02 Dec 23:59"
    assert en("msg.overdue", n=1) == "1 action item overdue"
    assert en("msg.overdue", n=2) == "2 action items overdue"
    assert id_("msg.overdue", n=1) == "1 tindak lanjut lewat tenggat"
    note = journal_note("action.add", "Kirim perahu (due 2026-12-02T16:59:59Z)", id_, wib)
    assert note == "Kirim perahu (tenggat Rab 02 Des 23:59 WIB)"
    note = journal_note("event.impact", "Cisewu (32.05.10): dead=1 displaced=20; source: Camat",
                        en, wib)  # fmt: skip
    assert note == "Cisewu (32.05.10): Dead 1, Displaced (people) 20; source: Camat"
    assert journal_note("note", "(due 2026-12-02T16:59:59Z)", id_, wib).endswith("59Z)")


# -- the world: every kind of row each view can show -----------------------------------

ROUTE = """
[[notify]]
name = "piket"
urls = ["{url}"]
events = ["incident.new", "incident.breach", "agency.down", "source.failing", "action.overdue"]
group_wait = "0s"

[[sla]]
match = {{ severity = ["extreme", "severe"] }}
acknowledge_within = "15m"
resolve_within = "4h"
"""


@pytest.fixture
def world(tmp_path: Path, lang: str) -> Iterator[Config]:
    """A cache with incidents, agencies (one partly out), meetings, decisions, action items
    (one overdue), a disaster event, a failed notification, a silence and a journal."""
    with Receiver(status=500) as receiver:
        sources = [
            {"name": "bpbd", "kind": "incidents", "format": "native",
             "url": "http://127.0.0.1:9/bpbd"},
            {"name": "opd", "kind": "agencies", "format": "native",
             "url": "http://127.0.0.1:9/opd"},
            {"name": "rakor", "kind": "agenda", "format": "ical",
             "url": "http://127.0.0.1:9/rakor"},
            {"name": "bmkg", "kind": "incidents", "format": "bmkg-gempa",
             "url": "http://127.0.0.1:9/bmkg"},
        ]  # fmt: skip
        path = write_config(tmp_path / "config.toml", sources, ROUTE.format(url=receiver.url()))
        text = path.read_text(encoding="utf-8")  # the site's language: the messages' too
        path.write_text(text.replace("[cache]", f'language = "{lang}"\n[cache]', 1), "utf-8")
        cfg = load_config(path)
        store = Store.for_config(cfg, operator="siti")
        populate(store)
        from cc_console.models import Agency

        store.apply(  # an agency partly out, with no summary: its status is all there is to say
            "agencies",
            PollRecord("opd", NOW - timedelta(minutes=1), ok=True, http_status=200, records=5),
            [a if a.id != "dinkes" else Agency(a.id, a.name, "partial_outage", None, a.kpis,
                                                NOW - timedelta(minutes=1), "opd")
             for a in store.agencies.listing()],
        )  # fmt: skip
        meeting = store.agenda.between(NOW - timedelta(days=1), NOW + timedelta(days=1))[0]
        store.followups.decide(meeting, literal("Normalisasi sungai Cimanuk dimulai"))
        store.followups.add(literal("Kirim alat berat ke bantaran Cimanuk"), "pupr",
                            NOW - timedelta(hours=30), meeting=meeting, at=NOW - timedelta(days=2))  # fmt: skip
        store.followups.add(literal("Verifikasi data warga terdampak"), "disdukcapil",
                            NOW + timedelta(days=2), meeting=meeting, at=NOW - timedelta(hours=2))  # fmt: skip
        first = store.incidents.listing()[0]
        store.followups.add(literal("Kerahkan pompa air"), "bpbd", NOW + timedelta(hours=5),
                            incident_id=first.id, at=NOW - timedelta(hours=1))  # fmt: skip
        store.journal.act("ack", first.id, note=literal("sudah ditelepon"),
                          at=NOW - timedelta(minutes=50))  # fmt: skip
        store.journal.act("assign", first.id, agency="bpbd", at=NOW - timedelta(minutes=40))
        from tests.console.test_crisis_console import seed_event

        seed_event(store)
        store.deadlines.check(NOW)  # what a polling console records
        store.followups.check(NOW)
        store.crisis.check(NOW)
        store.outbox.check(NOW)
        store.outbox.silence({"source": "bmkg"}, 3600 * 8, literal("gempa luar wilayah"), NOW)
        store.outbox.silence({"source": "opd"}, 60, literal("uji"), NOW - timedelta(hours=2))
        asyncio.run(Notifier(cfg, store).deliver())
        store.close()
    SENT[str(cfg.path)] = [f"{r.body.get('title')}\n{r.body.get('message')}"
                           for r in receiver.requests]  # fmt: skip
    yield cfg


SENT: dict[str, list[str]] = {}  # each world's notifications, as the receiver got them


def allowed_words(store: Store) -> set[str]:
    """Every word of the feed and operator text in ``store``: shown as written."""
    texts = list(LITERAL)
    texts.append("Command Center Kabupaten Garut")
    for inc in store.incidents.listing(include_all=True):
        texts += [inc.title, inc.description or "", inc.area or "", inc.source]
    for a in store.agencies.listing():
        texts += [
            a.id,
            a.name,
            a.summary or "",
            *(k.name for k in a.kpis),
            *(k.unit or "" for k in a.kpis),
        ]
    for m in store.agenda.between(NOW - timedelta(days=30), NOW + timedelta(days=30)):
        texts += [
            m.id,
            m.title,
            m.location or "",
            m.organizer or "",
            *m.participants,
            m.description or "",
        ]
    for e in store.crisis.listing(include_closed=True):
        texts += [e.title]
    for msg in store.outbox.messages(500):  # what the notification service answered
        texts += [msg.error or ""]
    texts += ["Banjir Cimanuk", "Garut Kota", "Tarogong Kidul", "Banyuresmi", "TRC BPBD", "Camat",
              "Relawan", "RSUD dr. Slamet", "SK Bupati", "Perahu karet 5 unit",
              "Selimut dan makanan bayi", "HTTP 503 Service Unavailable from data.bmkg.go.id",
              "Server SIMJALAN mati", "piket", "rakor", "garut", "siti"]  # fmt: skip
    return set().union(*(_words(t) for t in texts))


def screen_text(app: CcConsoleApp) -> str:
    """What the terminal shows now, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)  # fmt: skip
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


# -- the console ------------------------------------------------------------------------

# Every view and dialog, by the keys that reach it from the main screen.
VIEWS: dict[str, list[str]] = {
    "main": [],
    "incident": ["2", "enter"],
    "agency": ["1", "enter"],
    "meeting": ["3", "down", "enter"],
    "followups": ["4"],
    "item": ["4", "enter"],
    "health": ["f"],
    "journal": ["J"],
    "notifications": ["N"],
    "kinerja": ["5"],
    "kinerja-agency": ["5", "enter"],
    "sites": ["6"],
    "events": ["7"],
    "event": ["7", "enter"],
    "handover": ["H"],
    "help": ["question_mark"],
    "palette": ["ctrl+p"],
    "palette-nothing": ["ctrl+p", *"qqqzzzx"],
    "alarm": ["exclamation_mark"],
    "paused": ["p"],
    "sorted": ["o"],
    "all": ["v"],
    "filter": ["slash"],
    "ack": ["2", "a"],
    "note": ["2", "n"],
    "assign": ["2", "s"],
    "resolve": ["2", "r"],
    "link-event": ["2", "e"],
    "decide": ["3", "down", "enter", "d"],
    "minutes": ["3", "down", "enter", "m"],
    "close-meeting": ["3", "down", "enter", "c"],
    "item-text": ["2", "enter", "t"],
    "item-owner": ["2", "enter", "t", *"pompa", "enter"],
    "item-due": ["2", "enter", "t", *"pompa", "enter", "enter"],
    "item-due-wrong": ["2", "enter", "t", *"pompa", "enter", "enter", *"2027-02-31", "enter"],
    "item-done": ["4", "x"],
    "impact": ["7", "enter", "i"],
    "need": ["7", "enter", "n"],
    "event-status": ["7", "enter", "s"],
    "handover-save": ["H", "w"],
}


# Keys that undo a view's toggle on the main screen (the rest close with Esc).
UNDO = {"paused": ["p"], "all": ["v"]}


class SayingApp(CcConsoleApp):
    """The console, keeping what its toasts said (a toast under a dialog is not drawn)."""

    CSS_PATH = str(Path(app_module.__file__).parent / "console.tcss")  # not beside this test

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.said: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.said.append(str(message))
        super().notify(message, **kwargs)


async def _walk(app: SayingApp, pilot: Any) -> dict[str, str]:
    """Each view's text, reached from the main screen and closed again."""
    main = app.screen
    shown = {}
    for view, keys in VIEWS.items():
        await pilot.press(*keys)
        if view == "kinerja":
            await until(pilot, lambda: getattr(app.screen, "kinerja", None) is not None
                        and app.screen.kinerja.result is not None)  # fmt: skip
        # "No matches" comes after half a second; a toast after its screen settles.
        await pilot.pause(0.7 if view.startswith("palette") or view.endswith("wrong") else 0.2)
        shown[view] = "\n".join([screen_text(app), *app.said])
        app.said.clear()
        for key in UNDO.get(view, []):
            await pilot.press(key)
        for _ in range(8):
            if app.screen is main:
                break
            await pilot.press("escape")
        assert app.screen is main, f"{view}: Esc did not lead back to the main screen"
        await pilot.press("escape")  # a filter or a search typed on the main screen
    return shown


@pytest.mark.parametrize("lang", LANGS)
async def test_every_view_speaks_one_language(
    world: Config, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # w saves the handover into the home folder
    store = Store.for_config(world, operator="siti")
    allowed = allowed_words(store)
    app = SayingApp(world, store, lang=lang, clock=lambda: NOW, live=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await until(pilot, lambda: app.counts is not None)
        shown = await _walk(app, pilot)
    store.close()
    same = [view for view in VIEWS if view != "main" and shown[view] == shown["main"]]
    assert not same, f"these keys showed nothing new: {same}"  # a view not reached proves nothing
    found = {view: leaks(text, lang, allowed) for view, text in shown.items()}
    found = {view: what for view, what in found.items() if what}
    if os.environ.get("CC_LANGUAGE_DUMP"):
        Path(os.environ["CC_LANGUAGE_DUMP"], f"views-{lang}.txt").write_text(
            "\n".join(f"===== {v} {found.get(v, '')}\n{t}" for v, t in shown.items()),
            encoding="utf-8",
        )
    assert not found, "\n".join(f"{view}: {', '.join(what)}" for view, what in found.items())


# -- the command line -------------------------------------------------------------------

# Every table and listing a person reads (not --json), and errors met at work.
COMMANDS: dict[str, list[str]] = {
    "status": ["status"],
    "incidents": ["incidents", "--all"],
    "agencies": ["agencies"],
    "agenda": ["agenda", "--from", "2026-12-04", "--to", "2026-12-08"],
    "journal": ["journal"],
    "sla": ["sla"],
    "sites": ["sites"],
    "actions": ["action", "list"],
    "silences": ["silence", "list"],
    "outbox": ["notify"],
    "events": ["event", "list"],
    "event": ["event", "show", "E-1"],
    "handover": ["handover"],
    "report": ["report", "--days", "7"],
    "sitrep": ["sitrep", "E-1"],
    "minutes": ["minutes", "@MEETING"],
    "silence-ended": ["silence", "expire", "2"],
    "due-wrong": [
        "action",
        "add",
        "Kirim perahu",
        "--meeting",
        "@MEETING",
        "--owner",
        "bpbd",
        "--due",
        "2027-02-31",  # no such day (besok, tomorrow, is a WHEN)
    ],
    "unknown-incident": ["ack", "bpbd:NOPE"],
    "resolved-twice": ["resolve", "@RESOLVED"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_every_cli_table_speaks_one_language(
    world: Config, cli: Any, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests import clock

    monkeypatch.setenv("COLUMNS", "240")  # whole cells: a time cut short hides its form

    store = Store.for_config(world, operator="siti")
    allowed = allowed_words(store)
    meeting = store.agenda.between(NOW - timedelta(days=1), NOW + timedelta(days=1))[0].id
    resolved = store.incidents.listing()[5].id
    store.journal.act("resolve", resolved, at=NOW - timedelta(minutes=5))
    store.close()
    shown: dict[str, str] = {}
    with clock.at(NOW + timedelta(seconds=1)):
        for name, args in COMMANDS.items():
            args = [meeting if a == "@MEETING" else resolved if a == "@RESOLVED" else a
                    for a in args]  # fmt: skip
            result = cli("--config", str(world.path), "--lang", lang, *args)
            assert result.out or result.err, name
            shown[name] = f"{result.out}\n{result.err}"
    found = {name: leaks(text, lang, allowed) for name, text in shown.items()}
    found = {name: what for name, what in found.items() if what}
    if os.environ.get("CC_LANGUAGE_DUMP"):
        Path(os.environ["CC_LANGUAGE_DUMP"], f"cli-{lang}.txt").write_text(
            "\n".join(f"===== {v} {found.get(v, '')}\n{t}" for v, t in shown.items()),
            encoding="utf-8",
        )
    assert not found, "\n".join(f"{name}: {', '.join(what)}" for name, what in found.items())


@pytest.mark.parametrize("lang", LANGS)
def test_every_notification_speaks_one_language(world: Config, lang: str) -> None:
    """The messages sent to phones: counts with their nouns, statuses and times in words."""
    store = Store.for_config(world, operator="siti")
    allowed = allowed_words(store)
    store.close()
    sent = SENT[str(world.path)]
    assert len(sent) >= 1
    text = "\n".join(sent)
    assert leaks(text, lang, allowed) == [], text
    down = {"id": "gangguan sebagian", "en": "partial outage"}[lang]
    assert f"Dinas Kesehatan · {down}" in text
    assert ("1 action items" not in text) and ("1 feeds" not in text)
