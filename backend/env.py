"""Reading settings from the environment, failing loudly on values that make no sense."""

import ipaddress
import os
import secrets

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


def non_negative_int(name, default):
    value = env.int(name, default=default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be zero or a positive whole number, got {value}")
    return value


def positive_number(name, default):
    value = env.float(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a number above zero, got {value}")
    return value


def non_negative_seconds(name, default):
    value = env.float(name, default=default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be zero or more seconds, got {value}")
    return value


def fraction(name, default):
    """A number between 0 and 1, such as a probability."""
    value = env.float(name, default=default)
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1, got {value}")
    return value


def seconds_range(name, default):
    """`"10-20"` -> (10.0, 20.0), `"5"` -> (5.0, 5.0): a duration drawn between two bounds."""
    text = env.str(name, default=default)
    low, _, high = text.partition("-")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like '10-20' or '5' (seconds), got {text!r}")
    if bounds[0] < 0 or bounds[0] > bounds[1]:
        raise ImproperlyConfigured(f"{name} must be a range of seconds low-high, got {text!r}")
    return bounds


def networks(name, default):
    """Comma-separated IP addresses or networks (`10.0.0.1,172.16.0.0/12`), each checked."""
    values = env.list(name, default=default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network")
    return values


def throttle_rate(name, default):
    """A request rate as DRF writes it: `"100/min"` (a count per second, minute, hour or day)."""
    text = env.str(name, default=default)
    count, _, period = text.partition("/")
    if not (count.isdigit() and int(count) > 0 and period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(f"{name} must look like '100/min' (s, min, hour, day): {text!r}")
    return text


# Keys that were ever published with Stride (in its code, docs or compose file): anyone can sign
# tokens with them.
PUBLISHED_KEYS = {
    "insecure-development-key-only-used-with-DEBUG-on",
    "compose-only-secret-key-change-me-before-deploying-anywhere",
    "change-me-to-a-long-random-string",
}
MIN_KEY_LENGTH = 50


def new_secret_key() -> str:
    """A random key for signing sessions and tokens (67 characters)."""
    return secrets.token_urlsafe(MIN_KEY_LENGTH)


def signing_key(name, *, required: bool, default: str = "") -> str:
    """A signing key: refused when short, repetitive or published, since tokens signed with it
    are as good as a password. Without one, a random key of this process only (DEBUG), or an
    error when `required`."""
    value = env.str(name, default=default)
    if not value:
        if required:
            raise ImproperlyConfigured(
                f"{name} must be set when DEBUG is off (a random string of at least "
                f"{MIN_KEY_LENGTH} characters)"
            )
        return new_secret_key()
    if required and (
        len(value) < MIN_KEY_LENGTH
        or len(set(value)) < 5
        or value in PUBLISHED_KEYS
        or value.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"{name} is too weak to sign tokens: use a random string of at least "
            f"{MIN_KEY_LENGTH} characters that was never published, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    return value


def choice(name, choices, default):
    """One of `choices`, as written."""
    value = env.str(name, default=default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value
