"""One request id per request, from X-Request-ID or made up, in the answer's X-Request-ID and on
every JSON log line the request causes (DEBUG is off in the tests); no secret in the logs."""

import json
import logging
import logging.config
from io import StringIO

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from websockets.sync.client import connect

from backend.accounts.services import tokens_for
from tests.live_server import LiveServer
from tests.operating.support import graphql, http

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests/conftest.py's make_user


@pytest.fixture
def server(transactional_db, tmp_path):
    live = LiveServer(log_path=tmp_path / "server.log").start()
    try:
        yield live
    finally:
        live.stop()


def log_lines(server) -> list[dict]:
    """The server's log: every line a JSON object."""
    lines = [line for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def test_the_request_id_is_returned_and_on_the_log_lines(server, alice, task):
    token = str(tokens_for(alice).access_token)
    _, headers = graphql(server.url, "tasks", token, headers={"X-Request-ID": "lb-7f3a.42:x"})
    assert headers["X-Request-ID"] == "lb-7f3a.42:x"

    status, rest_headers, _ = http(
        f"{server.url}/api/tasks/",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "rest-1"},
    )
    assert status == 200 and rest_headers["X-Request-ID"] == "rest-1"
    status, page_headers, _ = http(f"{server.url}/about/")
    made_up = page_headers["X-Request-ID"]
    assert status == 200 and len(made_up) == 32

    server.stop()  # flushes the log
    lines = log_lines(server)
    assert all("request_id" in line and "level" in line and "logger" in line for line in lines)
    (graphql_line,) = [line for line in lines if line["request_id"] == "lb-7f3a.42:x"]
    assert graphql_line["logger"] == "stride.access" and graphql_line["route"] == "/graphql/"
    assert graphql_line["status"] == 200
    assert [line["route"] for line in lines if line["request_id"] == "rest-1"] == ["/api/tasks/"]
    assert [line["route"] for line in lines if line["request_id"] == made_up] == ["/about/"]


@pytest.mark.parametrize("sent", ["has spaces", "x" * 65, "new\nline", 'quote"d', "", "ünïcode"])
def test_an_unfit_request_id_is_replaced(sent, db):
    response = Client().get("/api/health/", headers={"X-Request-ID": sent})
    returned = response["X-Request-ID"]
    assert returned != sent and len(returned) == 32


def test_each_request_is_logged_once(server):
    http(f"{server.url}/api/health/", headers={"X-Request-ID": "once-1"})
    http(f"{server.url}/no/such/page/", headers={"X-Request-ID": "once-2"})
    server.stop()
    lines = log_lines(server)
    assert len([line for line in lines if line["request_id"] == "once-1"]) == 1
    assert len([line for line in lines if line["request_id"] == "once-2"]) == 1


def test_no_password_or_token_is_logged(server, alice, bob, task):
    data, _ = graphql(server.url, "tokenAuth", username="alice", password=PASSWORD)
    access = data["tokenAuth"]["access"]
    http(
        f"{server.url}/api/users/login/",
        data=json.dumps({"username": "bob", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    address = server.url.removeprefix("http://")
    with connect(
        f"ws://{address}/ws/notifications/?token={access}",
        additional_headers={"X-Request-ID": "ws-1"},
    ):
        pass
    http(f"{server.url}/api/tasks/?token={access}", headers={"Authorization": f"Bearer {access}"})
    server.stop()
    text = server.log_path.read_text()
    assert PASSWORD not in text and access not in text
    lines = log_lines(server)
    assert any(line["request_id"] == "ws-1" and "WebSocket" in line["message"] for line in lines)


def json_line(logger_name, level, message, *args, **extra) -> str:
    """What `logger_name` writes for this record through Stride's JSON formatter."""
    handler = logging.StreamHandler(stream := StringIO())
    handler.setFormatter(
        logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
            dict(settings.LOGGING["formatters"]["json"])
        )
    )
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        logger.log(level, message, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_json_lines_go_through_the_secret_filters():
    """The access loggers' filters still drop query strings with the JSON formatter."""
    text = json_line(
        "uvicorn.access", logging.WARNING, '%s - "%s %s"', "127.0.0.1", "GET", "/ws/?token=s3cret"
    )
    assert "s3cret" not in text and json.loads(text)["message"].endswith('/ws/"')


def test_djangos_request_is_not_a_field_of_json_lines():
    """Django logs a failed request with the request, whose text has the query string."""
    request = RequestFactory().get("/api/tasks/", {"token": "s3cret"})
    assert "s3cret" in repr(request)
    text = json_line(
        "django.request",
        logging.ERROR,
        "Internal Server Error: %s",
        request.path,
        request=request,
        status_code=500,
    )
    assert "s3cret" not in text and json.loads(text)["status_code"] == 500
