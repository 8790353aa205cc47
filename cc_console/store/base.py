"""The cache's one connection: opening it, transactions, and SQLite failures as StoreError."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from cc_console.errors import ReadOnlyError, StoreError
from cc_console.store import holders
from cc_console.store.schema import SCHEMA_VERSION, migrate

__all__ = ["Cache", "read_old"]


def has_data(path: Path) -> bool:
    """Whether ``path`` already holds data (an empty file is a cache still to be made)."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return True


def _busy_timeout_ms() -> int:
    """How long a writer waits for another (``CC_CONSOLE_BUSY_TIMEOUT_MS``, default 15 s)."""
    try:
        return max(0, int(os.environ.get("CC_CONSOLE_BUSY_TIMEOUT_MS", "15000")))
    except ValueError:
        return 15_000


def read_old(old_path: Path, table: str, columns: str = "*") -> tuple[list[str], list[Any]]:
    """Columns and rows of ``table`` in another cache, opened read-only (a rebuild's source).

    A table the old cache does not have yet gives no rows.

    Raises:
        StoreError: the old cache cannot be read.
    """
    try:
        old = sqlite3.connect(f"file:{old_path}?mode=ro", uri=True)
        try:
            known = old.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()
            if known is None:
                return [], []
            # (In the order of the first column: the key, also of a WITHOUT ROWID table.)
            cur = old.execute(f"SELECT {columns} FROM {table} ORDER BY 1")
            return [d[0] for d in cur.description], cur.fetchall()
        finally:
            old.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the {table} of {old_path}: {exc}") from None


def _writable(path: Path) -> bool:
    """Whether this process may write the cache and make its -wal/-shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _wal_present(path: Path) -> bool:
    """Whether a writer keeps the cache in WAL mode right now (its -shm file exists)."""
    return Path(f"{path}-shm").exists() and Path(f"{path}-wal").exists()


def _who_may(path: Path) -> str:
    """Why reading failed, in the words an operator can act on."""
    try:
        st = path.stat()
    except OSError as exc:
        return f"{exc.strerror} (check the folder's permissions)"
    try:
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
    except (ImportError, KeyError):
        owner = f"uid {st.st_uid}"
    return (
        f"permission denied (owner {owner}, mode {st.st_mode & 0o777:o}); ask {owner} "
        "to let your group read it (chmod 640 and a shared group), or use another --db"
    )


class Cache:
    """The connection and its discipline, shared by the table families of the store.

    One connection, guarded by a lock so that pollers in worker threads and the
    UI thread take turns.  Writes use ``BEGIN IMMEDIATE`` so concurrent
    processes queue on the busy timeout instead of failing half-way.
    """

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        self.busy_ms = _busy_timeout_ms()
        self._frozen = False  # opened immutable: nobody was writing it
        self._hold: int | None = None  # the shared lock that says "open here"
        # Run inside every write transaction just before it commits (the outbox
        # turns the transaction's events into messages there).
        self.before_commit: list[Callable[[sqlite3.Connection], object]] = []
        try:
            self.conn = self._connect()
        except BaseException:
            holders.release(self._hold)
            raise
        # No plugin discovery: the cache has no use for third-party plugins,
        # and scanning every installed package's entry points slows each start.
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)

    # -- opening -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        existed = path.exists()
        if not existed:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Created 0600: the cache holds the journal and operators' names.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass
            except OSError as exc:
                raise StoreError(f"cannot create the cache {path}: {exc.strerror}") from None
        elif path.is_dir():
            raise StoreError(f"the cache {path} is a directory; point --db at a file")
        elif not os.access(path, os.R_OK):
            raise StoreError(f"cannot read the cache {path}: {_who_may(path)}")
        elif not has_data(path):
            # An empty file (touch, a 0-byte --db) becomes a new cache: 0600 like one.
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)
        elif self.read_only and not _writable(path):
            # A watcher may read a cache it cannot write (another user's poller
            # keeps it); it must not try to switch modes or migrate it.
            return self._connect_read_only()
        self._take_hold()
        try:
            conn = sqlite3.connect(
                path,
                timeout=self.busy_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the cache {path}: {exc}") from None
        try:
            # Read the header before anything writes, so a file that is not a
            # SQLite database is refused and left exactly as it was.
            conn.execute("PRAGMA schema_version").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {self.busy_ms}")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(self._explain(exc)) from None
        except StoreError:
            conn.close()
            raise
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """Open without write access: live while the owner's poller keeps the WAL
        files, else as last written (``immutable``), reopened live once they appear."""
        path = self.path
        self._take_hold()
        self._frozen = not _wal_present(path)
        mode = "ro&immutable=1" if self._frozen else "ro"
        uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode={mode}"
        try:
            conn = sqlite3.connect(
                uri,
                uri=True,
                timeout=self.busy_ms / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute(f"PRAGMA busy_timeout = {self.busy_ms}")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read the cache {path} without write access: {exc}") from None
        if version != SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"the cache {path} has schema version {version}, this cc-console reads "
                f"{SCHEMA_VERSION}; its owner must open it once with this version"
            )
        return conn

    def _take_hold(self) -> None:
        """Say "open here" (a rebuild waits for us; we wait for a rebuild)."""
        holders.release(self._hold)
        self._hold = None
        self._hold = holders.shared(self.path, self.busy_ms / 1000)

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            return (
                f"the cache {self.path} is not a valid cc-console database ({text}); "
                "move it aside or run `cc-console doctor`"
            )
        if "locked" in text or "busy" in text:
            return (
                f"the cache {self.path} stayed locked by another process for "
                f"{self.busy_ms / 1000:g}s; try again"
            )
        if "readonly" in text or "unable to open" in text or "permission" in text.lower():
            return f"cannot write the cache {self.path}: {text} (check its permissions)"
        return f"cache {self.path}: {text}"

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            holders.release(self._hold)
            self._hold = None

    # -- discipline ---------------------------------------------------------------

    @contextlib.contextmanager
    def big_cache(self, rows: int) -> Iterator[None]:
        """A 64 MiB page cache while writing ``rows`` rows, if many (a reader's stays small)."""
        if rows < 20_000:
            yield
            return
        with self._lock:
            self.conn.execute("PRAGMA cache_size = -65536")
            try:
                yield
            finally:
                self.conn.execute("PRAGMA cache_size = -2000")

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(self._explain(exc)) from None
            try:
                yield self.conn
                for hook in self.before_commit:
                    hook(self.conn)
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(self._explain(exc)) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read query; rows as dicts."""
        with self._lock:
            try:
                return list(self.db.query(sql, params))
            except sqlite3.Error as exc:
                raise StoreError(self._explain(exc)) from None

    def tuples(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run a read query; rows as tuples (for many rows: no dict per row)."""
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(self._explain(exc)) from None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a read query that returns one value."""
        with self._lock:
            try:
                row = self.conn.execute(sql, params).fetchone()
            except sqlite3.Error as exc:
                raise StoreError(self._explain(exc)) from None
        return None if row is None else row[0]

    def require_writable(self, what: str) -> None:
        """Refuse operator writes in read-only mode (enforced here, not only in the UI)."""
        if self.read_only:
            raise ReadOnlyError(
                f"read-only mode: {what} refused (start without --read-only)", key="read_only"
            )

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits.

        A cache opened frozen (read-only, no writer then) is reopened live as soon
        as a writer's WAL files appear, and reports a new version once.
        """
        if self._frozen and _wal_present(self.path):
            with self._lock:
                fresh = self._connect_read_only()
                self.conn.close()
                self.conn = fresh
                self.db = sqlite_utils.Database(fresh, execute_plugins=False)
            return -2 - int(self.scalar("PRAGMA data_version"))
        return int(self.scalar("PRAGMA data_version"))

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check`` lines (``["ok"]`` when sound)."""
        return [r["integrity_check"] for r in self.rows("PRAGMA integrity_check")]

    def schema_version(self) -> int:
        """The cache's ``PRAGMA user_version``."""
        return int(self.scalar("PRAGMA user_version"))
