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


def non_negative_int(name, default):
    value = env.int(name, default=default)
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be zero or a positive whole number, got {value}")
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


def throttle_rate(name, default):
    """A request rate as DRF writes it: `"100/min"` (a count per second, minute, hour or day)."""
    text = env.str(name, default=default)
    count, _, period = text.partition("/")
    if not (count.isdigit() and int(count) > 0 and period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(f"{name} must look like '100/min' (s, min, hour, day): {text!r}")
    return text
