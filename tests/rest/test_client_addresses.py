"""Which address a request is counted under, and the sign-in backoff per username and address.

Issue 14: rotating `X-Forwarded-For` let 40 of 40 sign-ins and 200 of 200 anonymous requests
through the limits; the header is now believed only from TRUSTED_PROXIES.
"""

import pytest
from django.core.cache import cache

from backend.platform import backoff
from backend.platform.addresses import client_address
from backend.platform.local_store import ExpiringValues
from tests.conftest import GraphQLClient, operation
from tests.rest.conftest import ApiClient

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
RATES = {
    "anon": "100/min",
    "user": "100/min",
    "login_address": "100/min",
    "login_username": "100/min",
}


@pytest.fixture(autouse=True)
def rates(settings):
    cache.delete_pattern("throttle_*")
    cache.delete_pattern("signin-failures:*")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    yield
    cache.delete_pattern("throttle_*")
    cache.delete_pattern("signin-failures:*")


def anonymous_rest(forwarded_for, peer="127.0.0.1"):
    return ApiClient().http.post(
        "/api/users/token/refresh/",
        {"refresh": "x"},
        content_type="application/json",
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def anonymous_graphql(forwarded_for):
    return GraphQLClient().post(operation("me"), **{"X-Forwarded-For": forwarded_for})


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        (["10.0.0.1"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4", "1.2.3.4"),
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 1.2.3.4, 10.9.9.9", "1.2.3.4"),
        (["10.0.0.0/8"], "10.0.0.1", "10.2.2.2, 10.3.3.3", "10.2.2.2"),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "not-an-address, 1.2.3.4", "1.2.3.4"),
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, not-an-address", "10.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address(settings, trusted, peer, forwarded, client):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta) == client


@pytest.fixture
def two_anonymous_requests_a_minute(settings):
    rates = {**RATES, "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.parametrize("request_from", [anonymous_rest, anonymous_graphql])
def test_rotating_x_forwarded_for_does_not_escape_the_limit(
    db, two_anonymous_requests_a_minute, request_from
):
    answers = [request_from(f"198.51.100.{n}") for n in range(4)]
    assert [answer.status_code for answer in answers[2:]] == [429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(
    db, settings, two_anonymous_requests_a_minute
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(2):
        assert anonymous_rest("198.51.100.1").status_code == 400
    assert anonymous_rest("198.51.100.1").status_code == 429
    assert anonymous_rest("198.51.100.2").status_code == 400
    # What the client wrote before the proxy's entry is not believed.
    assert anonymous_rest("9.9.9.9, 198.51.100.1").status_code == 429


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(backoff, "timer", clock)
    return clock


def login(address, password, username="alice"):
    return ApiClient().http.post(
        "/api/users/login/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_failed_sign_ins_back_off_exponentially_per_address(db, alice, clock, settings):
    settings.LOGIN_FREE_FAILURES = 3
    for _ in range(3):
        assert login("10.0.0.66", "wrong").status_code == 401
    refused = login("10.0.0.66", "pw-for-tests-1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"

    clock.now += 1.1
    assert login("10.0.0.66", "wrong").status_code == 401  # the 4th failure: now 2 s
    clock.now += 1.5
    assert login("10.0.0.66", "wrong").status_code == 429
    assert login("10.0.0.7", "pw-for-tests-1").status_code == 200  # the owner, elsewhere

    clock.now += 0.6
    assert login("10.0.0.66", "pw-for-tests-1").status_code == 200  # a success clears it
    for _ in range(3):
        assert login("10.0.0.66", "wrong").status_code == 401


def test_the_backoff_is_capped(db, alice, clock, settings):
    settings.LOGIN_FREE_FAILURES = 1
    settings.LOGIN_BACKOFF_MAX_SECONDS = 4
    for _ in range(6):
        assert login("10.0.0.66", "wrong").status_code == 401
        clock.now += 5
    clock.now -= 5
    assert int(login("10.0.0.66", "wrong")["Retry-After"]) <= 4


def test_token_auth_backs_off_like_the_rest_login(db, alice, clock, settings):
    settings.LOGIN_FREE_FAILURES = 2
    for _ in range(2):
        assert login("127.0.0.1", "wrong").status_code == 401
    response = GraphQLClient().post(
        operation("tokenAuth"), {"username": "alice", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 429
    assert "failed sign-ins" in response.json()["errors"][0]["message"]


def test_the_backoff_still_applies_while_the_cache_is_down(db, alice, clock, settings, monkeypatch):
    # Issue 14: the backoff failed open when Redis did not answer.
    monkeypatch.setattr(backoff, "LOCAL_FAILURES", ExpiringValues())
    settings.LOGIN_FREE_FAILURES = 2
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    for _ in range(2):
        assert login("10.0.0.66", "wrong").status_code == 401
    assert login("10.0.0.66", "pw-for-tests-1").status_code == 429
    assert login("10.0.0.7", "pw-for-tests-1").status_code == 200  # the owner, elsewhere
    clock.now += 1.1
    assert login("10.0.0.66", "pw-for-tests-1").status_code == 200  # a success clears it
    assert login("10.0.0.66", "wrong").status_code == 401
