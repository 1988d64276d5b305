"""The Stride GraphQL schema: one query, mutation and subscription root merged from the domains."""

import strawberry
from graphql import GraphQLError
from strawberry.types.execution import PreExecutionError

from backend.platform import ratelimit
from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries
from schema.adapters import QuerySetOptimizer
from schema.error_codes import ErrorCodes
from schema.errors import present
from schema.jobs.mutations import JobMutations
from schema.jobs.queries import JobQueries
from schema.jobs.subscriptions import JobSubscriptions
from schema.limits import EXTENSIONS as DOCUMENT_LIMITS
from schema.notifications.mutations import NotificationMutations
from schema.notifications.queries import NotificationQueries
from schema.notifications.subscriptions import NotificationSubscriptions
from schema.projects.mutations import ProjectMutations
from schema.projects.queries import ProjectQueries
from schema.scalars import SCALAR_OVERRIDES
from schema.shared_events import SharingExecutionContext
from schema.tasks.mutations import TaskMutations
from schema.tasks.queries import TaskQueries
from schema.tasks.reports import ReportMutations, ReportQueries
from schema.tasks.subscriptions import TaskSubscriptions
from schema.text import StorableText


@strawberry.type
class Query(
    AccountQueries, ProjectQueries, TaskQueries, ReportQueries, NotificationQueries, JobQueries
):
    pass


@strawberry.type
class Mutation(
    AccountMutations,
    ProjectMutations,
    TaskMutations,
    ReportMutations,
    NotificationMutations,
    JobMutations,
):
    pass


@strawberry.type
class Subscription(TaskSubscriptions, NotificationSubscriptions, JobSubscriptions):
    pass


class StrideSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Codes for expected errors; unexpected ones logged (no secrets) and masked."""
        present(errors, execution_context)

    async def stream(self, query, *args, **kwargs):
        """Over WebSocket, where every operation streams, each counts against its user's rate
        limit as a request does over HTTP; one over it is refused with RATE_LIMITED."""
        try:
            await ratelimit.acheck_request(kwargs["context_value"].request)
        except ratelimit.RateLimited as limited:
            return _refused(limited)
        return await super().stream(query, *args, **kwargs)


async def _refused(limited: ratelimit.RateLimited):
    extensions = {"code": "RATE_LIMITED", "retryAfter": int(limited.retry_after)}
    yield PreExecutionError(data=None, errors=[GraphQLError(str(limited), extensions=extensions)])


schema = StrideSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=SharingExecutionContext,
    extensions=[QuerySetOptimizer, *DOCUMENT_LIMITS, StorableText, ErrorCodes],
    scalar_overrides=SCALAR_OVERRIDES,
)
