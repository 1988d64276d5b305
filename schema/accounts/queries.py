import strawberry
import strawberry_django

from schema.accounts.types import ProfileType
from schema.core import user_of
from schema.permissions import IsAuthenticated


@strawberry.type
class AccountQueries:
    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def me(self, info: strawberry.Info) -> ProfileType:
        """The signed-in user."""
        return user_of(info)
