"""Health checks of the services Stride depends on: the database, the cache and the broker.

Each check is bounded by a short timeout so that a health probe never hangs on a dead service.
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

CHECK_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Check:
    ok: bool
    ms: float
    error: str = ""


def _timed(probe) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:
        return Check(False, _ms_since(started), f"{type(error).__name__}: {error}"[:200])
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


def check_all() -> dict[str, Check]:
    return {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
