"""Settings for the test suite: production-like (DEBUG off) with fast, isolated choices."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-anywhere-else")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CACHE_KEY_PREFIX", "stride-test")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", "stride-test:asgi")

from backend.settings import *  # noqa: F403

# Hashing passwords slowly is a production virtue and a test-suite vice.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
