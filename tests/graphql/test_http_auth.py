"""Bearer tokens at the HTTP door: a bad token is a 401, a missing one means anonymous."""

from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from backend.accounts.models import User
from tests.conftest import GraphQLClient, operation
from tests.graphql.support import error_codes


def with_authorization(value: str) -> GraphQLClient:
    client = GraphQLClient()
    client.headers["Authorization"] = value
    return client


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"]


def test_valid_access_token_authenticates(alice):
    access = AccessToken.for_user(alice)
    assert with_authorization(f"Bearer {access}").run("me")["username"] == "alice"


def test_expired_access_token_is_401(alice):
    access = AccessToken.for_user(alice)
    access.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))
    assert_unauthorized(with_authorization(f"Bearer {access}").post(operation("me")))


def test_malformed_token_is_401(db):
    assert_unauthorized(with_authorization("Bearer not-a-jwt").post(operation("me")))


def test_token_signed_with_another_key_is_401(alice):
    claims = dict(AccessToken.for_user(alice).payload)
    forged = jwt.encode(claims, "a-signing-key-that-is-not-this-servers-key", algorithm="HS256")
    assert_unauthorized(with_authorization(f"Bearer {forged}").post(operation("me")))


def test_token_of_a_deactivated_user_is_401(alice):
    access = AccessToken.for_user(alice)
    User.objects.filter(id=alice.id).update(is_active=False)
    assert_unauthorized(with_authorization(f"Bearer {access}").post(operation("me")))


@pytest.mark.parametrize("header", ["Basic YWxpY2U6cHc=", "Bearer", "Token abc"])
def test_authorization_that_is_not_a_bearer_token_is_401(db, header):
    assert_unauthorized(with_authorization(header).post(operation("me")))


def test_bad_token_is_refused_even_on_public_fields(db):
    """A client whose token went bad must learn so, not be served silently as anonymous."""
    response = with_authorization("Bearer not-a-jwt").post(
        operation("tokenAuth"), {"username": "alice", "password": "pw-for-tests-1"}
    )
    assert_unauthorized(response)


def test_without_a_token_protected_fields_are_unauthenticated(anonymous):
    answer = anonymous.execute(operation("tasks"))
    assert answer["data"] is None
    assert error_codes(answer) == ["UNAUTHENTICATED"]
    assert answer["errors"][0]["path"] == ["tasks"]


def test_without_a_token_public_mutations_work(anonymous, alice):
    payload = anonymous.run("tokenAuth", username="alice", password="pw-for-tests-1")
    assert payload["user"]["username"] == "alice"
