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
from schema.operation_metrics import OperationMetrics
from schema.projects.mutations import ProjectMutations
from schema.projects.queries import ProjectQueries
from schema.scalars import SCALAR_OVERRIDES
from schema.shared_events import SharingExecutionContext
from schema.tasks.mutations import TaskMutations
from schema.tasks.queries import TaskQueries
from schema.tasks.reports import ReportMutations, ReportQueries
from schema.tasks.subscriptions import TaskSubscriptions
from schema.text import StorableText

# What any operation may answer, whatever its field: the README's "Errors, conflicts and limits".
ANY_OPERATION = (
    "Send `Authorization: Bearer <access token>` (from `tokenAuth`); a bad or expired token is "
    "refused with HTTP 401 and UNAUTHENTICATED whatever the operation. Every error carries "
    "`extensions.code`; besides those each field names, any operation may answer "
    "GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED (also for a document over the depth, "
    "alias, token or field limits), BAD_REQUEST, BAD_USER_INPUT (a variable that does not fit "
    "its type, text with a NUL character), PERSISTED_QUERY_NOT_FOUND, "
    "PERSISTED_QUERY_NOT_IN_LIST, RATE_LIMITED (with `extensions.retryAfter`), "
    "SERVICE_UNAVAILABLE and INTERNAL_SERVER_ERROR (the README's table lists them all)."
)


@strawberry.type(
    description="Reads. Every field needs a signed-in user (UNAUTHENTICATED without a token); "
    "an object that does not exist or that you may not see is answered null, not an error. "
    + ANY_OPERATION
)
class Query(
    AccountQueries, ProjectQueries, TaskQueries, ReportQueries, NotificationQueries, JobQueries
):
    pass


@strawberry.type(
    description="Writes. A refused mutation changes nothing and answers `OperationInfo` data "
    "(one message per problem, with the input `field` and a `code`), not an error; only a "
    "missing token (UNAUTHENTICATED) and the errors below are top-level errors. Not over GET "
    "(HTTP 405, METHOD_NOT_ALLOWED). " + ANY_OPERATION
)
class Mutation(
    AccountMutations,
    ProjectMutations,
    TaskMutations,
    ReportMutations,
    NotificationMutations,
    JobMutations,
):
    pass


@strawberry.type(
    description="Live events over WebSocket at /graphql/ (graphql-transport-ws or the legacy "
    "graphql-ws), as the user of the `authorization: Bearer <access>` entry of "
    "`connection_init`'s payload (or of a browser's session): without a valid one the socket "
    "is closed (4403) before any subscription starts, and it is closed when the token expires. "
    "Each subscription counts against your rate limit (RATE_LIMITED); a subscription refused "
    "before it starts answers one error with its `extensions.code`."
)
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
    extensions=[QuerySetOptimizer, *DOCUMENT_LIMITS, StorableText, ErrorCodes, OperationMetrics],
    scalar_overrides=SCALAR_OVERRIDES,
)
