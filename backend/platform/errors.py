"""Errors every front door translates the same way (GraphQL messages, REST status codes)."""

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The change was based on a stale state of the object (a REST 409, a GraphQL conflict)."""


def field_error(field, message, code):
    """A ValidationError naming the field it is about, as services raise them."""
    return ValidationError({field: ValidationError(message, code=code)})
