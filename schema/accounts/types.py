import strawberry
from strawberry import auto

from backend.accounts.models import User
from schema.adapters import model_type


@model_type(User, name="User")
class UserType:
    """Another person on Stride, as anyone may see them."""

    id: auto
    username: auto
    first_name: auto
    last_name: auto


@model_type(User, name="Profile")
class ProfileType(UserType):
    """The signed-in user's own account, with private details and preferences."""

    email: auto
    time_zone: auto
    email_on_assignment: auto
    email_on_reminders: auto
    is_staff: auto
    date_joined: auto


@strawberry.type(name="AuthPayload")
class AuthPayloadType:
    """A fresh token pair: send `access` as a Bearer token, trade `refresh` for a new pair."""

    access: str
    refresh: str
    user: ProfileType
