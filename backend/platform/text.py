"""Text every front door and service refuses: what PostgreSQL's text columns cannot hold."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_SURROGATE = re.compile("[\ud800-\udfff]")

NULL_MESSAGE = "Null characters are not allowed."
# The longest description or comment (characters): a long document's worth, small enough that
# a list of tasks stays a list (descriptions are cached with them).
LONG_TEXT_MAX_LENGTH = 10_000


def text_problem(value: str) -> str | None:
    """What is wrong with `value` for a text column, in DRF's words, or None."""
    if "\x00" in value:
        return NULL_MESSAGE
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return f"Surrogate characters are not allowed: U+{ord(surrogate.group()):X}."
    return None


@deconstructible
class StorableTextValidator:
    """A model field validator: no NUL, no lone surrogate (services validate with full_clean)."""

    def __call__(self, value):
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            code = "null_characters_not_allowed" if problem == NULL_MESSAGE else "surrogates"
            raise ValidationError(problem, code=code)

    def __eq__(self, other):
        return isinstance(other, StorableTextValidator)
