"""JWT authentication with the signed-in user read from the cache, for REST and GraphQL alike.

simplejwt loads the user row on every request. Here the row is cached under the user's version,
which a save of the row bumps after commit: a deactivation in the admin, a profile change or a
new staff flag applies to the very next request. The cached row leaves out the password hash and
the e-mail address, which a copy in Redis has no business holding: they stay deferred on the
user object, read from the database if something asks for them (the profile, simplejwt's
revocation check when CHECK_REVOKE_TOKEN is on).
"""

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from backend.caching import store, versions

NOT_CACHED = {"password", "email"}

# The version is bumped on every save; the timeout bounds what a bulk `update()` (which sends no
# signal) could leave behind.
USER_TIMEOUT = 60


def _cached_fields() -> list[str]:
    return [
        field.attname
        for field in get_user_model()._meta.concrete_fields
        if field.attname not in NOT_CACHED
    ]


def _load_row(user_id) -> dict | None:
    user_model = get_user_model()
    return (
        user_model.objects.filter(**{api_settings.USER_ID_FIELD: user_id})
        .values(*_cached_fields())
        .first()
    )


def cached_user(user_id):
    """The user with this id (active or not), or None; cached until the row is saved."""
    row, _ = store.read_through(
        name="auth:user-row",
        params=(user_id,),
        depends_on=[versions.user_version(user_id)],
        timeout=USER_TIMEOUT,
        compute=lambda: _load_row(user_id),
        # A missing user is not remembered: nothing would bump its version when it appears.
        cacheable=lambda row: row is not None,
    )
    if row is None:
        return None
    names = _cached_fields()
    # As the ORM builds a row read with .defer(): a save writes only the loaded fields.
    return get_user_model().from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names])


class CachedJWTAuthentication(JWTAuthentication):
    """simplejwt's `JWTAuthentication`, with the same checks, reading the user from the cache."""

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = cached_user(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


_jwt = CachedJWTAuthentication()


def access_token(raw: str):
    """The verified access token `raw`; AuthenticationFailed when it is not one (malformed,
    expired, signed with another key, a refresh token)."""
    try:
        return _jwt.get_validated_token(raw)
    except InvalidToken as error:
        raise AuthenticationFailed(error.detail) from None


def bearer_access_token(authorization: object):
    """The verified access token of an `Authorization` value, "Bearer <access token>"."""
    scheme, _, raw = str(authorization).strip().partition(" ")
    if not isinstance(authorization, str) or scheme.lower() != "bearer" or not raw.strip():
        raise AuthenticationFailed("The Authorization header must be 'Bearer <access token>'")
    return access_token(raw.strip())


def user_of(token):
    """The active user `token` was issued to; AuthenticationFailed otherwise."""
    return _jwt.get_user(token)
