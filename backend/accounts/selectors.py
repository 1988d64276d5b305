"""Reads on accounts."""

from backend.accounts.models import User


def active_user_named(username: str) -> User | None:
    """The active user of that username (ignoring case, as sign-in does), or None."""
    return User.objects.filter(username__iexact=username.strip(), is_active=True).first()
