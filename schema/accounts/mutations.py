import strawberry
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts import services
from backend.platform import ratelimit
from backend.platform.addresses import client_address
from schema.accounts.inputs import ProfileInput, RegisterInput
from schema.accounts.types import AuthPayloadType, ProfileType
from schema.core import SuccessType, given_fields, mutation, user_of


def _payload(user, refresh: RefreshToken) -> AuthPayloadType:
    return AuthPayloadType(access=str(refresh.access_token), refresh=str(refresh), user=user)


@strawberry.type
class AccountMutations:
    @mutation(public=True)
    def register(self, input: RegisterInput) -> AuthPayloadType:
        """Create an account and sign in to it."""
        user = services.register_user(**vars(input))
        return _payload(user, services.tokens_for(user))

    @mutation(public=True)
    def token_auth(self, info: strawberry.Info, username: str, password: str) -> AuthPayloadType:
        """Sign in with a username and password. Attempts are limited per username and address."""
        request = info.context.request
        ratelimit.check_login(request, username)
        user, refresh = services.issue_tokens(
            username=username, password=password, address=client_address(request.META)
        )
        return _payload(user, refresh)

    @mutation(public=True)
    def refresh_token(self, refresh: str) -> AuthPayloadType:
        """Trade a refresh token for a new pair; the old one stops working."""
        return _payload(*services.refresh_tokens(refresh=refresh))

    @mutation(public=True)
    def revoke_token(self, refresh: str) -> SuccessType:
        """Sign out: the refresh token can no longer be used."""
        services.revoke_token(refresh=refresh)
        return SuccessType()

    @mutation()
    def update_profile(self, info: strawberry.Info, input: ProfileInput) -> ProfileType:
        """Change the signed-in user's profile and preferences."""
        return services.update_profile(user=user_of(info), **given_fields(input))
