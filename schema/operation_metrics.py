"""Counts each GraphQL operation, over HTTP and WebSocket, by name, type and outcome
(stride_graphql_operations_total); an answer from the response cache is counted where it is
sent (schema/view.py), since no operation runs for it."""

import re
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from backend.platform import metrics


class OperationMetrics(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        try:
            operation_type = context.operation_type.value
        except Exception:  # a document that did not parse has no type
            operation_type = "unknown"
        errors = getattr(context.result, "errors", None) or context.pre_execution_errors
        metrics.count_graphql_operation(
            context.operation_name, operation_type, "error" if errors else "ok"
        )


_OPERATION_NAME = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def count_cached(params: dict) -> None:
    """A cached answer, under the name its request or document gives: a cached document is
    never parsed, so a document of one operation is read for its name."""
    name = params.get("operationName")
    if not name:
        names = _OPERATION_NAME.findall(params["query"])
        name = names[0] if len(names) == 1 else None
    metrics.count_graphql_operation(name, "query", "cached")
