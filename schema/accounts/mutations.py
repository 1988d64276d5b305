from typing import Annotated

import strawberry
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts import services
from backend.platform import ratelimit
from backend.platform.addresses import client_address
from schema.accounts.inputs import ProfileInput, RegisterInput
from schema.accounts.types import AuthPayloadType, ProfileType
from schema.core import SuccessType, given_fields, mutation, payload, user_of

RefreshArgument = Annotated[
    str, strawberry.argument(description="A refresh token from `tokenAuth`, `register` or here.")
]


def _payload(user, refresh: RefreshToken) -> AuthPayloadType:
    return AuthPayloadType(access=str(refresh.access_token), refresh=str(refresh), user=user)


@strawberry.type
class AccountMutations:
    @mutation(
        public=True,
        description="Create an account and sign in to it; no token needed. Refused "
        "(OperationInfo, BAD_USER_INPUT, one message per field) with `username_taken`, "
        "`email_taken`, `invalid` (username or e-mail), `blank`, `max_length` or a password "
        "rule's code (`password_too_short`, `password_too_similar`, `password_too_common`, "
        "`password_entirely_numeric`).",
    )
    def register(
        self,
        input: Annotated[RegisterInput, strawberry.argument(description="The new account.")],
    ) -> payload("RegisterPayload", AuthPayloadType, "The new account's tokens"):
        user = services.register_user(**vars(input))
        return _payload(user, services.tokens_for(user))

    @mutation(
        public=True,
        description="Sign in with a username (any case) and password; no token needed. Wrong "
        "credentials, or an inactive account, are refused alike (OperationInfo, UNAUTHENTICATED, "
        "`field` null, `invalid_credentials`). Attempts are limited per username and per "
        "address: over the limit, a RATE_LIMITED error with `extensions.retryAfter` (seconds).",
    )
    def token_auth(
        self,
        info: strawberry.Info,
        username: Annotated[str, strawberry.argument(description="The account's username.")],
        password: Annotated[str, strawberry.argument(description="The account's password.")],
    ) -> payload("TokenAuthPayload", AuthPayloadType, "A new token pair"):
        request = info.context.request
        ratelimit.check_login(request, username)
        user, refresh = services.issue_tokens(
            username=username, password=password, address=client_address(request.META)
        )
        return _payload(user, refresh)

    @mutation(
        public=True,
        description="Trade a refresh token for a new pair; the old one stops working (each "
        "refresh token is good once). No access token needed. An expired, revoked, used or "
        "malformed token, or one of an inactive account, is refused (OperationInfo, "
        "BAD_USER_INPUT on `refresh`, `token_not_valid`).",
    )
    def refresh_token(self, refresh: RefreshArgument) -> payload(
        "RefreshTokenPayload", AuthPayloadType, "A new token pair"
    ):
        return _payload(*services.refresh_tokens(refresh=refresh))

    @mutation(
        public=True,
        description="Sign out: the refresh token can no longer be used (access tokens already "
        "issued run until they expire). No access token needed. An expired, revoked or "
        "malformed token is refused (OperationInfo, BAD_USER_INPUT on `refresh`, "
        "`token_not_valid`).",
    )
    def revoke_token(self, refresh: RefreshArgument) -> payload(
        "RevokeTokenPayload", SuccessType, "`Success` once revoked"
    ):
        services.revoke_token(refresh=refresh)
        return SuccessType()

    @mutation(
        description="Change your own profile and preferences; only the fields given change. "
        "UNAUTHENTICATED without a token. Refused (OperationInfo, BAD_USER_INPUT on the field) "
        "with `email_taken`, `invalid` (e-mail), `invalid_time_zone`, `max_length` or `null` "
        "(a null e-mail, time zone or preference).",
    )
    def update_profile(
        self,
        info: strawberry.Info,
        input: Annotated[ProfileInput, strawberry.argument(description="The changes.")],
    ) -> payload("UpdateProfilePayload", ProfileType, "Your profile as stored"):
        return services.update_profile(user=user_of(info), **given_fields(input))
