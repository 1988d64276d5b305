"""Text PostgreSQL cannot store, refused before execution as REST's serializers refuse it.

A NUL character (a `\\u0000` escape in a literal or a variable) and lone UTF-16 surrogates (from
JSON escapes) would otherwise reach the database or the JSON encoder and fail there. The
messages are Django REST framework's, so both doors say the same.
"""

from collections.abc import Iterator

from graphql import GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from backend.platform.text import NULL_MESSAGE, text_problem


class _Literals(Visitor):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, StringValueNode]] = []

    def enter_string_value(self, node, *_):
        problem = text_problem(node.value)
        if problem:
            self.found.append((problem, node))


def _in_values(value, path: str) -> Iterator[str]:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield f"{problem} (in ${path})"
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _in_values(name, path)
            yield from _in_values(item, f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_values(item, f"{path}.{index}")


def first_surrogate(value) -> str | None:
    """The message about the first lone surrogate in a JSON value (keys included), or None."""
    for problem in _in_values(value, "request"):
        if not problem.startswith(NULL_MESSAGE):
            return problem.split(" (in $")[0]
    return None


def text_errors(document, variables) -> list[GraphQLError]:
    literals = _Literals()
    visit(document, literals)
    errors = [
        GraphQLError(problem, nodes=[node], extensions={"code": "BAD_USER_INPUT"})
        for problem, node in literals.found
    ]
    for name, value in (variables or {}).items():
        errors.extend(
            GraphQLError(problem, extensions={"code": "BAD_USER_INPUT"})
            for problem in _in_values(value, name)
        )
    return errors


class StorableText(SchemaExtension):
    """Refuses a document or variables holding text the database cannot store."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # Set before graphql-core validates (and only if the limits let the document through):
        # afterwards Strawberry no longer looks.
        if not context.pre_execution_errors and context.graphql_document is not None:
            errors = text_errors(context.graphql_document, context.variables)
            if errors:
                context.pre_execution_errors = errors
        yield
