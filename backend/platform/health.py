"""Health checks of the services Stride depends on: the database, the cache, the channel layer
and the broker.

Each check is bounded by a short timeout so that a health probe never hangs on a dead service.
Only the database is required: without it nothing works. Without Redis, Stride runs degraded
(reads go to the database, rate limits count in each process, WebSockets are refused with 1013,
background work waits in the outbox), and a load balancer that took every web process out of
rotation for it would turn that into an outage.
"""

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2
REQUIRED = {"database"}


@dataclass(frozen=True)
class Check:
    ok: bool
    ms: float
    error: str = ""


def _timed(name: str, probe) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:
        # The driver's words name hosts and ports: for the log, not for anyone who asks.
        logger.warning("Health check of the %s failed: %r", name, error)
        return Check(False, _ms_since(started), type(error).__name__)
    return Check(True, _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    # The cache swallows connection errors (settings: IGNORE_EXCEPTIONS), so a value that does
    # not come back is how an outage shows here.
    key, value = "health:probe", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise ConnectionError("the cache did not return what was just stored")


def _broker():
    if settings.EMBEDDED:
        return  # tasks run in-process, there is no broker
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)


@async_to_sync
async def _channel_layer():
    """A message sent to a fresh channel of the layer comes back."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
        await layer.send(channel, {"type": "health.probe"})
        await layer.receive(channel)


def check_all() -> dict[str, Check]:
    probes = {
        "database": _database,
        "cache": _cache,
        "channel_layer": _channel_layer,
        "broker": _broker,
    }
    return {name: _timed(name, probe) for name, probe in probes.items()}


def status(checks: dict[str, Check]) -> str:
    """ "ok"; "degraded" when only services Stride can do without are down; else "unavailable"."""
    down = {name for name, check in checks.items() if not check.ok}
    if not down:
        return "ok"
    return "unavailable" if down & REQUIRED else "degraded"
