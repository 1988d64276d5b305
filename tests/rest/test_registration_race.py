"""Registrations of one username at the same moment: one account, every other request a 400 with
a field error, over REST and GraphQL (issue 14 saw 13 HTTP 500s and raw constraint errors)."""

import json
import threading

import pytest
from django.db import connection

from backend.accounts import services
from backend.accounts.models import User
from tests.conftest import GraphQLClient, operation
from tests.rest.conftest import ApiClient, assert_error

REGISTER = "/api/users/register/"
PASSWORD = "correct-horse-battery"


def rest_registration(username, email):
    return ApiClient().post(
        REGISTER,
        {"username": username, "email": email, "password": PASSWORD, "password2": PASSWORD},
    )


def graphql_registration(username, email):
    return GraphQLClient().post(
        operation("register"),
        {"input": {"username": username, "email": email, "password": PASSWORD}},
    )


@pytest.fixture
def check_passes_then_someone_else_registers(monkeypatch):
    """The race, made certain: the uniqueness check passes, then another request registers the
    same name and e-mail before this one writes."""
    check = services._check_unique

    def racing(*, username=None, email=None, exclude_id=None):
        check(username=username, email=email, exclude_id=exclude_id)
        User.objects.create_user(username=username.upper(), email=email.upper(), password="x")

    monkeypatch.setattr(services, "_check_unique", racing)


def test_rest_registration_that_loses_the_race_is_a_field_error(
    db, check_passes_then_someone_else_registers
):
    body = assert_error(rest_registration("carol", "carol@example.com"), 400, "username")
    assert body["field_errors"]["username"] == ["A user with that username already exists."]
    assert PASSWORD not in json.dumps(body)


def test_graphql_registration_that_loses_the_race_is_a_field_error(
    db, check_passes_then_someone_else_registers
):
    response = graphql_registration("carol", "carol@example.com")
    assert response.status_code == 200
    (message,) = response.json()["data"]["register"]["messages"]
    assert (message["field"], message["code"]) == ("username", "username_taken")
    assert "constraint" not in response.content.decode()


def test_a_profile_e_mail_taken_meanwhile_is_a_field_error(alice, monkeypatch):
    check = services._check_unique

    def racing(*, username=None, email=None, exclude_id=None):
        check(username=username, email=email, exclude_id=exclude_id)
        User.objects.create_user(username="other", email=email, password="x")

    monkeypatch.setattr(services, "_check_unique", racing)
    response = ApiClient(alice).patch("/api/users/me/", {"email": "new@example.com"})
    assert_error(response, 400, "email")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("register", [rest_registration, graphql_registration])
def test_concurrent_registrations_of_one_username_make_one_account(register):
    answers, start = [], threading.Barrier(8)

    def attempt(number):
        try:
            start.wait()
            answers.append(register("dave", f"dave{number}@example.com"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert User.objects.filter(username__iexact="dave").count() == 1
    statuses = sorted(answer.status_code for answer in answers)
    if register is rest_registration:
        assert statuses == [201] + [400] * 7
    else:
        assert statuses == [200] * 8
        payloads = [a.json()["data"]["register"] for a in answers]
        signed_in = [p for p in payloads if "access" in p]
        assert len(signed_in) == 1, payloads
        refused = [p for p in payloads if "access" not in p]
        assert all(r["messages"][0]["code"] == "username_taken" for r in refused), payloads
