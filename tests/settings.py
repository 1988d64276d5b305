"""Settings for the test suite: production-like (DEBUG off) with fast, isolated choices."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-anywhere-else-7f3a9c2e")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CACHE_KEY_PREFIX", "stride-test")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", "stride-test:asgi")
os.environ.setdefault("JOB_PROCESS_SECONDS", "0")
os.environ.setdefault("CELERY_QUEUE", "stride-test")
# The whole suite talks from one address; throttling tests set small rates of their own.
os.environ.setdefault("THROTTLE_ANON_RATE", "100000/min")
os.environ.setdefault("THROTTLE_USER_RATE", "100000/min")
os.environ.setdefault("THROTTLE_LOGIN_ADDRESS_RATE", "100000/min")
os.environ.setdefault("THROTTLE_LOGIN_USERNAME_RATE", "100000/min")

from backend.settings import *  # noqa: F403

# Hashing passwords slowly is a production virtue and a test-suite vice.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker (tests/workers/conftest.py), so that
# no test leaves messages behind in the broker for nobody; a server started for such a test
# (tests/live_server.py) is told to queue them with STRIDE_TEST_QUEUE_TASKS=1.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("STRIDE_TEST_QUEUE_TASKS") != "1"

# The suite does not run collectstatic.
WHITENOISE_USE_FINDERS = True
