"""Decisions and action items (tindak lanjut): ``decide``, ``action …``, ``minutes``.

CONTRACT.md section 9. WHEN is ``YYYY-MM-DD`` (the end of that day) or
``YYYY-MM-DD HH:MM``, in the site's time zone; a bad WHEN is exit 2; an
unknown agency, meeting or incident exit 3; read-only exit 3.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cc_console import timefmt
from cc_console.cli.state import State
from cc_console.errors import ConfigError, NotFoundError
from cc_console.export import decision_json, item_json
from cc_console.models import Meeting
from cc_console.store import Store
from cc_console.text import shown
from cc_console.timefmt import iso_z

__all__ = ["COMMANDS", "action_app", "close_meeting", "due_when", "meeting_app", "parse_when"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
action_app = typer.Typer(help="Action items (tindak lanjut): add, done, cancel, list.")


def parse_when(value: str, tz: Any, now: datetime | None = None, t: Any = None) -> datetime:
    """WHEN as a time (see :func:`cc_console.timefmt.parse_when`), said at ``now``.

    Raises:
        ConfigError: not such a time (exit 2), in ``t``'s language when given.
    """
    try:
        return timefmt.parse_when(value, tz, now)
    except timefmt.WhenError as exc:
        raise ConfigError(t(f"when.{exc.reason}", **exc.facts) if t else str(exc)) from None


def due_when(state: State, value: str, *, allow_past: bool) -> datetime:
    """An action item's due time: WHEN at the site, not in the past unless allowed.

    Raises:
        ConfigError: not such a time, or in the past (exit 2), in the user's language.
    """
    tz, now = state.config.site.tz, state.now()
    when = parse_when(value, tz, now, state.t)
    if not allow_past:
        try:
            timefmt.refuse_past(when, now, value, tz)
        except timefmt.WhenError as exc:
            raise ConfigError(state.t(f"when.{exc.reason}", **exc.facts)) from None
    return when


def _meeting(store: Store, meeting_id: str) -> Meeting:
    meeting = store.agenda.get(meeting_id) or store.followups.remembered(meeting_id)
    if meeting is None:
        raise NotFoundError(f"unknown meeting {shown(meeting_id)} (see `cc-console agenda`)")
    return meeting


def _text(value: str, what: str) -> str:
    if not value.strip():
        raise ConfigError(f"the {what} is empty")
    return value


def _writable(state: State, what: str) -> Store:
    store = state.store()
    if state.read_only:
        store.db.require_writable(what)
    return store


def decide(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting occurrence id (see `agenda`).")],
    text: Annotated[str, typer.Argument(help="What was decided.")],
    incidents: Annotated[
        list[str] | None,
        typer.Option("--incident", help="An incident it was based on (repeatable)."),
    ] = None,
    agencies: Annotated[
        list[str] | None,
        typer.Option("--agency", help="An agency it was based on (repeatable)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a decision of a meeting occurrence (journaled), with the incidents and
    agencies it was based on frozen as they stand now."""
    state: State = ctx.obj
    _text(text, "decision")
    store = _writable(state, f"decide on {meeting_id}")
    decision = store.followups.decide(
        _meeting(store, meeting_id), text, incidents=incidents or (), agencies=agencies or ()
    )
    if as_json:
        state.print_json({**decision_json(decision), "evidence": list(decision.evidence)})
    else:
        state.err.print(state.t("done.decide", id=decision.id))


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What is to be done.")],
    owner: Annotated[str, typer.Option("--owner", help="The agency that owns it.")],
    due: Annotated[
        str,
        typer.Option(
            "--due",
            help='"YYYY-MM-DD [HH:MM]", hari ini/today, besok/tomorrow, lusa, +Nd, +Nh or a '
            "weekday (senin/monday...), with an optional HH:MM; site time.",
        ),
    ],
    meeting: Annotated[str | None, typer.Option("--meeting", help="Meeting id.")] = None,
    incident: Annotated[str | None, typer.Option("--incident", help="Incident id.")] = None,
    allow_past: Annotated[
        bool, typer.Option("--allow-past", help="Accept a due time in the past.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an action item owned by an agency, due at WHEN (journaled)."""
    state: State = ctx.obj
    when = due_when(state, due, allow_past=allow_past)
    _text(text, "action item")
    store = _writable(state, "action add")
    if owner not in store.agencies.ids():
        raise NotFoundError(f"unknown agency {shown(owner)} (see `cc-console agencies`)")
    met = _meeting(store, meeting) if meeting else None
    inc = None
    if incident:
        inc = store.incidents.resolve_id(incident)
        if inc is None:
            raise NotFoundError(f"unknown incident {shown(incident)} (see `cc-console incidents`)")
    item = store.followups.add(text, owner, when, meeting=met, incident_id=inc)
    if as_json:
        state.print_json(item_json(item, state.now()))
    else:
        state.err.print(state.t("done.action_add", id=item.id, owner=owner))


def _close(ctx: typer.Context, item_id: str, status: str, note: str | None) -> None:
    state: State = ctx.obj
    store = _writable(state, f"action {status}")
    item = store.followups.close(item_id, status, note)
    state.err.print(state.t(f"done.action_{status}", id=item.id))


@action_app.command("done")
def action_done(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="Item id, A-<n>.")],
    note: Annotated[str | None, typer.Option("--note", help="A note for the journal.")] = None,
) -> None:
    """Mark an action item done."""
    _close(ctx, item_id, "done", note)


@action_app.command("cancel")
def action_cancel(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(help="Item id, A-<n>.")],
    note: Annotated[str, typer.Option("--note", help="Why (required).")],
) -> None:
    """Cancel an action item (say why)."""
    if not note.strip():
        raise ConfigError("--note: say why the item is cancelled")
    _close(ctx, item_id, "cancelled", note)


@action_app.command("list")
def action_list(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Open items only.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Open items past due.")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="One agency's items.")] = None,
    meeting: Annotated[str | None, typer.Option("--meeting", help="One meeting's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Action items: open ones first, the most overdue first."""
    state: State = ctx.obj
    now = state.now()
    items = state.store().followups.items(
        open_only=open_only, overdue_at=now if overdue else None, owner=owner, meeting_id=meeting
    )
    if as_json:
        state.print_json([item_json(i, now) for i in items])
        return
    if not items:
        state.out.print(state.t("empty.actions"))
        return
    from cc_console.cli import tables

    state.out.print(tables.actions_table(items, state.t, state.config.site.tz, now))


def minutes(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting occurrence id (see `agenda`).")],
    as_json: JsonOpt = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="md: Markdown; html: one page to print on A4."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to FILE, not stdout (with --json or --format)."),
    ] = None,
) -> None:
    """The meeting's record (notulen): day and date, time, place, chair, minute-taker,
    attendance, agenda, discussion, decisions with their evidence, action items,
    items carried over, signatures. A closed meeting's minutes are its frozen record."""
    state: State = ctx.obj
    if as_json and fmt:
        raise ConfigError("--json and --format: choose one")
    if fmt not in (None, "md", "html"):
        raise ConfigError(f"--format must be md or html, not {shown(fmt)}")
    if out is not None:
        if not (as_json or fmt):
            raise ConfigError("--out: say what to write with --json or --format md|html")
        from cc_console.outfile import check_target

        check_target(out, state.config)
    store = state.store()
    meeting = _meeting(store, meeting_id)
    from cc_console import minutes as notulen

    rec = notulen.stored_record(store, meeting, state.config.site, state.now())
    if as_json:
        if out is None:
            state.print_json(rec)
            return
        import json

        text = json.dumps(rec, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = notulen.html(rec, state.t)
    else:
        text = notulen.markdown(rec, state.t)
    if out is not None:
        from cc_console.outfile import write_output

        write_output(out, text, state.config)
        state.err.print(state.t("notify.saved", path=str(out)), markup=False)
    elif fmt:
        import sys

        sys.stdout.write(text)
    else:
        from rich.markdown import Markdown

        state.out.print(Markdown(text))


meeting_app = typer.Typer(
    help="The meeting's record (notulen): discussion notes, attendance, close."
)


@meeting_app.command("note")
def meeting_note(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting occurrence id (see `agenda`).")],
    text: Annotated[str, typer.Argument(help="What was discussed (pembahasan).")],
    as_json: JsonOpt = False,
) -> None:
    """Record a discussion note of a meeting (journaled)."""
    state: State = ctx.obj
    _text(text, "note")
    store = _writable(state, f"meeting note on {meeting_id}")
    note = store.meetings.note(_meeting(store, meeting_id), text)
    if as_json:
        state.print_json(
            {"meeting": note.meeting_id, "text": note.text,
             "created_at": iso_z(note.created_at), "created_by": note.created_by}
        )  # fmt: skip
    else:
        state.err.print(state.t("done.meeting_note"))


@meeting_app.command("attend")
def meeting_attend(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting occurrence id (see `agenda`).")],
    agencies: Annotated[list[str], typer.Argument(help="The agencies present (ids).")],
    as_json: JsonOpt = False,
) -> None:
    """Record the agencies present at a meeting (journaled; unknown ids: exit 3)."""
    state: State = ctx.obj
    store = _writable(state, f"meeting attend on {meeting_id}")
    meeting = _meeting(store, meeting_id)
    added = store.meetings.attend(meeting, agencies)
    present = [a for a, _, _ in store.meetings.attendance(meeting.id)]
    if as_json:
        state.print_json({"meeting": meeting.id, "added": added, "attendance": present})
    else:
        state.err.print(state.t("done.meeting_attend", count=len(added), total=len(present)))


@meeting_app.command("close")
def meeting_close(
    ctx: typer.Context,
    meeting_id: Annotated[str, typer.Argument(help="Meeting occurrence id (see `agenda`).")],
    as_json: JsonOpt = False,
) -> None:
    """Close a meeting: its record is frozen and its hash journaled; nothing more is
    recorded for it afterwards (exit 3)."""
    state: State = ctx.obj
    store = _writable(state, f"meeting close on {meeting_id}")
    meeting = _meeting(store, meeting_id)
    closure = close_meeting(store, meeting, state.config.site)
    if as_json:
        state.print_json({**closure.record, "hash": closure.hash})
    else:
        state.err.print(state.t("done.meeting_close", id=meeting.id, hash=closure.hash[:16]))


def close_meeting(store: Store, meeting: Meeting, site: Any) -> Any:
    """Freeze ``meeting``'s record as of now (the CLI's and the console's close)."""
    from cc_console import minutes as notulen
    from cc_console.timefmt import parse_iso

    def build(closed_at: str, closed_by: str) -> dict[str, Any]:
        at = parse_iso(closed_at)
        assert at is not None
        return notulen.record(store, meeting, site, at, closed_at=closed_at, closed_by=closed_by)

    return store.meetings.close(meeting, build)


COMMANDS = {"decide": decide, "minutes": minutes}
