"""Who is on the other end of a WebSocket: a JWT access token, or the browser's session."""

from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from backend.core.authentication import CachedJWTAuthentication

# The same authentication as GraphQL over HTTP and REST: one rule for who a token belongs to,
# and a deactivation applies to a new socket as it does to the next request.
_jwt = CachedJWTAuthentication()


def user_for_access_token(token: str):
    """The active user an access token was issued to, or None when it is not valid."""
    try:
        return _jwt.get_user(_jwt.get_validated_token(token))
    except (InvalidToken, AuthenticationFailed):
        return None


def user_for_authorization(header: object):
    """The user of an `Authorization`-style value, "Bearer <access token>", or None."""
    if not isinstance(header, str):
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_access_token(token.strip())
