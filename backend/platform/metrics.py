"""Prometheus metrics, served at /metrics (backend/platform/metrics_view.py).

Every label takes a bounded set of values: routes are URL patterns (`api/tasks/<int:pk>/`), not
paths; GraphQL operation names beyond the first MAX_OPERATION_NAMES a process has seen, or not
shaped like GraphQL names, count as "(other)"; cache names, event and task types come from code.

Several processes on one machine (Uvicorn or Gunicorn workers, Celery's prefork pool) each count
their own: with PROMETHEUS_MULTIPROC_DIR set (an empty directory, wiped before they start, the
same for all of them) each writes its values there and /metrics in any web process adds them up.
Gauges of live things (open sockets, the database pool) count live processes only.
"""

import atexit
import os
import re
import threading
import time

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics, multiprocess

# `*_created` series double the output and no dashboard reads them.
disable_created_metrics()

# The HTTP front door (backend/platform/observed.py).
HTTP_REQUESTS = Counter(
    "stride_http_requests",
    "HTTP requests answered, by route and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "stride_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# GraphQL operations over HTTP and WebSocket (schema/observability.py, schema/view.py).
GRAPHQL_OPERATIONS = Counter(
    "stride_graphql_operations",
    "GraphQL operations by name, type and outcome: ok, error (the result has errors) or cached "
    "(answered from the response cache without executing).",
    ["operation", "type", "outcome"],
)
MAX_OPERATION_NAMES = 200
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_operation_names: set[str] = set()
_operation_names_lock = threading.Lock()

# Cached answers of the selectors and of whole GraphQL responses (backend/caching/store.py).
CACHE_READS = Counter(
    "stride_cache_reads",
    "Reads of cached answers, by cache and result (hit, miss).",
    ["cache", "result"],
)

# WebSockets (backend/platform/observed.py) and the events the realtime hub hands to them.
WEBSOCKETS_OPEN = Gauge(
    "stride_websockets_open",
    "WebSockets open now, by endpoint.",
    ["endpoint"],
    multiprocess_mode="livesum",
)
WEBSOCKET_CONNECTIONS = Counter(
    "stride_websocket_connections", "WebSockets accepted, by endpoint.", ["endpoint"]
)
EVENTS_DELIVERED = Counter(
    "stride_realtime_events_delivered",
    "Events the realtime hub handed to a listening socket, by type.",
    ["type"],
)

# Celery (workers/observability.py); the queue's length is read when /metrics is asked.
CELERY_TASKS = Counter(
    "stride_celery_tasks",
    "Celery tasks that ended, by task and outcome: succeeded, failed, retried.",
    ["task", "outcome"],
)
CELERY_TASK_DURATION = Histogram(
    "stride_celery_task_duration_seconds",
    "Time a task ran in a worker, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)

# The database: statements sent, and the psycopg pool of each process.
DB_QUERIES = Counter("stride_db_queries", "SQL statements sent to the database.")
DB_POOL_CONNECTIONS = Gauge(
    "stride_db_pool_connections",
    "Connections of the psycopg pools: open (size), idle in the pool (available), most allowed "
    "(max).",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "stride_db_pool_requests_waiting",
    "Threads waiting for a connection of the pool.",
    multiprocess_mode="livesum",
)
# How often a process reads its pool's figures, at most: they are read after requests.
POOL_READ_INTERVAL_SECONDS = 1.0
_pool_read_at = 0.0

# Redis commands of Stride's own clients (the cache, rate limits, the channel layer); Celery's
# broker connections are not counted.
REDIS_COMMANDS = Counter(
    "stride_redis_commands", "Commands sent to Redis, by client: cache, channel_layer.", ["client"]
)


def operation_label(name: str | None) -> str:
    if not name:
        return "(anonymous)"
    if name in _operation_names:
        return name
    if not _GRAPHQL_NAME.fullmatch(name):
        return "(other)"
    with _operation_names_lock:
        if len(_operation_names) >= MAX_OPERATION_NAMES:
            return "(other)"
        _operation_names.add(name)
    return name


def count_graphql_operation(name: str | None, operation_type: str, outcome: str) -> None:
    GRAPHQL_OPERATIONS.labels(operation_label(name), operation_type, outcome).inc()


def count_cache_read(cache: str, hit: bool) -> None:
    CACHE_READS.labels(cache, "hit" if hit else "miss").inc()


def count_sql(execute, sql, params, many, context):
    """A database execute wrapper (Django's `connection.execute_wrapper`)."""
    DB_QUERIES.inc()
    return execute(sql, params, many, context)


def read_pool(force: bool = False) -> None:
    """Copy this process's database pool figures into the gauges (at most once a second)."""
    global _pool_read_at
    now = time.monotonic()
    if not force and now - _pool_read_at < POOL_READ_INTERVAL_SECONDS:
        return
    _pool_read_at = now
    from django.db import connections

    pool = getattr(connections["default"], "pool", None)
    if pool is None:
        return
    stats = pool.get_stats()
    DB_POOL_CONNECTIONS.labels("size").set(stats.get("pool_size", 0))
    DB_POOL_CONNECTIONS.labels("available").set(stats.get("pool_available", 0))
    DB_POOL_CONNECTIONS.labels("max").set(stats.get("pool_max", 0))
    DB_POOL_WAITING.set(stats.get("requests_waiting", 0))


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The live gauges of a process that ends stop counting (Celery's pool processes, which end
    # without running this, say so themselves: workers/observability.py).
    atexit.register(lambda: multiprocess.mark_process_dead(os.getpid()))
