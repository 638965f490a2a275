"""Bounded bookkeeping against abuse: failed-login bans and new-connection rates.

Every table here is an LRU of bounded size, so that no client, however many
addresses or user names it makes up, can grow the server's memory: past
``max_entries`` the least recently touched entry is forgotten (for a ban,
that is the one closest to its natural end among the quiet ones).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A dict that forgets its least recently used entry past ``size`` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


class FailureLimiter(Generic[K]):
    """Failed logins per key (an address, or an address and a user name).

    ``max_failures`` within ``window`` seconds bans the key for
    ``ban_seconds``. Both tables hold at most ``max_entries`` keys.
    """

    def __init__(
        self,
        max_failures: int,
        window: float,
        ban_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.ban_seconds = ban_seconds
        self.clock = clock
        self._failures: _Lru[K, deque[float]] = _Lru(max_entries)
        self._banned: _Lru[K, float] = _Lru(max_entries)

    def banned_for(self, key: K) -> float:
        """Seconds the key is still refused, 0 if it is not."""
        until = self._banned.get(key)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            self._banned.pop(key)
            return 0.0
        return left

    def failed(self, key: K) -> bool:
        """Count one failure; ``True`` if the key is now banned."""
        now = self.clock()
        times = self._failures.get(key)
        if times is None:
            times = deque(maxlen=max(self.max_failures, 1))
            self._failures.put(key, times)
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.max_failures:
            self._banned.put(key, now + self.ban_seconds)
            self._failures.pop(key)
            return True
        return False

    def __len__(self) -> int:
        return len(self._failures) + len(self._banned)


class RateLimiter(Generic[K]):
    """At most ``limit`` events per key within ``window`` seconds (a sliding window)."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._times: _Lru[K, deque[float]] = _Lru(max_entries)

    def allow(self, key: K) -> bool:
        """Count one event for ``key``; ``False`` (not counted) if it is over the rate."""
        if self.limit <= 0:
            return True
        now = self.clock()
        times = self._times.get(key)
        if times is None:
            times = deque(maxlen=self.limit)
            self._times.put(key, times)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def __len__(self) -> int:
        return len(self._times)
