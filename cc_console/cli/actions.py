"""Operator actions from the command line: ack, note (--public), assign, resolve, reopen
(journaled).

An action that does not apply to the incident as it stands (ack after resolve)
is refused with exit 3 and the reason.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cc_console.cli.state import State
from cc_console.errors import ConfigError

__all__ = ["COMMANDS"]

IdArg = Annotated[str, typer.Argument(help="Incident id, <source>:<external id>.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note for the journal.")]


def _act(
    ctx: typer.Context,
    action: str,
    incident_id: str,
    note: str | None = None,
    agency: str | None = None,
) -> None:
    state: State = ctx.obj
    if state.read_only:  # refuse before touching the cache; the store refuses too
        state.store().db.require_writable(f"{action} on {incident_id}")
    if note is not None and not note.strip():
        note = None
    entry = state.store().journal.act(action, incident_id, note=note, agency=agency)
    state.err.print(state.t(f"done.{action}", id=entry.target, agency=agency or ""))


def ack(ctx: typer.Context, incident_id: IdArg, note: NoteOpt = None) -> None:
    """Acknowledge an incident."""
    _act(ctx, "ack", incident_id, note)


def note(
    ctx: typer.Context,
    incident_id: IdArg,
    text: Annotated[str, typer.Argument(help="The note.")],
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="A public update: shown under the incident on the public page and in "
            "/status.json (journaled as note.public).",
        ),
    ] = False,
) -> None:
    """Add a note to an incident (--public: an update the public reads)."""
    if not text.strip():
        raise ConfigError("the note is empty")
    _act(ctx, "note.public" if public else "note", incident_id, text)


def assign(
    ctx: typer.Context,
    incident_id: IdArg,
    agency_id: Annotated[str, typer.Argument(help="Agency id (see `agencies`).")],
) -> None:
    """Assign an incident to an agency."""
    _act(ctx, "assign", incident_id, agency=agency_id)


def resolve(ctx: typer.Context, incident_id: IdArg, note: NoteOpt = None) -> None:
    """Resolve an incident."""
    _act(ctx, "resolve", incident_id, note)


def reopen(ctx: typer.Context, incident_id: IdArg, note: NoteOpt = None) -> None:
    """Reopen a resolved incident (say why with --note)."""
    _act(ctx, "reopen", incident_id, note)


COMMANDS = {"ack": ack, "note": note, "assign": assign, "resolve": resolve, "reopen": reopen}
