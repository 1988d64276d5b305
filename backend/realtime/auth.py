"""Who is on the other end of a WebSocket: an access token's holder, or the browser's session.

The same authentication as GraphQL over HTTP and REST: a deactivation applies to a new socket
as it does to the next request.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from rest_framework_simplejwt.exceptions import AuthenticationFailed

from backend.platform.authentication import access_token, bearer_access_token, user_of


@dataclass(frozen=True)
class TokenHolder:
    """The active user an access token was issued to, and when the token stops being valid."""

    user: object
    expires_at: datetime

    def seconds_left(self) -> float:
        return (self.expires_at - datetime.now(UTC)).total_seconds()


def holder_of_access_token(raw: str) -> TokenHolder | None:
    """Who holds a valid access token, or None when it is not valid."""
    return _holder(lambda: access_token(raw))


def holder_of_bearer_token(authorization: object) -> TokenHolder | None:
    """Who holds the token of an `Authorization`-style value, "Bearer <access token>"."""
    return _holder(lambda: bearer_access_token(authorization))


def _holder(verified) -> TokenHolder | None:
    try:
        token = verified()
        user = user_of(token)
    except AuthenticationFailed:
        return None
    return TokenHolder(user=user, expires_at=datetime.fromtimestamp(token["exp"], UTC))
