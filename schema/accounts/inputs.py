import strawberry


@strawberry.input(name="RegisterInput", description="A new account.")
class RegisterInput:
    username: str = strawberry.field(
        description="Up to 150 letters, digits and @ . + - _; unique, ignoring case."
    )
    email: str = strawberry.field(description="A valid address, unique ignoring case.")
    password: str = strawberry.field(
        description="Checked by the server's password rules (length, similarity to the "
        "username, common passwords, all digits)."
    )
    first_name: str = strawberry.field(default="", description="Up to 150 characters.")
    last_name: str = strawberry.field(default="", description="Up to 150 characters.")


@strawberry.input(
    name="ProfileInput", description="Changes to your profile: only the fields given change."
)
class ProfileInput:
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Up to 150 characters; null clears it."
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Up to 150 characters; null clears it."
    )
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="A valid address, unique ignoring case."
    )
    time_zone: str | None = strawberry.field(
        default=strawberry.UNSET, description="An IANA time zone name (`Europe/Paris`)."
    )
    email_on_assignment: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether to e-mail you when a task is assigned to you.",
    )
    email_on_reminders: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether to e-mail you when a task assigned to you is due within a day.",
    )
