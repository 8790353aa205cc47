"""The one way the console writes a file it was asked for (``report --out``, ``minutes --out``,
the handover view's ``w``).

An output file must never land on what the console lives on: the cache (a report
written over it loses the journal, and no rebuild brings that back), the cache's
``-wal``/``-shm``/``-journal`` files (SQLite would read a stray one as its own),
or the config. Each is refused whether named directly, through a symlink or by a
hard link, and so are folders and anything that is not a regular file. A folder
that does not exist is refused too: the console does not make folders on a typo.

The bytes go to a temporary file beside the target, are flushed to the disk and
renamed over it, so a reader (or a crash) sees the old file or the new one, never
half of one. A symlink to an ordinary file is followed: the file it names is
replaced and the link stays.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from cc_console.config import Config
from cc_console.errors import ConfigError

__all__ = ["OutputRefused", "check_target", "write_output"]

# The files SQLite keeps beside a database: a stray one is read as the cache's own.
CACHE_SIDE_FILES = ("", "-wal", "-shm", "-journal")

_WHY = {
    "cache": "is the cache or one of its -wal/-shm/-journal files; choose another file",
    "config": "is the config file; choose another file",
    "directory": "is a folder; give a file name",
    "not_file": "is not a regular file; give a file name",
    "no_folder": "its folder does not exist; create it first",
    "failed": "cannot be written",
}


class OutputRefused(ConfigError):
    """An output file cannot be written where it was asked; nothing was written.

    ``reason`` names the rule (one of ``cache``, ``config``, ``directory``,
    ``not_file``, ``no_folder``, ``failed``): the console says it in its own words
    (translation key ``save.<reason>``); the message says it in English.
    """

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        self.path, self.reason, self.detail = path, reason, detail
        extra = f" ({detail})" if detail else ""
        super().__init__(f"{path}: {_WHY[reason]}{extra}; nothing was written")


def _protected(config: Config) -> list[tuple[str, Path]]:
    """What an output file may never be: the cache and its side files, and the config."""
    caches = [config.cache.path, config.cache.configured]
    out = [
        ("cache", Path(f"{cache}{suffix}"))
        for cache in caches
        if cache is not None
        for suffix in CACHE_SIDE_FILES
    ]
    if config.path is not None:
        out.append(("config", config.path))
    return out


def check_target(path: Path, config: Config) -> Path:
    """The file to replace for ``path`` (its symlinks followed), or OutputRefused."""
    asked = Path(os.path.abspath(path.expanduser()))
    real = Path(os.path.realpath(asked))
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a symlink loop, a folder we may not search
        raise OutputRefused(path, "failed", exc.strerror or str(exc)) from None
    for reason, guarded in _protected(config):
        guarded_real = Path(os.path.realpath(guarded))
        if guarded_real == real:  # by name: a -wal that does not exist yet is still one
            raise OutputRefused(path, reason)
        if st is not None:
            try:
                other = os.stat(guarded_real)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):  # a hard link
                raise OutputRefused(path, reason)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputRefused(path, "directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputRefused(path, "not_file")
    if not real.parent.is_dir():
        raise OutputRefused(path, "no_folder")
    return real


def write_output(path: Path, data: str | bytes, config: Config) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole, or raise OutputRefused.

    Returns the file written (``path`` with its symlinks followed). A file that
    is replaced keeps its permissions; a new one gets the umask's.
    """
    real = check_target(path, config)
    body = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode: int | None = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = None
    tmp = real.with_name(f".{real.name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never through a file or link someone put there; 0666 less the umask.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise OutputRefused(path, "failed", exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
            if mode is not None:
                os.fchmod(f.fileno(), mode)
        os.replace(tmp, real)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputRefused(path, "failed", exc.strerror or str(exc)) from None
    return real
