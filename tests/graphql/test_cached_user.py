"""The signed-in user cached in Redis holds no password hash and no e-mail address (issue 14
found both in the cached rows), and the profile still shows the e-mail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.platform import redis
from backend.platform.authentication import cached_user
from tests.conftest import GraphQLClient
from tests.rest.conftest import ApiClient

# Nothing is cached inside a transaction (backend/caching/store.py).
pytestmark = pytest.mark.django_db(transaction=True)


def everything_in_redis() -> bytes:
    client = redis.sync_client()
    values = []
    for key in client.scan_iter(match=redis.key("*")):
        if client.type(key) == b"string":
            values.append(client.get(key) or b"")
        elif client.type(key) == b"hash":
            values.extend(client.hgetall(key).values())
    return b"\n".join(values)


@pytest.fixture
def signed_in_everywhere(alice):
    assert GraphQLClient(alice).run("me")["username"] == "alice"
    assert ApiClient(alice).get("/api/tasks/").status_code == 200
    return alice


def test_the_cached_user_holds_no_password_hash_or_e_mail(signed_in_everywhere):
    alice = User.objects.get(id=signed_in_everywhere.id)
    stored = everything_in_redis()
    assert b"alice" in stored  # the row is there...
    assert alice.password.encode() not in stored  # ...without what must stay in the database
    assert alice.password.split("$")[-1].encode() not in stored
    assert alice.email.encode() not in stored


def test_the_profile_still_shows_the_e_mail(signed_in_everywhere):
    assert GraphQLClient(signed_in_everywhere).run("me")["email"] == "alice@example.com"
    me = ApiClient(signed_in_everywhere).get("/api/users/me/").json()
    assert me["email"] == "alice@example.com"


def test_the_e_mail_and_password_are_read_from_the_database_when_asked_for(alice):
    cached_user(alice.id)
    user = cached_user(alice.id)
    with CaptureQueriesContext(connection) as queries:
        assert (user.username, user.is_active) == ("alice", True)
    assert len(queries) == 0
    assert user.email == "alice@example.com"
    assert user.check_password("pw-for-tests-1")


def test_saving_a_cached_user_writes_only_what_it_loaded(alice):
    user = cached_user(alice.id)
    user.first_name = "Alice"
    user.save()
    alice.refresh_from_db()
    assert alice.first_name == "Alice"
    assert alice.check_password("pw-for-tests-1")
    assert alice.email == "alice@example.com"
