"""DEBUG error pages never show passwords or tokens (issue 14: a registration's DEBUG page
showed the plaintext password)."""

import json
import sys

import pytest
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from backend.accounts.models import User


@pytest.fixture
def saving_users_fails(monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(User, "save", broken)


def test_a_debug_page_of_a_failed_sign_in_hides_the_password(settings, staff, saving_users_fails):
    settings.DEBUG = True
    password = "pw-for-tests" + "-1"  # built, so that the page's source excerpts cannot hold it
    response = Client(raise_request_exception=False).post(
        "/admin/login/", {"username": "staff", "password": password}
    )
    assert response.status_code == 500
    page = response.content.decode()
    assert "the database went away" in page  # the DEBUG page, with its frames and variables
    assert password not in page


def _fail_with(data):
    described = f"LoginSerializer(data={data!r})"  # what DRF's repr of a serializer shows
    raise ValueError("boom", len(described))


def test_a_debug_page_hides_json_secrets_and_the_bearer_token_in_every_frame(settings):
    settings.DEBUG = True
    secrets = {name: f"{name}-{'s3cr3t' * 2}" for name in ("password", "refresh", "token")}
    body = json.dumps({"username": "alice", **secrets})
    request = RequestFactory().post(
        "/api/users/login/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secrets['token']}",
    )
    try:
        _fail_with(json.loads(body))
    except ValueError:
        page = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert "boom" in page
    for secret in secrets.values():
        assert secret not in page
