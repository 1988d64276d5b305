"""/metrics serves operators (a token, or the loopback reached directly) and nobody else."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PUBLIC = "203.0.113.9"
TOKEN = "metrics-token-for-tests-0123456789"


def get(remote_addr="127.0.0.1", **headers):
    return Client(REMOTE_ADDR=remote_addr).get("/metrics", headers=headers)


def test_the_loopback_reads_the_metrics():
    response = get()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"# TYPE stride_http_requests_total counter" in response.content


def test_the_public_is_answered_404():
    assert get(PUBLIC).status_code == 404


def test_a_request_through_a_proxy_is_not_let_in_by_its_address():
    """Behind nginx on this machine every visitor arrives from the loopback."""
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert get(**{header: PUBLIC}).status_code == 404, header


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_token_lets_in_from_anywhere():
    assert get(PUBLIC, Authorization=f"Bearer {TOKEN}").status_code == 200
    assert get(PUBLIC, X_Forwarded_For=PUBLIC, Authorization=f"Bearer {TOKEN}").status_code == 200


@override_settings(METRICS_TOKEN=TOKEN)
def test_a_wrong_token_is_answered_404():
    assert get(PUBLIC, Authorization=f"Bearer {TOKEN}x").status_code == 404
    assert get(PUBLIC, Authorization=TOKEN).status_code == 404


@override_settings(METRICS_TOKEN="")
def test_no_token_is_configured_by_default_so_none_is_accepted():
    assert get(PUBLIC, Authorization="Bearer ").status_code == 404


@override_settings(METRICS_ALLOWED_NETWORKS=[])
def test_without_allowed_networks_only_the_token_opens():
    assert get().status_code == 404


@override_settings(METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_allowed_networks_are_configurable():
    assert get("10.1.2.3").status_code == 200
    assert get().status_code == 404
