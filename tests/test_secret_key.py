"""Signing keys: `make run` makes its own, and DEBUG off refuses weak or missing ones.

Issue 14: DEBUG used a fixed key published in the code, so anyone could sign a token for any
user of a `make run` server.
"""

import os
import subprocess
import sys
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from backend.env import PUBLISHED_KEYS, read_dotenv
from scripts.run import ROOT, ensure_secret_key
from tests.conftest import GraphQLClient

STRONG = "k" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2


def settings_in_subprocess(**environment) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with these variables ('' to unset one)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings", **environment}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short-but-random-Q2xv",
        "a" * 80,
        "django-insecure-" + "x1y2z3" * 10,
        *sorted(PUBLISHED_KEYS),
    ],
)
def test_debug_off_refuses_a_missing_or_weak_secret_key(key):
    loaded = settings_in_subprocess(DEBUG="0", SECRET_KEY=key)
    assert loaded.returncode != 0
    assert "ImproperlyConfigured" in loaded.stderr
    assert "SECRET_KEY" in loaded.stderr


def test_debug_off_refuses_a_weak_jwt_signing_key():
    loaded = settings_in_subprocess(DEBUG="0", SECRET_KEY=STRONG, JWT_SIGNING_KEY="jwt")
    assert loaded.returncode != 0
    assert "JWT_SIGNING_KEY" in loaded.stderr


def test_debug_off_starts_with_a_strong_key():
    loaded = settings_in_subprocess(DEBUG="0", SECRET_KEY=STRONG)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == STRONG


def test_debug_without_a_key_uses_a_random_one_per_process():
    first, second = (settings_in_subprocess(DEBUG="1", SECRET_KEY="") for _ in range(2))
    keys = {first.stdout.strip(), second.stdout.strip()}
    assert len(keys) == 2, (first.stderr, second.stderr)
    assert not keys & PUBLISHED_KEYS
    assert all(len(key) >= 50 for key in keys)


def test_make_run_writes_a_random_key_to_dotenv_once(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DEBUG=1")  # no newline at the end: the key must go on a line of its own
    monkeypatch.delenv("SECRET_KEY", raising=False)
    ensure_secret_key(dotenv)
    key = os.environ["SECRET_KEY"]
    assert len(key) >= 50 and key not in PUBLISHED_KEYS
    assert f"\nSECRET_KEY={key}\n" in dotenv.read_text()

    # The next start reads it back and keeps it: tokens survive a restart.
    monkeypatch.delenv("SECRET_KEY")
    read_dotenv(dotenv)
    ensure_secret_key(dotenv)
    assert os.environ["SECRET_KEY"] == key
    assert dotenv.read_text().count("SECRET_KEY=") == 1


def test_a_new_dotenv_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    ensure_secret_key(tmp_path / ".env")
    assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600


def test_a_token_signed_with_the_old_published_key_is_refused(alice):
    now = timezone.now()
    claims = {
        "token_type": "access",
        "user_id": str(alice.id),
        "jti": "forged",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    forged = jwt.encode(claims, "insecure-development-key-only-used-with-DEBUG-on", "HS256")
    client = GraphQLClient()
    response = client.post("{ me { id } }", Authorization=f"Bearer {forged}")
    assert response.status_code == 401
