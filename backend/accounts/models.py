import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.", code="invalid_time_zone")


class User(AbstractUser):
    """A person who uses Stride; username and e-mail are both unique."""

    email = models.EmailField("email address", unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    email_on_assignment = models.BooleanField(
        default=True, help_text="Send an e-mail when a task is assigned to this user."
    )
    email_on_reminders = models.BooleanField(
        default=True, help_text="Send an e-mail when an assigned task is due within a day."
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username
