"""Which errors count as a service down (backend/platform/outages.py), the one decision every
door's 503 rests on, and the in-process counters that stand in for Redis."""

import django.db
import psycopg
import pytest
import redis
from psycopg import errors
from psycopg_pool import PoolTimeout

from backend.platform.local_store import ExpiringValues
from backend.platform.outages import DATABASE, REDIS, unavailable_service


def _wrapped_by_django(error):
    """As Django raises a driver error: its own class, from the driver's."""
    try:
        try:
            raise error
        except psycopg.Error as driver_error:
            raise django.db.OperationalError(str(driver_error)) from driver_error
    except django.db.OperationalError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (psycopg.OperationalError("connection refused"), DATABASE),
        (psycopg.InterfaceError("the connection is closed"), DATABASE),
        (PoolTimeout("couldn't get a connection after 1.50 sec"), DATABASE),
        (errors.AdminShutdown(), DATABASE),
        (errors.TooManyConnections(), DATABASE),
        (errors.ConnectionFailure(), DATABASE),
        (redis.ConnectionError("Error 111 connecting"), REDIS),
        (redis.TimeoutError("Timeout reading from socket"), REDIS),
        # About a statement, not the server: a bug or a conflict, never "try again later".
        (errors.QueryCanceled(), None),
        (errors.DeadlockDetected(), None),
        (errors.UniqueViolation(), None),
        (ConnectionError("not Redis"), None),
        (ValueError("a bug"), None),
    ],
)
def test_which_errors_mean_a_service_is_down(error, service):
    assert unavailable_service(error) == service
    if isinstance(error, psycopg.Error):
        assert unavailable_service(_wrapped_by_django(error)) == service


def test_a_bug_met_while_handling_an_outage_stays_a_bug():
    try:
        try:
            raise redis.ConnectionError("Redis is down")
        except redis.ConnectionError:
            raise AttributeError("a typo in the except block")
    except AttributeError as bug:
        assert unavailable_service(bug) is None


def test_the_local_counters_expire_and_stay_bounded(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("backend.platform.local_store.time.monotonic", lambda: now[0])
    values = ExpiringValues(max_keys=3)
    assert [values.add("a", 1, ttl=10) for _ in range(3)] == [1, 2, 3]
    now[0] += 11
    assert values.get("a", 0) == 0
    assert values.add("a", 1, ttl=10) == 1  # counting again from zero
    for key in "bcde":
        values.set(key, key, ttl=10)
    # The oldest written went first: at most three kept.
    assert [values.get(key) for key in "abcde"] == [None, None, "c", "d", "e"]
