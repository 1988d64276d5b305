"""The Redis connections behind caching and rate limits.

Synchronous code uses django-redis's pool; the HTTP front door's async path, one asyncio client
per event loop, so that a cached answer costs no thread hop. Keys carry CACHE_KEY_PREFIX, so
installations sharing a Redis stay apart. Without a Redis cache there is no client: no caching,
no rate limits.
"""

import asyncio
import weakref

import redis
import redis.asyncio
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from backend.platform.counted_redis import AsyncCacheConnection, plain_tcp

# What a Redis outage raises: callers degrade (read the database, limit nobody), never fail.
UNAVAILABLE = (redis.RedisError, OSError)

_async_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def key(name: str) -> str:
    """`name` as stored: with the cache's prefix and version."""
    return cache.make_key(name)


def sync_client() -> redis.Redis | None:
    try:
        return get_redis_connection("default")
    except NotImplementedError:  # not a Redis cache
        return None


def async_client() -> redis.asyncio.Redis | None:
    """This event loop's client (an asyncio connection belongs to the loop that made it)."""
    if sync_client() is None:
        return None
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        options = settings.CACHES["default"].get("OPTIONS", {})
        location = settings.CACHES["default"]["LOCATION"]
        counted = {"connection_class": AsyncCacheConnection} if plain_tcp(location) else {}
        client = redis.asyncio.Redis.from_url(
            location,
            socket_timeout=options.get("SOCKET_TIMEOUT"),
            socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT"),
            **counted,
        )
        _async_clients[loop] = client
    return client


async def close_async_client() -> None:
    """Close this event loop's client: for a loop made for one request, before it ends."""
    client = _async_clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()
