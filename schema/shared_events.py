"""Subscription events executed and serialized once per web process, not once per subscriber.

graphql-core runs a subscription's selection set for every event and every subscriber. For a
payload that declares itself the same for every viewer (`SharedAcrossViewers`), the first
subscription to reach an event executes it, and every other one with the same document text,
variables and operation name awaits that result; the socket then serializes it once
(`shared_result_json`). What this assumes of graphql-core and Strawberry is in
schema/adapters.py (assumptions 3 to 6).
"""

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable

from graphql.pyutils import is_awaitable

from schema.adapters import EventExecutionContext, result_message

RESULT_MESSAGE = '{{"id":{id},"type":{type},"payload":{{"data":{data}}}}}'


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


class SharingExecutionContext(EventExecutionContext):
    """Strawberry's executor, executing a `SharedAcrossViewers` event once per operation."""

    # Document, variables and operation name: computed once per subscription.
    _operation_key: tuple | None = None

    def execute_event(self, payload, execute):
        if not isinstance(payload, SharedAcrossViewers):
            return execute()
        if self._operation_key is None:
            self._operation_key = self.operation_key()
        return _shared_results.get((payload.event_id, self._operation_key), execute)


class _SerializedResults:
    """The JSON of recent results' `data`, by identity: the same object for every subscriber.

    Each entry keeps its object alive, so that its `id()` cannot be reused while cached.
    """

    def __init__(self, size: int = 64):
        self.size = size
        self._texts: OrderedDict[int, tuple[object, str]] = OrderedDict()

    def get(self, data: object) -> str:
        cached = self._texts.get(id(data))
        if cached is None:
            cached = (data, json.dumps(data, separators=(",", ":")))
            self._texts[id(data)] = cached
            while len(self._texts) > self.size:
                self._texts.popitem(last=False)
        return cached[1]


_serialized_results = _SerializedResults()


def shared_result_json(message: object) -> str | None:
    """The JSON of a result message, its `data` serialized once for all the subscribers who
    share it; None for any other message."""
    result = result_message(message)
    if result is None:
        return None
    operation_id, kind, data = result
    return RESULT_MESSAGE.format(
        id=json.dumps(operation_id), type=json.dumps(kind), data=_serialized_results.get(data)
    )
