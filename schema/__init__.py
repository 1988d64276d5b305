"""The Stride GraphQL schema: one query, mutation and subscription root merged from the domains."""

import strawberry

from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries
from schema.adapters import QuerySetOptimizer
from schema.jobs.mutations import JobMutations
from schema.jobs.queries import JobQueries
from schema.jobs.subscriptions import JobSubscriptions
from schema.limits import EXTENSIONS as DOCUMENT_LIMITS
from schema.notifications.mutations import NotificationMutations
from schema.notifications.queries import NotificationQueries
from schema.notifications.subscriptions import NotificationSubscriptions
from schema.projects.mutations import ProjectMutations
from schema.projects.queries import ProjectQueries
from schema.shared_events import SharingExecutionContext
from schema.tasks.mutations import TaskMutations
from schema.tasks.queries import TaskQueries
from schema.tasks.subscriptions import TaskSubscriptions


@strawberry.type
class Query(AccountQueries, ProjectQueries, TaskQueries, NotificationQueries, JobQueries):
    pass


@strawberry.type
class Mutation(
    AccountMutations, ProjectMutations, TaskMutations, NotificationMutations, JobMutations
):
    pass


@strawberry.type
class Subscription(TaskSubscriptions, NotificationSubscriptions, JobSubscriptions):
    pass


# A document is parsed and validated once per text, and refused before it is validated when it
# is over the limits (schema/limits.py).
schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=SharingExecutionContext,
    extensions=[QuerySetOptimizer, *DOCUMENT_LIMITS],
)
