"""Where sharing subscription events (schema/shared_events.py) relies on graphql-core and
Strawberry beyond what they document: every such assumption, here and nowhere else.

tests/realtime/test_subscription_hooks.py pins each one, so that an upgrade that breaks it
fails there, by name, rather than as a slower or wrong fan-out.

1. Strawberry executes with `StrawberryGraphQLCoreExecutionContext`, from
   `strawberry.schema.schema`, unless `execution_context_class` names another: the parameter
   is documented, its default class and module are not. A replacement extends it, since
   Strawberry passes executors keyword arguments of its own (`operation_extensions`).
2. graphql-core's `subscribe()`, which Strawberry calls, executes each source event as
   `build_per_event_executor(payload).execute_operation(False)` on the subscription's
   executor, and uses nothing else of what `build_per_event_executor` returns. Both methods
   are documented; overriding one is not (graphql-core 3.3 says to compose the pipeline with
   `map_source_to_response_event` instead, which Strawberry does not let a schema do).
3. An executor's `operation`, `fragment_definitions` and `variable_values.coerced` (the
   variables after defaults and coercion) are as graphql-core 3.3's `Executor` documents
   them; 3.2 named and shaped them otherwise.
4. Strawberry's WebSocket handlers serialize each result message with the view's
   `encode_json` (documented for HTTP responses) as `{"id", "type", "payload": {"data": data}}`
   when the result has neither errors nor extensions, `data` being the execution result's
   own object, not a copy: a result shared by subscribers reaches `encode_json` as one object.
"""

import json
from collections.abc import Awaitable, Callable

from graphql import print_ast
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Executed = Awaitable | object


class EventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with a say in how each subscription event executes."""

    def execute_event(self, payload: object, execute: Callable[[], Executed]) -> Executed:
        """The result of one event; `execute()` executes it as graphql-core would."""
        return execute()

    def operation_key(self) -> tuple[str, str, str | None]:
        """The operation's document text, its coerced variables (JSON) and its name."""
        location = self.operation.loc
        document = (
            location.source.body
            if location is not None
            else "\n".join(
                print_ast(node) for node in (self.operation, *self.fragment_definitions.values())
            )
        )
        variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
        name = self.operation.name.value if self.operation.name else None
        return document, variables, name

    def build_per_event_executor(self, payload):
        return _Event(self, payload)


class _Event:
    """What `build_per_event_executor` returns: graphql-core only executes it."""

    def __init__(self, executor: EventExecutionContext, payload: object):
        self.executor = executor
        self.payload = payload

    def execute_operation(self, serially: bool | None = None) -> Executed:
        build = super(EventExecutionContext, self.executor).build_per_event_executor
        return self.executor.execute_event(
            self.payload, lambda: build(self.payload).execute_operation(serially)
        )


def result_message(message: object) -> tuple[object, object, object] | None:
    """(id, type, data) of a message that carries a result's data and nothing else."""
    if (
        isinstance(message, dict)
        and message.keys() == {"id", "type", "payload"}
        and isinstance(message["payload"], dict)
        and message["payload"].keys() == {"data"}
    ):
        return message["id"], message["type"], message["payload"]["data"]
    return None
