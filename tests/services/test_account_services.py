"""Accounts: registration, profile and the JWT token life cycle."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from backend.accounts.services import (
    issue_tokens,
    refresh_tokens,
    register_user,
    revoke_token,
    update_profile,
)


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def test_register_normalises_username_and_email(db):
    user = register_user(username=" carol ", email=" Carol@EXAMPLE.com", password="Tr1cky-enough")
    assert (user.username, user.email) == ("carol", "carol@example.com")
    assert user.check_password("Tr1cky-enough")


def test_register_reports_every_problem_at_once(db):
    with pytest.raises(ValidationError) as raised:
        register_user(username="", email="nope", password="123")
    assert codes(raised.value) == {
        "username": {"blank"},
        "email": {"invalid"},
        "password": {"password_too_short", "password_too_common", "password_entirely_numeric"},
    }


def test_register_refuses_a_password_like_the_username(db):
    with pytest.raises(ValidationError) as raised:
        register_user(username="carolinejones", email="c@example.com", password="carolinejones1")
    assert codes(raised.value) == {"password": {"password_too_similar"}}


def test_update_profile_refuses_unknown_fields(alice):
    with pytest.raises(ValidationError):
        update_profile(user=alice, is_staff=True)
    alice.refresh_from_db()
    assert not alice.is_staff


def test_update_profile_keeps_ones_own_email(alice):
    assert update_profile(user=alice, email="ALICE@example.com").email == "alice@example.com"


def test_issue_tokens_refuses_bad_credentials(alice):
    with pytest.raises(ValidationError) as raised:
        issue_tokens(username="alice", password="wrong")
    assert raised.value.code == "invalid_credentials"


def test_refresh_rotates_and_blacklists_the_old_token(alice):
    _, first = issue_tokens(username="alice", password="pw-for-tests-1")
    user, second = refresh_tokens(refresh=str(first))
    assert user == alice
    assert str(second) != str(first)
    assert BlacklistedToken.objects.filter(token__jti=first["jti"]).exists()
    with pytest.raises(ValidationError):
        refresh_tokens(refresh=str(first))


def test_revoked_token_cannot_be_refreshed(alice):
    _, pair = issue_tokens(username="alice", password="pw-for-tests-1")
    revoke_token(refresh=str(pair))
    with pytest.raises(ValidationError) as raised:
        refresh_tokens(refresh=str(pair))
    assert codes(raised.value) == {"refresh": {"token_not_valid"}}
