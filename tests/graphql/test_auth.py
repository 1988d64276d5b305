"""register, tokenAuth, refreshToken, revokeToken, me and updateProfile over GraphQL."""

from backend.accounts.models import User
from tests.conftest import GraphQLClient, operation
from tests.graphql.support import error_codes, problem_on, problems

STRONG_PASSWORD = "correct-Horse-battery-9"


def register(client, **fields):
    input = {
        "username": "carol",
        "email": "carol@example.com",
        "password": STRONG_PASSWORD,
        **fields,
    }
    return client.run("register", input=input)


def signed_in(access: str) -> GraphQLClient:
    client = GraphQLClient()
    client.headers["Authorization"] = f"Bearer {access}"
    return client


# register


def test_register_creates_the_user_and_signs_in(anonymous):
    payload = register(anonymous, firstName="Carol", lastName="Jones", email=" Carol@Example.COM ")
    assert payload["user"]["username"] == "carol"
    assert payload["user"]["email"] == "carol@example.com"
    assert payload["user"]["firstName"] == "Carol"
    user = User.objects.get(username="carol")
    assert user.check_password(STRONG_PASSWORD)
    assert user.is_active
    assert signed_in(payload["access"]).run("me")["username"] == "carol"


def test_register_with_a_taken_username_in_other_case_is_refused(anonymous, alice):
    payload = register(anonymous, username="ALICE")
    assert problem_on(payload, "username")["code"] == "username_taken"
    assert not User.objects.filter(username="ALICE").exists()


def test_register_with_a_taken_email_in_other_case_is_refused(anonymous, alice):
    payload = register(anonymous, email="Alice@EXAMPLE.com")
    assert problem_on(payload, "email")["code"] == "email_taken"
    assert not User.objects.filter(username="carol").exists()


def test_register_with_a_weak_password_is_refused(anonymous):
    payload = register(anonymous, password="12345678")
    codes = {message["code"] for message in problems(payload)}
    assert {message["field"] for message in problems(payload)} == {"password"}
    assert {"password_too_common", "password_entirely_numeric"} <= codes
    assert not User.objects.filter(username="carol").exists()


def test_register_with_an_invalid_email_is_refused(anonymous):
    payload = register(anonymous, email="not-an-address")
    assert problem_on(payload, "email")["code"] == "invalid"


def test_register_with_blank_fields_reports_every_field_at_once(anonymous):
    payload = register(anonymous, username=" ", email="", password="")
    assert {message["field"] for message in problems(payload)} == {
        "username",
        "email",
        "password",
    }
    assert all(message["kind"] == "BAD_USER_INPUT" for message in problems(payload))


def test_register_without_a_required_field_is_a_request_error(anonymous):
    response = anonymous.post(
        operation("register"),
        {"input": {"username": "carol", "email": "carol@example.com"}},
        Accept="application/graphql-response+json",
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"][0]["message"]
    assert not User.objects.filter(username="carol").exists()


# tokenAuth


def test_token_auth_with_the_right_password_returns_a_working_pair(anonymous, alice):
    payload = anonymous.run("tokenAuth", username="alice", password="pw-for-tests-1")
    assert payload["user"]["username"] == "alice"
    assert payload["access"] and payload["refresh"]
    assert signed_in(payload["access"]).run("me")["id"] == str(alice.id)
    alice.refresh_from_db()
    assert alice.last_login is not None


def test_token_auth_ignores_the_case_of_the_username(anonymous, alice):
    payload = anonymous.run("tokenAuth", username="ALICE", password="pw-for-tests-1")
    assert payload["user"]["id"] == str(alice.id)


def test_token_auth_with_a_wrong_password_is_refused(anonymous, alice):
    payload = anonymous.run("tokenAuth", username="alice", password="wrong")
    (message,) = problems(payload)
    assert message["kind"] == "UNAUTHENTICATED"
    assert message["field"] is None
    assert message["code"] == "invalid_credentials"


def test_token_auth_of_an_inactive_user_is_refused(anonymous, alice):
    User.objects.filter(id=alice.id).update(is_active=False)
    payload = anonymous.run("tokenAuth", username="alice", password="pw-for-tests-1")
    assert problems(payload)[0]["code"] == "invalid_credentials"


def test_token_auth_of_an_unknown_user_is_refused_like_a_wrong_password(anonymous):
    payload = anonymous.run("tokenAuth", username="nobody", password="pw-for-tests-1")
    assert problems(payload)[0]["code"] == "invalid_credentials"


# refreshToken and revokeToken


def sign_in(client, username="alice"):
    return client.run("tokenAuth", username=username, password="pw-for-tests-1")


def test_refresh_token_returns_a_new_working_pair(anonymous, alice):
    first = sign_in(anonymous)
    second = anonymous.run("refreshToken", refresh=first["refresh"])
    assert second["user"]["username"] == "alice"
    assert second["refresh"] != first["refresh"]
    assert signed_in(second["access"]).run("me")["username"] == "alice"


def test_refreshed_token_cannot_be_used_again(anonymous, alice):
    first = sign_in(anonymous)
    anonymous.run("refreshToken", refresh=first["refresh"])
    again = anonymous.run("refreshToken", refresh=first["refresh"])
    assert problem_on(again, "refresh")["code"] == "token_not_valid"


def test_refresh_with_garbage_is_refused(anonymous):
    payload = anonymous.run("refreshToken", refresh="not.a.token")
    assert problem_on(payload, "refresh")["code"] == "token_not_valid"


def test_refresh_with_an_access_token_is_refused(anonymous, alice):
    payload = anonymous.run("refreshToken", refresh=sign_in(anonymous)["access"])
    assert problem_on(payload, "refresh")["code"] == "token_not_valid"


def test_refresh_of_a_deactivated_user_is_refused(anonymous, alice):
    pair = sign_in(anonymous)
    User.objects.filter(id=alice.id).update(is_active=False)
    payload = anonymous.run("refreshToken", refresh=pair["refresh"])
    assert problem_on(payload, "refresh")["code"] == "token_not_valid"


def test_revoked_refresh_token_can_no_longer_be_refreshed(anonymous, alice):
    pair = sign_in(anonymous)
    assert anonymous.run("revokeToken", refresh=pair["refresh"]) == {"ok": True}
    payload = anonymous.run("refreshToken", refresh=pair["refresh"])
    assert problem_on(payload, "refresh")["code"] == "token_not_valid"


def test_revoking_an_invalid_token_is_refused(anonymous):
    payload = anonymous.run("revokeToken", refresh="not.a.token")
    assert problem_on(payload, "refresh")["code"] == "token_not_valid"


# me and updateProfile


def test_me_returns_the_signed_in_users_profile(as_alice, alice):
    me = as_alice.run("me")
    assert me == {
        "id": str(alice.id),
        "username": "alice",
        "email": "alice@example.com",
        "firstName": "",
        "lastName": "",
        "timeZone": "UTC",
        "emailOnAssignment": True,
        "emailOnReminders": True,
        "isStaff": False,
        "dateJoined": me["dateJoined"],
    }


def test_me_without_a_token_is_unauthenticated(anonymous):
    answer = anonymous.execute(operation("me"))
    assert answer["data"] is None
    assert error_codes(answer) == ["UNAUTHENTICATED"]


def test_update_profile_changes_only_the_given_fields(as_alice, alice):
    profile = as_alice.run(
        "updateProfile",
        input={"firstName": "Alice", "timeZone": "Europe/Paris", "emailOnReminders": False},
    )
    assert profile["firstName"] == "Alice"
    assert profile["timeZone"] == "Europe/Paris"
    assert profile["emailOnReminders"] is False
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.email_on_assignment) == ("Alice", "", True)


def test_update_profile_normalises_a_new_email(as_alice, alice):
    profile = as_alice.run("updateProfile", input={"email": " Alice.New@Example.COM "})
    assert profile["email"] == "alice.new@example.com"


def test_update_profile_with_an_unknown_time_zone_is_refused(as_alice, alice):
    payload = as_alice.run("updateProfile", input={"timeZone": "Mars/Olympus_Mons"})
    assert problem_on(payload, "timeZone")["code"] == "invalid_time_zone"
    alice.refresh_from_db()
    assert alice.time_zone == "UTC"


def test_update_profile_with_someone_elses_email_is_refused(as_alice, bob):
    payload = as_alice.run("updateProfile", input={"email": "BOB@example.com"})
    assert problem_on(payload, "email")["code"] == "email_taken"


def test_update_profile_with_a_null_email_is_a_validation_error(as_alice, alice):
    payload = as_alice.run("updateProfile", input={"email": None})
    assert problem_on(payload, "email")["code"] == "null"


def test_update_profile_with_a_null_name_clears_it(as_alice, alice):
    User.objects.filter(id=alice.id).update(first_name="Alice")
    assert as_alice.run("updateProfile", input={"firstName": None})["firstName"] == ""


def test_update_profile_without_a_token_is_unauthenticated(anonymous):
    answer = anonymous.execute(operation("updateProfile"), {"input": {"firstName": "X"}})
    assert answer["data"] is None
    assert error_codes(answer) == ["UNAUTHENTICATED"]
