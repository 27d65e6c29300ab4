"""Login throttling: an in-memory sliding window of failed logins per (username, client address)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from truceline.errors import PermissionDenied

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_S = 300.0
# Bounds memory when someone sprays logins with made-up usernames or addresses.
DEFAULT_MAX_KEYS = 100_000


class LoginThrottle:
    """Refuses a (username, client) after `max_failures` failed logins within `window_s` seconds.

    One instance per process (the web app factory builds it); state is lost on restart, which only
    forgives failures early. `clock` returns seconds and is injected so tests need no sleeping.
    Thread-safe: web handlers may call it from several threads.
    """

    def __init__(
        self,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window_s: float = DEFAULT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if max_failures < 1 or window_s <= 0 or max_keys < 1:
            raise ValueError(
                "expected max_failures >= 1, window_s > 0 and max_keys >= 1, "
                f"got {max_failures}, {window_s}, {max_keys}"
            )
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, username: str, client: str) -> int:
        """Whole seconds until the next attempt is allowed; 0 when it is allowed now."""
        with self._lock:
            now = self._clock()
            times = self._recent(_key(username, client), now)
            if len(times) < self.max_failures:
                return 0
            # The window slides: the attempt is allowed once enough old failures have aged out.
            oldest_that_blocks = times[len(times) - self.max_failures]
            return max(1, math.ceil(oldest_that_blocks + self.window_s - now))

    def check(self, username: str, client: str) -> None:
        """Return None when a login may be tried now; raise PermissionDenied saying how long to wait."""
        wait_s = self.retry_after_s(username, client)
        if wait_s:
            raise PermissionDenied(f"too many failed logins; try again in {wait_s} s")

    def record_failure(self, username: str, client: str) -> None:
        with self._lock:
            now = self._clock()
            key = _key(username, client)
            times = self._recent(key, now)
            if not times and len(self._failures) >= self._max_keys:
                self._make_room(now)
            times.append(now)
            self._failures[key] = times

    def reset(self, username: str, client: str) -> None:
        """Forget the failures of a (username, client) after a successful login."""
        with self._lock:
            self._failures.pop(_key(username, client), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def _make_room(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        while len(self._failures) >= self._max_keys:
            # Evict the key whose latest failure is oldest: it is the closest to being forgiven anyway.
            stalest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[stalest]


def _key(username: str, client: str) -> tuple[str, str]:
    return (username.strip().lower(), client)
