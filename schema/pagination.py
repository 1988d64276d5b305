"""Offset pagination arguments checked before they reach the database."""

from graphql import GraphQLError
from strawberry.extensions import FieldExtension


class NonNegativePagination(FieldExtension):
    """Refuses a negative `offset` or `limit` with a clear error.

    Django cannot slice a QuerySet from a negative index (a server error otherwise), and
    strawberry-django would quietly read a negative limit as "the maximum"; the Relay
    connection refuses a negative `first` too, so both list styles agree.
    """

    def resolve(self, next_, source, info, **kwargs):
        pagination = kwargs.get("pagination")
        for name in ("offset", "limit"):
            value = getattr(pagination, name, None)
            if isinstance(value, int) and value < 0:
                raise GraphQLError(
                    f"pagination.{name} must be zero or more, got {value}.",
                    extensions={"code": "BAD_USER_INPUT"},
                )
        return next_(source, info, **kwargs)
