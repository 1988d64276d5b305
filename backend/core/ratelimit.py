"""Rate limits shared by every front door: DRF throttles, reused as-is by the GraphQL view.

The rates live in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (from the environment). DRF's own
throttles copy that dict once at import, so a changed setting (a test's override_settings, a
reload) would be ignored; these read it on every request. Counters live in the default cache:
when Redis is down nobody is limited, which is the better failure for a task manager.

DRF's throttles keep the timestamp of every request of the last period in one cache entry, and
read, unpickle, pickle and write it back on every request: up to 1,200 floats a request at the
default per-user rate, and most of the cost of rate limiting in bench/api.py. These count per
window instead (`WindowCounter`): a few integers, whatever the rate.
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


class WindowCounter(SimpleRateThrottle):
    """A DRF throttle counting requests per window of the rate's period (a minute for "/min").

    The requests of the last period are estimated as this window's count plus the previous
    window's, weighted by the part of it the last period still covers (a sliding-window
    counter). A refused request is not counted, as in DRF.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window, elapsed = divmod(self.timer(), self.duration)
        current = f"{self.key}:{int(window)}"
        try:
            count = self.cache.incr(current)
        except ValueError:  # the window's first request: kept for it and the next, which weighs it
            if self.cache.add(current, 1, timeout=2 * self.duration + 1):
                count = 1
            else:  # another request created it meanwhile
                count = self.cache.incr(current)
        if count is None:  # the cache is down
            return True
        before = self.cache.get(f"{self.key}:{int(window) - 1}", 0) or 0
        overlap = 1 - elapsed / self.duration
        if before * overlap + count <= self.num_requests:
            return True
        self.cache.decr(current)
        self.wait_seconds = self._wait(before, count - 1, elapsed)
        return False

    def _wait(self, before: int, count: int, elapsed: float) -> float:
        """Seconds until one more request fits: the previous window's weight fading, or this
        window ending when its own count is already at the rate."""
        left_in_window = self.duration - elapsed
        room = self.num_requests - count - 1
        if before and room >= 0:
            # before * (1 - (elapsed + t) / duration) <= room
            fade = self.duration * (1 - room / before) - elapsed
            return max(1.0, min(fade, left_in_window))
        return max(1.0, left_in_window)

    def wait(self):
        return self.wait_seconds


class AnonThrottle(WindowCounter, AnonRateThrottle):
    """Requests without a signed-in user, counted per client address."""


class UserThrottle(WindowCounter, UserRateThrottle):
    """Requests of a signed-in user, counted per user whatever the address."""

    def get_cache_key(self, request, view):
        # DRF's version counts anonymous requests too; AnonThrottle has those.
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class LoginAddressThrottle(WindowCounter):
    """Sign-in attempts from one address, whichever usernames they try."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(WindowCounter):
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
