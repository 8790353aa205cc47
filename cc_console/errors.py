"""The one exception hierarchy of cc-console, and the exit code of each kind.

Every layer raises one of these; the CLI maps them to the exit codes of
CONTRACT.md section 2 and prints one line.
"""

from __future__ import annotations

__all__ = [
    "CcConsoleError",
    "ConfigError",
    "NotFoundError",
    "ParseError",
    "ReadOnlyError",
    "RefusedError",
    "SourceError",
    "StoreError",
]


class CcConsoleError(Exception):
    """Base of every error cc-console raises on purpose.

    ``key`` (optional) names the translation ``error.<key>`` that says it in the
    operator's language, filled with ``facts`` (a datetime fact is shown as a
    time in the site's zone); the message stays for logs and ``--debug``.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, key: str | None = None, **facts: object) -> None:
        super().__init__(message)
        self.key = key
        self.facts = facts


class ConfigError(CcConsoleError):
    """The configuration or the command line is wrong; nothing was changed."""

    exit_code = 2


class ReadOnlyError(CcConsoleError):
    """An operator action was refused because the console is read-only."""

    exit_code = 3


class NotFoundError(CcConsoleError):
    """An incident or agency id named by the operator does not exist."""

    exit_code = 3


class RefusedError(CcConsoleError):
    """An operator action that does not apply to the incident as it stands (say why).

    ``reason`` names the rule: the console says it with ``refused.<reason>``
    (with the incident's title), the command line with ``error.<reason>``.
    """

    exit_code = 3

    def __init__(self, message: str, reason: str, **facts: object) -> None:
        super().__init__(message, key=reason, **facts)
        self.reason = reason


class StoreError(CcConsoleError):
    """The cache could not be opened or written (corrupt, locked, permissions)."""

    exit_code = 4


class SourceError(CcConsoleError):
    """One source could not be fetched or parsed; the message names the source."""

    exit_code = 1


class ParseError(CcConsoleError):
    """A feed body is not the declared format (raised by ``sources``)."""

    exit_code = 1
