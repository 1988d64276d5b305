"""Cached answers under versions, read in one Redis round trip, never stale after a write.

An answer depends on *versions* (`lists:user:7`, `task:42`, ...), each a random token in Redis
that a write replaces (`bump`, after commit: backend/caching/invalidation.py). An answer is
stored with the tokens it was computed under, and a Redis script returns it only while all are
current: one round trip, and no key scan to invalidate. Tokens are random rather than counters,
so that one lost to eviction comes back with a value no answer was stored under; and they are
taken before the answer is computed, so that a write committing meanwhile makes it stale.

Nothing is cached inside a transaction (a read there may see uncommitted rows), with
CACHE_SELECTORS off, or without Redis; when Redis does not answer, answers are computed.
"""

import hashlib
import json
import logging
import pickle
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection

from backend.platform import metrics, redis

logger = logging.getLogger(__name__)

# Tokens outlive every answer stored under them; one that expires is made anew, and the answers
# stored under the old one are never read again.
VERSION_TIMEOUT = 60 * 60 * 24
LIST_TIMEOUT = 60
DETAIL_TIMEOUT = 5 * 60

# The stored value is a JSON line of [version key, token] pairs, then the answer. The script
# reads other keys than the one it is given: fine on one Redis server, not on a Redis Cluster.
_READ_CURRENT = """
local stored = redis.call('GET', KEYS[1])
if not stored then return false end
local cut = string.find(stored, '\\n', 1, true)
for _, version in ipairs(cjson.decode(string.sub(stored, 1, cut - 1))) do
  if redis.call('GET', version[1]) ~= version[2] then return false end
end
return string.sub(stored, cut + 1)
"""


def applies() -> bool:
    return (
        settings.CACHE_SELECTORS
        and not connection.in_atomic_block
        and redis.sync_client() is not None
    )


def entry_key(name: str, params: Any) -> str:
    """The key of one answer; `params` must be picklable and deterministic (plain values)."""
    digest = hashlib.blake2b(pickle.dumps(params), digest_size=16).hexdigest()
    return redis.key(f"{name}:{digest}")


def _version_key(name: str) -> str:
    # Not "version:": processes of the scheme before this one would misread these tokens.
    return redis.key(f"token:{name}")


def bump(names: Iterable[str]) -> None:
    """Give each version a new token: every answer that depended on it is stale."""
    client, names = redis.sync_client(), set(names)
    if client is None or not names:
        return
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.set(_version_key(name), uuid.uuid4().hex[:16], ex=VERSION_TIMEOUT)
    try:
        pipe.execute()
    except redis.UNAVAILABLE:
        logger.warning("Cache unavailable: could not invalidate %s", sorted(names))


def read(name: str, params: Any) -> bytes | None:
    """The answer stored for `name` and `params` if it is still current."""
    client = redis.sync_client()
    if client is None:
        return None
    try:
        found = client.register_script(_READ_CURRENT)(keys=[entry_key(name, params)])
    except redis.UNAVAILABLE:
        logger.warning("Cache unavailable: reading %s from the database", name)
        return None
    metrics.count_cache_read(name, found is not None)
    return found


async def aread(name: str, params: Any) -> bytes | None:
    """`read()`, from an event loop."""
    client = redis.async_client()
    if client is None:
        return None
    try:
        found = await client.register_script(_READ_CURRENT)(keys=[entry_key(name, params)])
    except redis.UNAVAILABLE:
        logger.warning("Cache unavailable: reading %s from the database", name)
        return None
    metrics.count_cache_read(name, found is not None)
    return found


class Slot:
    """Where an answer not found in the cache goes, with the tokens it is computed under."""

    def __init__(self, key: str, versions: list[tuple[str, str]]):
        self.key = key
        self.versions = versions

    def store(self, answer: bytes, timeout: int) -> None:
        if timeout <= 0:
            return
        header = json.dumps(self.versions, separators=(",", ":")).encode()
        try:
            redis.sync_client().set(self.key, header + b"\n" + answer, ex=timeout)
        except redis.UNAVAILABLE:
            logger.warning("Cache unavailable: not storing %s", self.key)


def slot(name: str, params: Any, depends_on: Iterable[str]) -> Slot | None:
    """A slot for an answer about to be computed: the current tokens of `depends_on` (made for
    versions that have none yet). None when Redis does not answer."""
    client = redis.sync_client()
    keys = sorted({_version_key(version) for version in depends_on})
    try:
        tokens = client.mget(keys)
        missing = [key for key, token in zip(keys, tokens, strict=True) if token is None]
        if missing:
            pipe = client.pipeline(transaction=False)
            for key in missing:
                # NX: a concurrent bump is never undone by a reader.
                pipe.set(key, uuid.uuid4().hex[:16], ex=VERSION_TIMEOUT, nx=True)
            pipe.execute()
            tokens = client.mget(keys)
    except redis.UNAVAILABLE:
        logger.warning("Cache unavailable: not caching %s", name)
        return None
    if any(token is None for token in tokens):
        return None
    return Slot(
        entry_key(name, params),
        [[key, token.decode()] for key, token in zip(keys, tokens, strict=True)],
    )


def read_through(
    *,
    name: str,
    params: Any,
    depends_on: Iterable[str],
    timeout: int | Callable[[Any], int],
    compute: Callable[[], Any],
    cacheable: Callable[[Any], bool] = lambda value: True,
) -> tuple[Any, bool]:
    """`compute()`'s value, cached; and whether it came from the cache. `timeout` may depend
    on the value; a value `cacheable` refuses is returned but not stored."""
    if not applies():
        return compute(), False
    found = read(name, params)
    if found is not None:
        return pickle.loads(found), True  # noqa: S301 (written by this module only)
    empty = slot(name, params, depends_on)
    value = compute()
    if empty is not None and cacheable(value):
        empty.store(pickle.dumps(value), timeout(value) if callable(timeout) else timeout)
    return value, False
