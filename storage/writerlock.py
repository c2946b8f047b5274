"""The database's one-writer lock: whoever opens it for writing (storage.Store) holds it."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class DatabaseLocked(Exception):
    """Another process writes this database (a crawl or an ingester); the message says who."""


class WriterLock:
    """The database's one-writer lock: an flock on `<real path of the database>.lock`.

    The path is resolved first, so a symlink, a relative path or `dir/../` reach the same lock.
    Taking it twice in one process is allowed (the crawl command takes it, then the pipeline
    inside the same process); it is released when every holder has released it."""

    _held: dict[str, "WriterLock"] = {}

    def __init__(self, db: str | Path) -> None:
        self.path = Path(os.path.realpath(db) + ".lock")
        self.fh: IO[str] | None = None
        self.holders = 0

    @classmethod
    def acquire(cls, db: str | Path) -> "WriterLock":
        """The lock, taken; DatabaseLocked when another process holds it."""
        key = os.path.realpath(db)
        lock = cls._held.get(key)
        if lock is None:
            lock = cls(db)
            lock._take()
            cls._held[key] = lock
        lock.holders += 1
        return lock

    def _take(self) -> None:
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise DatabaseLocked(f"another crawl is running on this database ({holder}; lock {self.path})") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        self.holders -= 1
        if self.holders > 0 or self.fh is None:
            return
        WriterLock._held.pop(str(self.path)[:-len(".lock")], None)
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()
        self.fh = None


__all__ = ["DatabaseLocked", "WriterLock"]
