"""Rate limits shared by every front door: DRF throttles, reused as-is by the GraphQL view.

The rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (from the environment). DRF's own
throttles copy that dict once at import, so a changed setting (a test's override_settings, a
reload) would be ignored; these read it on every request. Counters live in the default cache:
when Redis is down nobody is limited, which is the better failure for a task manager.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class RateLimited(Exception):
    """Too many requests; retry after `wait` seconds."""

    def __init__(self, wait: float | None, message: str = "Too many requests."):
        super().__init__(message)
        self.wait = wait

    @property
    def retry_after(self) -> str:
        return str(max(1, round(self.wait or 1)))


class LiveRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(LiveRates, AnonRateThrottle):
    """Requests without a signed-in user, counted per client address."""


class UserThrottle(LiveRates, UserRateThrottle):
    """Requests of a signed-in user, counted per user whatever the address."""

    def get_cache_key(self, request, view):
        # DRF's version counts anonymous requests too; AnonThrottle has those.
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class LoginAddressThrottle(LiveRates, SimpleRateThrottle):
    """Sign-in attempts from one address, whichever usernames they try."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(LiveRates, SimpleRateThrottle):
    """Sign-in attempts on one username, from whichever addresses (password guessing)."""

    scope = "login_username"

    def __init__(self, username: str):
        super().__init__()
        self.username = username.strip().lower()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.username}


def _first_refusal(throttles, request) -> RateLimited | None:
    # Every throttle records the request, even after one refused, as DRF does.
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, None)]
    if waits:
        known = [wait for wait in waits if wait is not None]
        return RateLimited(max(known) if known else None)
    return None


def check_request(request) -> None:
    """Count one API request (anonymous per address, or per user); RateLimited when over."""
    refusal = _first_refusal([AnonThrottle(), UserThrottle()], request)
    if refusal is not None:
        raise refusal


def check_login(request, username: str) -> None:
    """Count one sign-in attempt per address and per username; RateLimited when over."""
    refusal = _first_refusal([LoginAddressThrottle(), LoginUsernameThrottle(username)], request)
    if refusal is not None:
        raise RateLimited(refusal.wait, "Too many sign-in attempts; wait and try again.")
