"""Who is on the other end of a WebSocket: a JWT access token, or the browser's session."""

from dataclasses import dataclass
from datetime import UTC, datetime

from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from backend.platform.authentication import CachedJWTAuthentication

# The same authentication as GraphQL over HTTP and REST: one rule for who a token belongs to,
# and a deactivation applies to a new socket as it does to the next request.
_jwt = CachedJWTAuthentication()


@dataclass(frozen=True)
class TokenHolder:
    """The active user an access token was issued to, and when the token stops being valid."""

    user: object
    expires_at: datetime

    def seconds_left(self) -> float:
        return (self.expires_at - datetime.now(UTC)).total_seconds()


def holder_of_access_token(token: str) -> TokenHolder | None:
    """Who holds a valid access token, or None when it is not valid."""
    try:
        validated = _jwt.get_validated_token(token)
        user = _jwt.get_user(validated)
    except (InvalidToken, AuthenticationFailed):
        return None
    return TokenHolder(user=user, expires_at=datetime.fromtimestamp(validated["exp"], UTC))


def holder_of_authorization(header: object) -> TokenHolder | None:
    """Who holds the token of an `Authorization`-style value, "Bearer <access token>"."""
    if not isinstance(header, str):
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return holder_of_access_token(token.strip())
