"""Redis connections that count the commands they send (stride_redis_commands_total), for the
cache and rate limits (django-redis and backend/platform/redis.py) and the channel layer.

A command goes through `send_command`, a pipeline through `pack_commands`: both public methods
of redis-py's connections, so no client is patched.
"""

import redis.asyncio.connection
import redis.connection

from backend.platform.metrics import REDIS_COMMANDS


class CacheConnection(redis.connection.Connection):
    def send_command(self, *args, **kwargs):
        REDIS_COMMANDS.labels("cache").inc()
        return super().send_command(*args, **kwargs)

    def pack_commands(self, commands):
        commands = list(commands)
        REDIS_COMMANDS.labels("cache").inc(len(commands))
        return super().pack_commands(commands)


class _AsyncCountedConnection(redis.asyncio.connection.Connection):
    client = ""

    async def send_command(self, *args, **kwargs):
        REDIS_COMMANDS.labels(self.client).inc()
        return await super().send_command(*args, **kwargs)

    def pack_commands(self, commands):
        commands = list(commands)
        REDIS_COMMANDS.labels(self.client).inc(len(commands))
        return super().pack_commands(commands)


class AsyncCacheConnection(_AsyncCountedConnection):
    client = "cache"


class ChannelLayerConnection(_AsyncCountedConnection):
    client = "channel_layer"


def plain_tcp(url: str) -> bool:
    """Only `redis://` URLs use these classes (TLS and Unix sockets have their own)."""
    return url.startswith("redis://")
