"""Writes on accounts: registration, profile changes and JWT tokens (simplejwt's)."""

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from backend import events
from backend.accounts.models import User
from backend.events import DomainEvent, EventKind
from backend.platform import backoff
from backend.platform.errors import InvalidCredentials, field_error

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "time_zone",
    "email_on_assignment",
    "email_on_reminders",
)


USERNAME_TAKEN = ("username", "A user with that username already exists.", "username_taken")
EMAIL_TAKEN = ("email", "A user with that e-mail address already exists.", "email_taken")


def _check_unique(*, username=None, email=None, exclude_id=None):
    others = User.objects.exclude(id=exclude_id) if exclude_id else User.objects.all()
    if username is not None and others.filter(username__iexact=username).exists():
        raise field_error(*USERNAME_TAKEN)
    if email is not None and others.filter(email__iexact=email).exists():
        raise field_error(*EMAIL_TAKEN)


def _save_unique(user: User, **save_options) -> None:
    """Save the user; when a concurrent request took the username or e-mail between the check
    and this write, the unique constraint refuses it and the answer is the check's field error."""
    try:
        with transaction.atomic():
            user.save(**save_options)
    except IntegrityError as error:
        diagnostics = getattr(error.__cause__, "diag", None)
        # PostgreSQL names the constraint; SQLite (embedded) only says it in the message.
        violated = getattr(diagnostics, "constraint_name", None) or str(error)
        if "email" in violated:
            raise field_error(*EMAIL_TAKEN) from None
        if "username" in violated:
            raise field_error(*USERNAME_TAKEN) from None
        raise


@sensitive_variables("password")
@transaction.atomic
def register_user(
    *, username: str, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create an active user after validating the username, e-mail and password strength."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User(username=username.strip(), email=email, first_name=first_name, last_name=last_name)
    # Every problem of the form at once, so that a client can show them all together.
    problems = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems.update(error.error_dict)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        problems["password"] = error.error_list
    if problems:
        raise ValidationError(problems)
    _check_unique(username=user.username, email=user.email)
    user.set_password(password)
    _save_unique(user)
    return user


@transaction.atomic
def update_profile(*, user: User, **changes) -> User:
    """Change the user's own profile fields; unknown fields are refused."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown profile fields: {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(id=user.id)
    for name, value in changes.items():
        if name == "email" and value is not None:
            value = User.objects.normalize_email(value.strip()).lower()
        elif name in ("first_name", "last_name") and value is None:
            value = ""  # null clears an optional text; the column itself is NOT NULL
        setattr(user, name, value)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    if "email" in changes:
        _check_unique(email=user.email, exclude_id=user.id)
    _save_unique(user, update_fields=list(changes))
    events.publish(
        DomainEvent(kind=EventKind.USER_UPDATED, actor_id=user.id, data={"user_id": user.id})
    )
    return user


@sensitive_variables("password")
def check_credentials(*, username: str, password: str, address: str | None = None) -> User:
    """The active user these credentials belong to; InvalidCredentials when there is none.

    From a client `address`, failures back off exponentially per username and address
    (RateLimited), and a success clears them."""
    if address is not None:
        backoff.check(username, address)
    user = authenticate(username=username, password=password)
    if user is None:
        if address is not None:
            backoff.failed(username, address)
        raise InvalidCredentials(
            "No active account found with the given credentials.", code="invalid_credentials"
        )
    if address is not None:
        backoff.succeeded(username, address)
    return user


@sensitive_variables("password")
def issue_tokens(
    *, username: str, password: str, address: str | None = None
) -> tuple[User, RefreshToken]:
    """Check the credentials (as `check_credentials`) and return the user with a new refresh
    token (access inside)."""
    user = check_credentials(username=username, password=password, address=address)
    User.objects.filter(id=user.id).update(last_login=timezone.now())
    return user, tokens_for(user)


def tokens_for(user: User) -> RefreshToken:
    """A new refresh token for the user; its `access_token` is the matching access token."""
    return RefreshToken.for_user(user)


def refresh_tokens(*, refresh: str) -> tuple[User, RefreshToken]:
    """Trade a refresh token for a new pair; the old refresh token is blacklisted (rotation)."""
    try:
        old = RefreshToken(refresh)
        user = User.objects.get(id=old["user_id"], is_active=True)
        old.blacklist()
    except (TokenError, KeyError, User.DoesNotExist):
        raise field_error(
            "refresh", "Token is invalid, expired or revoked.", "token_not_valid"
        ) from None
    return user, tokens_for(user)


def revoke_token(*, refresh: str) -> None:
    """Log out: blacklist the refresh token so it can never be refreshed again."""
    try:
        RefreshToken(refresh).blacklist()
    except TokenError:
        raise field_error(
            "refresh", "Token is invalid, expired or revoked.", "token_not_valid"
        ) from None
