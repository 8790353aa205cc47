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
    """Base of every error cc-console raises on purpose."""

    exit_code = 1


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

    ``reason`` names the rule (a translation key ``refused.<reason>``); the
    message says it in English for the command line.
    """

    exit_code = 3

    def __init__(self, message: str, reason: str, **facts: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts


class StoreError(CcConsoleError):
    """The cache could not be opened or written (corrupt, locked, permissions)."""

    exit_code = 4


class SourceError(CcConsoleError):
    """One source could not be fetched or parsed; the message names the source."""

    exit_code = 1


class ParseError(CcConsoleError):
    """A feed body is not the declared format (raised by ``sources``)."""

    exit_code = 1
