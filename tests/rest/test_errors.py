"""Malformed requests get the error shape and a 4xx status, never a server error."""

import pytest
from django.test import Client, override_settings

from tests.rest.conftest import assert_error


def test_bad_json_is_a_bad_request(api_alice):
    body = assert_error(api_alice.post("/api/tasks/", '{"title": "unterminated'), 400)
    assert "JSON" in body["error"]


def test_invalid_utf8_is_a_bad_request(api_alice):
    assert_error(api_alice.post("/api/tasks/", b'{"title": "\xff\xfe"}'), 400)


@pytest.mark.parametrize("payload", ["[1, 2]", '"a string"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_bad_request(api_alice, payload):
    assert_error(api_alice.post("/api/tasks/", payload), 400)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_huge_body_is_refused_as_too_large(api_alice):
    response = api_alice.post("/api/tasks/", {"title": "x", "description": "y" * 2000})
    assert_error(response, 413)


def test_a_form_body_is_an_unsupported_media_type(api_alice):
    response = api_alice.http.post(
        "/api/tasks/", {"title": "x"}, headers=api_alice.headers
    )  # multipart, as a browser form sends it
    assert_error(response, 415)


def test_a_method_the_endpoint_does_not_have_is_not_allowed(api_alice):
    response = api_alice.delete("/api/tasks/")
    assert_error(response, 405)
    assert "GET" in response["Allow"]


def test_an_unknown_endpoint_is_a_json_not_found(api_alice):
    assert_error(api_alice.get("/api/nothing/here/"), 404)


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_an_unknown_endpoint_is_a_json_not_found_for_every_method(alice, method):
    # As a browser's client: Django's test client skips the CSRF check unless told not to.
    http = Client(enforce_csrf_checks=True)
    http.force_login(alice)

    response = http.generic(method, "/api/data/nothing/", "{}", content_type="application/json")

    assert response["Content-Type"] == "application/json"
    if method == "HEAD":
        assert response.status_code == 404
    else:
        assert assert_error(response, 404)["error"] == "No such endpoint."


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("signed_in", [True, False])
def test_an_unknown_path_without_its_slash_is_a_json_not_found_too(alice, method, signed_in):
    http = Client(enforce_csrf_checks=True)
    if signed_in:
        http.force_login(alice)

    response = http.generic(method, "/api/nothing", "{}", content_type="application/json")

    assert assert_error(response, 404)["error"] == "No such endpoint."


def test_a_known_endpoint_without_its_slash_is_redirected_or_named(api_alice):
    redirect = api_alice.get("/api/tasks", {"page": "2"})
    assert redirect.status_code == 301
    assert redirect["Location"] == "/api/tasks/?page=2"

    body = assert_error(api_alice.post("/api/tasks", {"title": "x"}), 404)
    assert "/api/tasks/" in body["error"]


def test_a_non_numeric_id_is_not_found(api_alice):
    assert_error(api_alice.get("/api/tasks/abc/"), 404)


def test_wrong_types_are_field_errors(api_alice):
    response = api_alice.post(
        "/api/tasks/", {"title": {"nested": 1}, "priority": 3, "assignee_id": True}
    )
    assert_error(response, 400, "title", "priority", "assignee_id")


def test_nul_characters_in_a_filter_are_a_field_error(api_alice):
    assert_error(api_alice.get("/api/tasks/", {"search": "a\x00b"}), 400, "search")


def test_an_anonymous_write_is_unauthorized(api):
    assert_error(api.post("/api/tasks/", {"title": "x"}), 401)
