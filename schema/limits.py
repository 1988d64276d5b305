"""Depth and alias limits whose validation rules stay the same from one request to the next."""

from functools import cache

from django.conf import settings
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter


@cache
def _limit_rules(max_depth: int, max_aliases: int) -> tuple:
    # Each limiter builds a new rule class when it is constructed, and ValidationCache keys its
    # entries by the rule classes: limiters built per request made every lookup a miss.
    return (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    )


class DocumentLimits(AddValidationRules):
    """GRAPHQL_MAX_DEPTH and GRAPHQL_MAX_ALIASES, read from settings on each request."""

    def __init__(self):
        super().__init__(
            list(_limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES))
        )
