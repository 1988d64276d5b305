import strawberry


@strawberry.input(name="RegisterInput")
class RegisterInput:
    username: str
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""


@strawberry.input(name="ProfileInput")
class ProfileInput:
    """Only the fields given change."""

    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    email_on_assignment: bool | None = strawberry.UNSET
    email_on_reminders: bool | None = strawberry.UNSET
