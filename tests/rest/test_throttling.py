"""Rate limits: the same budgets for REST and GraphQL, and sign-in attempts per address and per
(username, address), answered with 429 and Retry-After."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from backend.platform import ratelimit
from backend.platform.local_store import ExpiringValues
from backend.platform.ratelimit import UserThrottle
from tests.conftest import GraphQLClient, operation
from tests.rest.conftest import ApiClient, assert_error
from tests.settings import CACHES

RATES = {"anon": "100/min", "user": "3/min", "login_address": "4/min", "login_username": "2/min"}


@pytest.fixture(autouse=True)
def tiny_rates(settings):
    cache.delete_pattern("throttle_*")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    yield
    cache.delete_pattern("throttle_*")


def assert_limited(response):
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) >= 1


def test_anonymous_requests_are_limited_per_address(settings, db):
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {**RATES, "anon": "2/min"}
    client = ApiClient()
    for _ in range(2):
        assert client.post("/api/users/token/refresh/", {"refresh": "x"}).status_code == 400
    assert_limited(client.post("/api/users/token/refresh/", {"refresh": "x"}))
    assert_error(client.post("/api/users/token/refresh/", {"refresh": "x"}), 429)
    assert_limited(GraphQLClient().post(operation("me")))
    other_address = client.http.post(
        "/api/users/token/refresh/", {}, content_type="application/json", REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 400


def test_signed_in_requests_are_limited_per_user(api_alice, api_bob):
    for _ in range(3):
        assert api_alice.get("/api/tasks/").status_code == 200
    assert_limited(api_alice.get("/api/tasks/"))
    assert api_bob.get("/api/tasks/").status_code == 200


def test_graphql_operations_share_the_users_budget(alice, api_alice):
    graphql = GraphQLClient(alice)
    assert api_alice.get("/api/tasks/").status_code == 200
    assert graphql.run("me")["username"] == "alice"
    assert api_alice.get("/api/tasks/").status_code == 200
    response = graphql.post(operation("me"))
    assert_limited(response)
    assert "errors" in response.json()


def login_from(address, username, password):
    return ApiClient().http.post(
        "/api/users/login/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_login_attempts_are_limited_per_username_and_address(db, alice):
    for _ in range(2):
        assert login_from("10.0.0.1", "alice", "wrong").status_code == 401
    assert_limited(login_from("10.0.0.1", "alice", "pw-for-tests-1"))
    assert_limited(login_from("10.0.0.1", "ALICE ", "wrong"))


def test_a_strangers_attempts_never_lock_the_owner_out(db, alice):
    """Issue 14: 15 wrong passwords from anywhere locked the real owner out of their account."""
    for _ in range(5):
        login_from("10.0.0.66", "alice", "wrong")
    assert login_from("10.0.0.7", "alice", "pw-for-tests-1").status_code == 200
    answer = GraphQLClient().post(
        operation("tokenAuth"), {"username": "alice", "password": "pw-for-tests-1"}
    )
    assert "access" in answer.json()["data"]["tokenAuth"]


def test_login_attempts_are_limited_per_address_across_usernames(api, alice, bob):
    for username in ("alice", "bob", "carol", "dave"):
        response = api.post("/api/users/login/", {"username": username, "password": "x"})
        assert response.status_code == 401
    assert_limited(api.post("/api/users/login/", {"username": "erin", "password": "x"}))


def test_token_auth_mutation_counts_the_same_attempts(api, alice):
    assert api.post("/api/users/login/", {"username": "alice", "password": "x"}).status_code == 401
    anonymous = GraphQLClient()
    variables = {"username": "alice", "password": "x"}
    assert anonymous.post(operation("tokenAuth"), variables).status_code == 200
    response = anonymous.post(operation("tokenAuth"), variables)
    assert_limited(response)
    assert "sign-in" in response.json()["errors"][0]["message"]


class Clock:
    """The time a throttle reads, moved by the test (a period is 60 s for "/min")."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(start=600_000 * 60.0)  # the start of a window
    monkeypatch.setattr(UserThrottle, "timer", clock)
    return clock


def test_the_previous_window_counts_for_the_part_of_it_the_last_minute_still_covers(
    clock, api_alice
):
    for _ in range(3):
        assert api_alice.get("/api/tasks/").status_code == 200
    refused = api_alice.get("/api/tasks/")
    assert_limited(refused)
    assert int(refused["Retry-After"]) == 60  # this window is full until it ends

    clock.now += 90  # half-way into the next window: 3 * 0.5 + 1 = 2.5 fit under 3
    assert api_alice.get("/api/tasks/").status_code == 200
    assert_limited(api_alice.get("/api/tasks/"))

    clock.now += 60  # the full window before is gone; the half-way one weighs 1 * 0.5
    for _ in range(2):
        assert api_alice.get("/api/tasks/").status_code == 200
    assert_limited(api_alice.get("/api/tasks/"))


def test_a_refused_request_is_not_counted(clock, api_alice):
    for _ in range(3):
        assert api_alice.get("/api/tasks/").status_code == 200
    for _ in range(5):
        assert_limited(api_alice.get("/api/tasks/"))

    clock.now += 60 + 45  # the full window before weighs 3 * 0.25: two more fit, not fewer
    for _ in range(2):
        assert api_alice.get("/api/tasks/").status_code == 200
    assert_limited(api_alice.get("/api/tasks/"))


def test_limits_still_apply_while_the_cache_is_down(api_alice, monkeypatch):
    # Issue 14: with Redis down, limits were off. Now each process counts on its own.
    monkeypatch.setattr(ratelimit, "LOCAL_COUNTS", ExpiringValues())
    dead = {"default": {**CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=dead):
        for _ in range(3):
            assert api_alice.get("/api/tasks/").status_code == 200
        assert_limited(api_alice.get("/api/tasks/"))
        assert_limited(GraphQLClient(api_alice.user).post(operation("me")))
