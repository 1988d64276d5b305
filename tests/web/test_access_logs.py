"""Access logs keep the path and drop the query string, which may carry a token (issue 14 found
`?token=` access tokens in access logs)."""

import logging

import pytest
from django.conf import settings

TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret.signature"


def logged(logger_name: str, message: str, args) -> str:
    """The line `logger_name` would write, after its filters (as Logger.handle applies them)."""
    logger = logging.getLogger(logger_name)
    record = logger.makeRecord(logger_name, logging.INFO, __file__, 1, message, args, None)
    assert logger.filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("logger_name", "message", "args"),
    [
        # Uvicorn: '%s - "%s %s HTTP/%s" %d' with the path and its query string
        (
            "uvicorn.access",
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", f"/ws/notifications/?token={TOKEN}", "1.1", 101),
        ),
        # Django's own runserver: the request line
        ("django.server", '"%s" %s %s', (f"GET /graphql/?token={TOKEN} HTTP/1.1", "200", "12")),
    ],
)
def test_access_logs_drop_query_strings(logger_name, message, args):
    line = logged(logger_name, message, args)
    assert TOKEN not in line and "search" not in line
    assert "/ws/notifications/" in line or "/api/tasks/" in line or "/graphql/" in line


def test_every_access_logger_is_filtered():
    for name in settings.ACCESS_LOGGERS:
        assert logging.getLogger(name).filters, name
