"""Reading settings from the environment, failing loudly on values that make no sense."""

import os

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def read_dotenv(path):
    """Load KEY=value lines from ``path``; the real environment wins over the file."""
    if os.path.exists(path):
        environ.Env.read_env(path, overwrite=False)


def positive_int(name, default):
    value = env.int(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive whole number, got {value}")
    return value
