"""What a silence may name, shared by ``cc-console silence add`` and the console's dialog.

The writes themselves are the store's (:meth:`Outbox.silence`, :meth:`Outbox.expire`,
:meth:`Outbox.would_hold`, :meth:`Outbox.hits`): the CLI and the console call the same
ones. This module holds what both check before writing, and how the console reads the
one line an operator types (``source=usgs severity=minor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cc_console.store.outbox import SILENCE_KEYS, Message

if TYPE_CHECKING:
    from cc_console.config import Config
    from cc_console.store import Store

__all__ = [
    "MatcherProblem",
    "known_values",
    "matchers_text",
    "parse_matchers",
    "prefill",
    "unknown_value",
]


def known_values(config: Config, store: Store) -> dict[str, list[str]]:
    """The values a silence may name, per key that has a closed list of them: a value
    outside these can never match (the source: a configured one)."""
    from cc_console.config import NOTIFY_EVENTS
    from cc_console.models import SEVERITIES

    return {
        "event": list(NOTIFY_EVENTS),
        "severity": list(SEVERITIES),
        "source": [s.name for s in config.sources],
        "agency": sorted(store.agencies.ids()),
    }


def unknown_value(
    matchers: Mapping[str, str], known: Mapping[str, list[str]]
) -> tuple[str, str, list[str]] | None:
    """The first matcher that can never match, as ``(key, value, the values that can)``."""
    for key, want in matchers.items():
        if key in known and want not in known[key]:
            return key, want, known[key]
    return None


@dataclass(frozen=True)
class MatcherProblem(ValueError):
    """Why a typed line of matchers is refused: ``code`` names the translation
    (``silence.bad_<code>``), ``part`` the piece of the line at fault."""

    code: str  # form | key | twice | empty
    part: str = ""


def parse_matchers(line: str) -> dict[str, str]:
    """``source=usgs area=Garut Kota`` as matchers: each ``KEY=`` starts one (KEY one of
    the silence keys); what follows up to the next one is its value (spaces kept, so an
    area of two words is one value).

    Raises:
        MatcherProblem: no matcher, a word before the first ``KEY=``, an unknown key,
            an empty value, a key twice.
    """
    out: dict[str, str] = {}
    key: str | None = None
    value: list[str] = []

    def close() -> None:
        if key is None:
            return
        want = " ".join(value).strip()
        if not want:
            raise MatcherProblem("form", f"{key}=")
        if key in out:
            raise MatcherProblem("twice", key)
        out[key] = want

    for word in line.split():
        name, sep, rest = word.partition("=")
        if sep and name in SILENCE_KEYS:
            close()
            key, value = name, [rest] if rest else []
        elif sep and name.isidentifier():
            raise MatcherProblem("key", name)
        elif key is None:
            raise MatcherProblem("form", word)
        else:
            value.append(word)
    close()
    if not out:
        raise MatcherProblem("empty")
    if not all(v.isprintable() for v in out.values()):
        raise MatcherProblem("form", line)
    return out


def matchers_text(matchers: Mapping[str, str]) -> str:
    """Matchers as the line :func:`parse_matchers` reads (and the journal says)."""
    return " ".join(f"{k}={v}" for k, v in matchers.items())


def prefill(message: Message) -> dict[str, str]:
    """The matchers a silence made from one outbox message starts with: its event and
    what caused it (the source; for an agency reported down, the agency)."""
    fields = message.fields()
    out = {"event": message.event}
    for key in ("agency", "source") if message.event == "agency.down" else ("source",):
        if fields.get(key):
            out[key] = fields[key]
            break
    return out
