"""Counts each GraphQL operation, over HTTP and WebSocket, by name, type and outcome
(stride_graphql_operations_total); an answer from the response cache is counted where it is
sent (schema/view.py), since no operation runs for it."""

import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from backend.platform import metrics


class OperationMetrics(SchemaExtension):
    """A query or mutation is counted when it ends, a subscription when it has started (it
    ends when the client leaves, which does not run the end of `on_operation`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        try:
            operation_type = context.operation_type
        except Exception:  # a document that did not parse has no type
            operation_type = None
        if operation_type is OperationType.SUBSCRIPTION:
            return
        errors = getattr(context.result, "errors", None) or context.pre_execution_errors
        metrics.count_graphql_operation(
            context.operation_name,
            operation_type.value if operation_type else "unknown",
            "error" if errors else "ok",
        )

    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context
        if context.operation_type is OperationType.SUBSCRIPTION:
            metrics.count_graphql_operation(context.operation_name, "subscription", "ok")


_OPERATION_NAME = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def count_cached(params: dict) -> None:
    """A cached answer, under the name its request or document gives: a cached document is
    never parsed, so a document of one operation is read for its name."""
    name = params.get("operationName")
    if not name:
        names = _OPERATION_NAME.findall(params["query"])
        name = names[0] if len(names) == 1 else None
    metrics.count_graphql_operation(name, "query", "cached")
