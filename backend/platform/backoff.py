"""Exponential backoff after failed sign-ins, per (username, client address).

Counted per address, a stranger's failures never delay the owner signing in from their own
address; a guesser's wait doubles with each failure past the first few. State lives in Redis
beside the rate limits; without Redis there is no backoff (the rate limits still count).
"""

import contextlib
import time

from django.conf import settings

from backend.platform import redis
from backend.platform.ratelimit import RateLimited

timer = time.time  # what the tests move


def _key(username: str, address: str) -> str:
    return redis.key(f"signin-failures:{username.strip().lower()[:150]}@{address}")


def check(username: str, address: str) -> None:
    """RateLimited while the last failure's backoff has not run out."""
    client = redis.sync_client()
    if client is None:
        return
    try:
        failures, last = client.hmget(_key(username, address), "failures", "last")
    except redis.UNAVAILABLE:
        return
    excess = int(failures or 0) - settings.LOGIN_FREE_FAILURES
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
    client = redis.sync_client()
    if client is None:
        return
    key = _key(username, address)
    with contextlib.suppress(redis.UNAVAILABLE):
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(key, "failures", 1)
        pipe.hset(key, "last", timer())
        # Forgotten once a whole maximum backoff has passed without another failure.
        pipe.expire(key, 2 * settings.LOGIN_BACKOFF_MAX_SECONDS)
        pipe.execute()


def succeeded(username: str, address: str) -> None:
    client = redis.sync_client()
    if client is None:
        return
    with contextlib.suppress(redis.UNAVAILABLE):
        client.delete(_key(username, address))
