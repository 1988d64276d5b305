"""Subscription events executed once per web process, not once per subscriber.

graphql-core runs a subscription's whole selection set for every event and every subscriber;
with a thousand sockets on one project that was most of the web process's time in
bench/ws_fanout.py. For a payload that declares itself the same for every viewer
(`SharedAcrossViewers`), the first subscription to reach an event executes it, and every
other subscription with the same document text, variables and operation name awaits that
result instead of computing its own.
"""

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from graphql import print_ast
from graphql.pyutils import is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class SharedAcrossViewers:
    """A subscription payload whose result may be sent to every subscriber of an event.

    The contract: who may receive the event is decided before the payload is yielded, for
    each subscriber; and no field reachable from the payload's type resolves differently
    for different viewers (none reads `info.context`, none is filtered by permissions).
    tests/realtime/test_shared_results.py checks the second half for `TaskChange`.
    Subclasses set `event_id`, unique per event.
    """

    event_id: str


class _SharedResults:
    """The results of recent events, by event and operation."""

    def __init__(self, size: int = 256):
        self.size = size
        self._results: OrderedDict[tuple, object] = OrderedDict()

    def get(self, key: tuple, execute: Callable[[], object]) -> object:
        if key not in self._results:
            result = execute()
            # A task of its own: the subscriber who started it may leave before it finishes.
            self._results[key] = asyncio.ensure_future(result) if is_awaitable(result) else result
            while len(self._results) > self.size:
                self._results.popitem(last=False)
        result = self._results[key]
        return asyncio.shield(result) if isinstance(result, asyncio.Future) else result


_shared_results = _SharedResults()


class SharingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, executing a `SharedAcrossViewers` event once per operation."""

    # Document, variables and operation name: computed once per subscription.
    operation_key: tuple | None = None

    def build_per_event_executor(self, payload):
        if not isinstance(payload, SharedAcrossViewers):
            return super().build_per_event_executor(payload)
        if self.operation_key is None:
            self.operation_key = self._operation_key()
        # Only the subscriber who executes the event needs graphql-core's copy of the executor.
        return _SharedEvent(self, payload)

    def _operation_key(self) -> tuple:
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


class _SharedEvent:
    """What `build_per_event_executor` returns for a shared event: the result, not an executor."""

    def __init__(self, executor: SharingExecutionContext, payload: SharedAcrossViewers):
        self.executor = executor
        self.payload = payload

    def execute_operation(self, serially: bool | None = None) -> Awaitable | object:
        build = super(SharingExecutionContext, self.executor).build_per_event_executor
        return _shared_results.get(
            (self.payload.event_id, self.executor.operation_key),
            lambda: build(self.payload).execute_operation(serially),
        )
