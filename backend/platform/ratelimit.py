"""Rate limits shared by every front door: DRF throttles for REST, the same counters for GraphQL.

The rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, read on every request (DRF's own
throttles copy them at import, ignoring a later override). Counters live in Redis, shared by
every process; while Redis does not answer (or without it, in the embedded mode), each process
counts on its own (backend/platform/local_store.py): the limits still apply, per process.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from backend.platform import redis
from backend.platform.addresses import client_address
from backend.platform.local_store import ExpiringValues

# The windows' counts while Redis does not answer.
LOCAL_COUNTS = ExpiringValues()


class RateLimited(Exception):
    """Too many requests; retry after `wait` seconds."""

    def __init__(self, wait: float | None, message: str = "Too many requests."):
        super().__init__(message)
        self.wait = wait

    @property
    def retry_after(self) -> str:
        return str(max(1, round(self.wait or 1)))


class WindowCounter(SimpleRateThrottle):
    """A DRF throttle counting requests per window of the rate's period, one Redis round trip a
    request (DRF's stock throttles rewrite a list of timestamps).

    The last period's count is this window's plus the previous window's, weighted by the part
    of it the period still covers (a sliding-window counter). A refused request is not counted.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's believes X-Forwarded-For from anyone.
        return client_address(request.META)

    def allow_request(self, request, view=None) -> bool:
        window, client = self._window(request), redis.sync_client()
        if window is None:
            return True
        if client is not None:
            current, _, elapsed = window
            try:
                pipe = self._count(client.pipeline(transaction=False), window)
                count, _, before = pipe.execute()
                if self._allows(count, before, elapsed):
                    return True
                client.decr(current)
                return False
            except redis.UNAVAILABLE:
                pass
        return self._allow_locally(window)

    async def aallow_request(self, request) -> bool:
        """`allow_request()`, from an event loop."""
        window, client = self._window(request), redis.async_client()
        if window is None:
            return True
        if client is not None:
            current, _, elapsed = window
            try:
                pipe = self._count(client.pipeline(transaction=False), window)
                count, _, before = await pipe.execute()
                if self._allows(count, before, elapsed):
                    return True
                await client.decr(current)
                return False
            except redis.UNAVAILABLE:
                pass
        return self._allow_locally(window)

    def _allow_locally(self, window) -> bool:
        """The same count in this process's memory, for when Redis does not answer."""
        current, previous, elapsed = window
        count = LOCAL_COUNTS.add(current, 1, 2 * self.duration + 1)
        if self._allows(count, LOCAL_COUNTS.get(previous, 0), elapsed):
            return True
        LOCAL_COUNTS.add(current, -1, 2 * self.duration + 1)
        return False

    def _window(self, request) -> tuple[str, str, float] | None:
        """(this window's key, the previous window's, seconds into this one), or None when the
        request is not counted."""
        if self.rate is None:
            return None
        ident = self.get_cache_key(request, None)
        if ident is None:
            return None
        window, elapsed = divmod(self.timer(), self.duration)
        return redis.key(f"{ident}:{int(window)}"), redis.key(f"{ident}:{int(window) - 1}"), elapsed

    def _count(self, pipe, window):
        current, previous, _ = window
        pipe.incr(current)
        # Kept for this window and the next, which weighs it.
        pipe.expire(current, 2 * self.duration + 1)
        pipe.get(previous)
        return pipe

    def _allows(self, count: int, before: bytes | None, elapsed: float) -> bool:
        before = int(before or 0)
        if before * (1 - elapsed / self.duration) + count <= self.num_requests:
            return True
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
    """Sign-in attempts on one username from one address: counted per username alone, anyone
    could lock the owner out of their account."""

    scope = "login_username"

    def __init__(self, username: str):
        super().__init__()
        self.username = username.strip().lower()[:150]  # no username is longer

    def get_cache_key(self, request, view):
        ident = f"{self.username}@{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _refusal(throttles, allowed: list[bool]) -> RateLimited | None:
    waits = [throttle.wait() for throttle, ok in zip(throttles, allowed, strict=True) if not ok]
    if waits:
        known = [wait for wait in waits if wait is not None]
        return RateLimited(max(known) if known else None)
    return None


async def acheck_request(request) -> None:
    """Count one API request (anonymous per address, or per user); RateLimited when over.
    Every throttle counts the request, even after one refused, as DRF does."""
    throttles = [AnonThrottle(), UserThrottle()]
    refusal = _refusal(throttles, [await t.aallow_request(request) for t in throttles])
    if refusal is not None:
        raise refusal


def check_request(request) -> None:
    """`acheck_request()` for synchronous code: the web pages' forms count as API requests."""
    throttles = [AnonThrottle(), UserThrottle()]
    refusal = _refusal(throttles, [t.allow_request(request) for t in throttles])
    if refusal is not None:
        raise refusal


def check_login(request, username: str) -> None:
    """Count one sign-in attempt per address and per (username, address); RateLimited when
    over."""
    throttles = [LoginAddressThrottle(), LoginUsernameThrottle(username)]
    refusal = _refusal(throttles, [t.allow_request(request) for t in throttles])
    if refusal is not None:
        raise RateLimited(refusal.wait, "Too many sign-in attempts; wait and try again.")
