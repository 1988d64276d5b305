"""The Stride GraphQL schema: one query, mutation and subscription root merged from the domains."""

import strawberry
from graphql import ExecutionResult
from strawberry_django.optimizer import DjangoOptimizerExtension

from schema.accounts.mutations import AccountMutations
from schema.accounts.queries import AccountQueries
from schema.fast_fields import PlainObjectCompletion, resolve_plain_fields_directly
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


class StrideExecutionContext(PlainObjectCompletion, SharingExecutionContext):
    """Both execution shortcuts: shared subscription events, one-pass plain objects."""

    def execute_operation(self, *args, **kwargs):
        result = super().execute_operation(*args, **kwargs)
        if isinstance(result, ExecutionResult):
            # Finished (not awaiting, nothing deferred): graphql-core's executor refers to
            # itself through `async_helpers`, a cycle that kept the executor and everything it
            # completed (~200 objects a list request) for the garbage collector; without it
            # reference counting frees them as the request ends.
            self.__dict__.pop("async_helpers", None)
        return result


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
    execution_context_class=StrideExecutionContext,
    extensions=[DjangoOptimizerExtension, *DOCUMENT_LIMITS],
)
resolve_plain_fields_directly(schema)
