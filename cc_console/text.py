"""Text hygiene for anything that came from a feed.

Feed text is stored and shown literally: control characters (which could
drive the terminal: clear the screen, set the title, write the clipboard with
OSC 52) and bidi overrides (which make a line read differently from what it
says) are removed, and lengths are capped.  Widgets also render it as
:class:`rich.text.Text`, never as markup, so ``[bold]`` stays ``[bold]``.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_TEXT",
    "MAX_TITLE",
    "clean_line",
    "clean_text",
    "markdown_text",
    "operator_name",
    "shown",
    "without_paths",
]

# C0 controls but tab and newline, DEL, C1 controls, and the bidi controls
# that can make a line read differently from what it says (Trojan Source).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_SPACES = re.compile(r"[ \t]+")
# Lone surrogates (a JSON "\\ud800", a command-line byte that is not UTF-8) cannot
# be stored as UTF-8: they become U+FFFD.
_SURROGATES = re.compile("[\ud800-\udfff]")
# An operator's name: letters or digits first, then letters, digits, spaces, . @ ' - _
_OPERATOR = re.compile(r"[^\W_][\w .@'-]{0,63}")
# A local file path in an error: ``/…/…``, ``~/…`` or ``./…``, standing alone (not
# the path of a URL, which follows its host or the ``:`` of its scheme).
_PATH = re.compile(r"(?<![\w:/.~-])(?:~|\.\.?)?(?:/[^\s/:'\"()\[\]<>]+)+/?")
MAX_TITLE = 300
MAX_TEXT = 20_000
# Markdown: what a quoted text may not be read as. Inline: code spans, emphasis,
# links and images ([ ]), strikethrough, table cells; HTML and entities.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# At the start of a line (or of a list item's or heading's content), what opens a
# block: a heading ("# "), a bullet ("- ", "+ "), an ordered item ("1. ", "1) ").
# "32.06" and "#tag" open nothing and stay as they are.
_MD_START = re.compile(r"^(?:(#{1,6}|[-+])(?=\s|$)|(\d{1,9})(?=[.)](?:\s|$)))")
# A line of only - or = (and spaces): a thematic break or a setext underline.
_MD_RULE = re.compile(r"^[-=][-=\s]*$")
_MD_LINE_BREAK = re.compile(r"\s*(?:\r\n|\r|\n|\u2028|\u2029)\s*")


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Feed text made safe to store and show: no control or bidi characters, trimmed."""
    if not value:
        return ""
    text = value if isinstance(value, str) else str(value)
    # Fast path: printable text (no Cc/Cf characters, so no controls and no bidi
    # overrides) that needs no trimming is returned as it is.
    if len(text) <= limit and text.isprintable() and text[:1] != " " and text[-1:] != " ":
        return text
    text = _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return _SURROGATES.sub("\ufffd", text[:limit])


def clean_line(value: object, limit: int = MAX_TITLE) -> str:
    """Like :func:`clean_text` for one-line fields: newlines and runs of spaces folded."""
    if not value:
        return ""
    if (
        type(value) is str
        and len(value) <= limit
        and value.isprintable()
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    ):
        return value
    return _SPACES.sub(" ", clean_text(value, limit * 2).replace("\n", " "))[:limit]


def markdown_text(value: object) -> str:
    """``value`` (a feed's or an operator's text) quoted in Markdown so that it reads as
    the text it is, wherever it stands: a heading, a list item, a table cell.

    HTML is escaped as entities (``<script>`` stays text), line breaks fold to a
    space (a decision with a newline never starts a ``# heading``), the characters
    Markdown reads inline get a backslash, and what would open a block at the start
    (``# ``, ``- ``, ``+ ``, ``1. ``, ``---``, indentation) is escaped there, as is
    a trailing ``#`` (a heading's closing sequence).
    """
    text = _MD_LINE_BREAK.sub(" ", "" if value is None else str(value)).strip()
    text = _MD_INLINE.sub(r"\\\1", text)
    text = "".join(_MD_HTML.get(c, c) for c in text)
    if text.endswith("#"):
        text = text[:-1] + "\\#"
    if _MD_RULE.match(text):
        return "\\" + text
    # "# x" becomes "\# x"; "1. x" becomes "1\. x" (the escape goes on the dot).
    return _MD_START.sub(lambda m: "\\" + m[1] if m[1] else m[2] + "\\", text)


def operator_name(value: str) -> str:
    """``value`` as an operator's name (spaces folded), or ValueError saying what is allowed.

    Names are journaled and shown on every operator's terminal: 1 to 64
    letters, digits, spaces and . @ ' - _, starting with a letter or digit.
    """
    name = " ".join(value.split())
    if not _OPERATOR.fullmatch(name):
        raise ValueError(
            "an operator name is 1 to 64 letters, digits, spaces and . @ ' - _ "
            f"(starting with a letter or digit), not {shown(value)}"
        )
    return name


def shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for an error message, control characters escaped (never raw)."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return "'" + text.encode("unicode_escape", "backslashreplace").decode("ascii") + "'"


def without_paths(text: str) -> str:
    """``text`` with each local file path cut to its file name (``demo.db``).

    For errors that leave this machine (notifications, public documents): they
    may tell what failed, not where this site keeps its files.
    """
    if "/" not in text:
        return text
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)
