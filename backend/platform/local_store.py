"""Counters kept in this process when Redis does not answer, for the rate limits and the sign-in
backoff: limits that still apply (per process, so N web processes let through up to N times the
rate) rather than none while Redis is down."""

import threading
import time


class ExpiringValues:
    """Values under keys, each forgotten `ttl` seconds after it was last written, with at most
    `max_keys` kept (the oldest written go first: clients rotating addresses cannot grow it
    without bound). Thread-safe: web requests run on many threads."""

    def __init__(self, max_keys: int = 100_000):
        self.max_keys = max_keys
        self._values: dict[str, tuple[object, float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def get(self, key: str, default=None):
        with self._lock:
            value, expires = self._values.get(key, (default, 0.0))
            return value if expires > time.monotonic() else default

    def set(self, key: str, value, ttl: float) -> None:
        with self._lock:
            self._write(key, value, ttl)

    def add(self, key: str, amount: int, ttl: float) -> int:
        """The counter under `key` plus `amount` (from 0 when absent), stored and returned."""
        with self._lock:
            value, expires = self._values.get(key, (0, 0.0))
            value = (value if expires > time.monotonic() else 0) + amount
            self._write(key, value, ttl)
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def _write(self, key: str, value, ttl: float) -> None:
        now = time.monotonic()
        self._values.pop(key, None)  # to the end of the insertion order: the newest
        self._values[key] = (value, now + ttl)
        if now >= self._next_sweep or len(self._values) > self.max_keys:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        self._next_sweep = now + 1.0
        for key in [key for key, (_, expires) in self._values.items() if expires <= now]:
            del self._values[key]
        while len(self._values) > self.max_keys:
            del self._values[next(iter(self._values))]
