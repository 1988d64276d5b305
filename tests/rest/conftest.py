import json

import pytest
from django.test import Client

from backend.platform.errors import ErrorCode, code_for_status
from tests.conftest import bearer_headers


class ApiClient:
    """Speaks JSON to the REST layer the way a client does, optionally with a Bearer token."""

    def __init__(self, user=None):
        self.http = Client()
        self.user = user
        self.headers = bearer_headers(user)

    def request(self, method, path, body=None, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.http.generic(
            method,
            path,
            data if body is not None else "",
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def get(self, path, params=None, **headers):
        return self.http.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path, body=None, **headers):
        return self.request("POST", path, body, **headers)

    def put(self, path, body=None, **headers):
        return self.request("PUT", path, body, **headers)

    def patch(self, path, body=None, **headers):
        return self.request("PATCH", path, body, **headers)

    def delete(self, path, **headers):
        return self.request("DELETE", path, **headers)


def assert_error(response, status, *fields):
    """The REST error shape with this status, naming exactly these fields (if any), and the
    code of the one list every front door shares."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "code", "field_errors"}, body
    assert body["code"] in set(ErrorCode), body
    if status != 400:  # a 400 is BAD_USER_INPUT, or BAD_REQUEST when the body is not JSON
        assert body["code"] == code_for_status(status), body
    assert isinstance(body["error"], str) and body["error"]
    assert sorted(body["field_errors"]) == sorted(fields), body
    return body


@pytest.fixture
def api(db):
    return ApiClient()


@pytest.fixture
def api_alice(alice):
    return ApiClient(alice)


@pytest.fixture
def api_bob(bob):
    return ApiClient(bob)


@pytest.fixture
def api_mallory(mallory):
    return ApiClient(mallory)


@pytest.fixture
def api_staff(staff):
    return ApiClient(staff)
