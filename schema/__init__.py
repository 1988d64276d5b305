"""The Stride GraphQL schema: one query, mutation and subscription root merged from the domains."""

import strawberry
from django.conf import settings
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry_django.optimizer import DjangoOptimizerExtension

from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries
from schema.projects.mutations import ProjectMutations
from schema.projects.queries import ProjectQueries
from schema.tasks.mutations import TaskMutations
from schema.tasks.queries import TaskQueries


@strawberry.type
class Query(AccountQueries, ProjectQueries, TaskQueries):
    pass


@strawberry.type
class Mutation(AccountMutations, ProjectMutations, TaskMutations):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        DjangoOptimizerExtension,
        # Limits run at validation, so an abusive document is refused before it executes.
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
)
