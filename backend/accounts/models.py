import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.", code="invalid_time_zone")


class StrideUserManager(UserManager):
    def get_by_natural_key(self, username):
        """Sign-in ignores case, as registration does when it checks that a name is free."""
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person who uses Stride; username and e-mail are both unique, ignoring case."""

    email = models.EmailField("email address", unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    email_on_assignment = models.BooleanField(
        default=True, help_text="Send an e-mail when a task is assigned to this user."
    )
    email_on_reminders = models.BooleanField(
        default=True, help_text="Send an e-mail when an assigned task is due within a day."
    )

    objects = StrideUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="unique_username_ignoring_case"),
            models.UniqueConstraint(Lower("email"), name="unique_email_ignoring_case"),
        ]

    def __str__(self):
        return self.username
