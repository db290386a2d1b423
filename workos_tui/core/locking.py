"""The workspace lock: an exclusive advisory lock on `<workspace>.lock`.

On POSIX it is a few `fcntl.flock` calls: importing the filelock package costs ~50 ms,
a fifth of the quick-capture budget. Elsewhere (Windows) filelock does the job. Both use
flock on the same lock file, so processes of either kind exclude each other.
"""

from __future__ import annotations

import os
import time
from typing import Any

POLL_S = 0.005


class WorkspaceLock:
    """Reentrant within one instance; exclusive between processes (and instances)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0
        self._fallback: Any = None
        try:
            import fcntl  # noqa: F401
        except ImportError:  # pragma: no cover - Windows
            from filelock import FileLock

            self._fallback = FileLock(path, thread_local=False)

    def acquire(self, timeout: float) -> None:
        """Wait up to `timeout` seconds; raises TimeoutError, or OSError if the lock file
        cannot be opened."""
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.acquire(timeout=timeout)
            return
        if self._depth:
            self._depth += 1
            return
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise TimeoutError(self.path) from None
                time.sleep(POLL_S)
            except BaseException:
                os.close(fd)
                raise
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()
            return
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            import fcntl

            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
