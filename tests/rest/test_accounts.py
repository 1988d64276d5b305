from rest_framework_simplejwt.tokens import AccessToken

from backend.accounts.models import User
from tests.rest.conftest import ApiClient, assert_error

REGISTER = "/api/users/register/"
LOGIN = "/api/users/login/"
REFRESH = "/api/users/token/refresh/"
LOGOUT = "/api/users/logout/"
ME = "/api/users/me/"

NEW_USER = {
    "username": "john_doe",
    "email": "john@example.com",
    "password": "SecurePass123!",
    "password2": "SecurePass123!",
    "first_name": "John",
    "last_name": "Doe",
}


def test_register_answers_in_the_shape_of_brief_002(api):
    response = api.post(REGISTER, NEW_USER)
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(username="john_doe")
    assert body["user"] == {
        "id": user.id,
        "username": "john_doe",
        "email": "john@example.com",
        "first_name": "John",
        "last_name": "Doe",
    }
    assert body["message"] == "User registered successfully"
    assert AccessToken(body["tokens"]["access"])["user_id"] == str(user.id)
    assert set(body["tokens"]) == {"access", "refresh"}


def test_register_with_differing_passwords_is_refused(api):
    response = api.post(REGISTER, {**NEW_USER, "password2": "Other-pass-123"})
    assert_error(response, 400, "password2")
    assert not User.objects.filter(username="john_doe").exists()


def test_register_reports_every_field_problem_of_the_service(api, alice):
    response = api.post(
        REGISTER, {**NEW_USER, "email": "not-an-address", "password": "1", "password2": "1"}
    )
    assert_error(response, 400, "email", "password")


def test_register_with_a_taken_username_is_refused(api, alice):
    response = api.post(REGISTER, {**NEW_USER, "username": "ALICE"})
    assert_error(response, 400, "username")


def test_register_without_fields_names_each_missing_one(api):
    response = api.post(REGISTER, {})
    assert_error(response, 400, "username", "email", "password", "password2")


def test_login_answers_with_user_and_tokens(api, alice):
    response = api.post(LOGIN, {"username": "alice", "password": "pw-for-tests-1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["message"] == "Login successful"
    assert AccessToken(body["tokens"]["access"])["user_id"] == str(alice.id)


def test_login_with_a_wrong_password_is_unauthorized(api, alice):
    response = api.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert_error(response, 401)


def test_refresh_rotates_the_refresh_token(api, alice):
    tokens = api.post(LOGIN, {"username": "alice", "password": "pw-for-tests-1"}).json()["tokens"]
    response = api.post(REFRESH, {"refresh": tokens["refresh"]})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}
    assert_error(api.post(REFRESH, {"refresh": tokens["refresh"]}), 400, "refresh")


def test_logout_revokes_the_refresh_token(api, alice):
    tokens = api.post(LOGIN, {"username": "alice", "password": "pw-for-tests-1"}).json()["tokens"]
    response = api.post(LOGOUT, {"refresh": tokens["refresh"]})
    assert response.status_code == 200
    assert response.json() == {"message": "Logged out"}
    assert_error(api.post(REFRESH, {"refresh": tokens["refresh"]}), 400, "refresh")


def test_logout_with_a_garbage_token_is_a_field_error(api):
    assert_error(api.post(LOGOUT, {"refresh": "garbage"}), 400, "refresh")


def test_me_shows_the_profile(api_alice, alice):
    body = api_alice.get(ME).json()
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["time_zone"] == "UTC"


def test_me_patch_changes_only_the_fields_sent(api_alice, alice):
    response = api_alice.patch(ME, {"first_name": "Alice", "time_zone": "Europe/Paris"})
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert (alice.first_name, alice.time_zone, alice.email) == (
        "Alice",
        "Europe/Paris",
        "alice@example.com",
    )


def test_me_patch_with_an_unknown_time_zone_is_a_field_error(api_alice):
    assert_error(api_alice.patch(ME, {"time_zone": "Mars/Olympus"}), 400, "time_zone")


def test_me_patch_with_a_taken_email_is_a_field_error(api_alice, bob):
    assert_error(api_alice.patch(ME, {"email": "BOB@example.com"}), 400, "email")


def test_me_patch_cannot_change_read_only_fields(api_alice, alice):
    api_alice.patch(ME, {"username": "eve", "is_staff": True})
    alice.refresh_from_db()
    assert (alice.username, alice.is_staff) == ("alice", False)


def test_me_without_a_token_is_unauthorized(api):
    response = api.get(ME)
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_with_a_malformed_token_is_unauthorized(db):
    client = ApiClient()
    assert_error(client.get(ME, Authorization="Bearer not-a-jwt"), 401)
