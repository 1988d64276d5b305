import strawberry
import strawberry_django

from schema.accounts.types import ProfileType
from schema.core import user_of
from schema.permissions import IsAuthenticated


@strawberry.type
class AccountQueries:
    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="The signed-in user's profile. UNAUTHENTICATED without a token.",
    )
    def me(self, info: strawberry.Info) -> ProfileType:
        return user_of(info)
