"""Exponential backoff after failed sign-ins, per (username, client address).

Counted per address, a stranger's failures never delay the owner signing in from their own
address; a guesser's wait doubles with each failure past the first few. State lives in Redis
beside the rate limits; while Redis does not answer (or without it), in this process's memory,
so that guessing gets no faster during an outage.
"""

import contextlib
import time

from django.conf import settings

from backend.platform import redis
from backend.platform.local_store import ExpiringValues
from backend.platform.ratelimit import RateLimited

timer = time.time  # what the tests move

# (failures, time of the last one) per key while Redis does not answer.
LOCAL_FAILURES = ExpiringValues()


def _key(username: str, address: str) -> str:
    return redis.key(f"signin-failures:{username.strip().lower()[:150]}@{address}")


def _forget_after() -> int:
    # Forgotten once a whole maximum backoff has passed without another failure.
    return 2 * settings.LOGIN_BACKOFF_MAX_SECONDS


def _recorded(key: str) -> tuple[int, float]:
    """(failures in a row, time of the last one) under `key`."""
    client = redis.sync_client()
    if client is not None:
        try:
            failures, last = client.hmget(key, "failures", "last")
            return int(failures or 0), float(last or 0)
        except redis.UNAVAILABLE:
            pass
    return LOCAL_FAILURES.get(key, (0, 0.0))


def check(username: str, address: str) -> None:
    """RateLimited while the last failure's backoff has not run out."""
    failures, last = _recorded(_key(username, address))
    excess = failures - settings.LOGIN_FREE_FAILURES
    if excess < 0:
        return
    delay = min(settings.LOGIN_BACKOFF_MAX_SECONDS, 2**excess)
    wait = float(last) + delay - timer()
    if wait > 0:
        raise RateLimited(
            wait,
            f"Too many failed sign-ins for this username from your address; try again in "
            f"{max(1, round(wait))} seconds.",
        )


def failed(username: str, address: str) -> None:
    key, client = _key(username, address), redis.sync_client()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.hincrby(key, "failures", 1)
            pipe.hset(key, "last", timer())
            pipe.expire(key, _forget_after())
            pipe.execute()
            return
        except redis.UNAVAILABLE:
            pass
    failures, _ = LOCAL_FAILURES.get(key, (0, 0.0))
    LOCAL_FAILURES.set(key, (failures + 1, timer()), _forget_after())


def succeeded(username: str, address: str) -> None:
    key, client = _key(username, address), redis.sync_client()
    LOCAL_FAILURES.delete(key)
    if client is not None:
        with contextlib.suppress(redis.UNAVAILABLE):
            client.delete(key)
