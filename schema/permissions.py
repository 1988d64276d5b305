"""Who may call what, declared on the fields."""

from strawberry.permission import BasePermission


class IsAuthenticated(BasePermission):
    """The caller sent a valid token (or has a session)."""

    message = "Authentication required: send 'Authorization: Bearer <access token>'."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source, info, **kwargs) -> bool:
        return info.context.request.user.is_authenticated
