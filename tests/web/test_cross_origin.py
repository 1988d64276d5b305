"""A page on another site cannot act through a visitor's session cookie on /graphql/.

Issue 14 reported a staff session running `createTask` from `Origin: http://evil.example`. The
HTTP endpoint authenticates by Bearer token only (schema/view.py), so it needs no CSRF token: a
cookie is ignored, over the ASGI application and the Django view alike. This pins that. (The
WebSocket checks the Origin of session-signed sockets: tests/realtime/test_socket_auth.py.)
"""

import json

import pytest
from django.test import Client

from backend.tasks.models import Task
from tests.conftest import GRAPHQL_URL, operation
from tests.web.test_asgi_http import call

CREATE = {"query": operation("createTask"), "variables": {"input": {"title": "Forged"}}}
EVIL = "http://evil.example"


@pytest.fixture
def staff_session(staff):
    browser = Client()
    browser.force_login(staff)
    return browser


def assert_not_signed_in(answer: dict):
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_cross_origin_cookie_request_cannot_act_over_the_django_view(staff_session):
    response = staff_session.post(
        GRAPHQL_URL, json.dumps(CREATE), content_type="application/json", headers={"Origin": EVIL}
    )
    assert_not_signed_in(response.json())
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_a_cross_origin_cookie_request_cannot_act_over_asgi(staff_session):
    cookie = f"sessionid={staff_session.cookies['sessionid'].value}".encode()
    status, _, body = await call(
        GRAPHQL_URL,
        method="POST",
        body=json.dumps(CREATE).encode(),
        headers=[
            (b"content-type", b"application/json"),
            (b"cookie", cookie),
            (b"origin", EVIL.encode()),
        ],
    )
    assert status == 200
    assert_not_signed_in(json.loads(body))
    assert not await Task.objects.aexists()
