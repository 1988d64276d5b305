import strawberry
from strawberry import auto

from backend.accounts.models import User
from schema.adapters import model_type


@model_type(User, name="User", description="Another person on Stride, as anyone may see them.")
class UserType:
    id: auto = strawberry.field(description="The user's id.")
    username: auto = strawberry.field(description="Unique, ignoring case; used to sign in.")
    first_name: auto = strawberry.field(description="Empty when not given.")
    last_name: auto = strawberry.field(description="Empty when not given.")


@model_type(
    User,
    name="Profile",
    description="The signed-in user's own account, with private details and preferences.",
)
class ProfileType(UserType):
    email: auto = strawberry.field(description="Unique, ignoring case; stored in lower case.")
    time_zone: auto = strawberry.field(
        description="An IANA time zone name (`Europe/Paris`); `UTC` unless changed."
    )
    email_on_assignment: auto = strawberry.field(
        description="Whether Stride e-mails you when a task is assigned to you."
    )
    email_on_reminders: auto = strawberry.field(
        description="Whether Stride e-mails you when a task assigned to you is due within a day."
    )
    is_staff: auto = strawberry.field(
        description="Staff see and may change every task and project, and see every job."
    )
    date_joined: auto = strawberry.field(description="When the account was created.")


@strawberry.type(
    name="AuthPayload",
    description="A fresh token pair: send `access` as `Authorization: Bearer <access>`, trade "
    "`refresh` for a new pair with `refreshToken` when `access` expires.",
)
class AuthPayloadType:
    access: str = strawberry.field(
        description="The access token (a JWT), valid for 15 minutes (JWT_ACCESS_MINUTES)."
    )
    refresh: str = strawberry.field(
        description="The refresh token (a JWT), valid for 7 days (JWT_REFRESH_DAYS) and good "
        "for one `refreshToken`; `revokeToken` ends it sooner."
    )
    user: ProfileType = strawberry.field(description="The account the tokens are for.")
