"""Limits on the size of a GraphQL document, checked before graphql-core validates it.

Every operation, over HTTP and WebSocket alike, is parsed with at most GRAPHQL_MAX_TOKENS tokens
(once per text); measured with every fragment spread expanded, each fragment once, so that the
work follows the length of the text and not of the expansion (twenty fragments that each spread
the previous one twice expand to a million fields); refused when over GRAPHQL_MAX_DEPTH,
GRAPHQL_MAX_ALIASES or GRAPHQL_MAX_FIELDS, when fragments spread each other in a cycle, or when
it holds several operations and the request names none; and only then validated by graphql-core
(once per document). Measuring is repeated on every request, so a changed limit applies at once.
"""

import contextlib
from collections.abc import Iterator
from typing import NamedTuple

from django.conf import settings
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache

# The parser and validation caches remember this many texts (a client sends a few dozen) of at
# most this length; a longer one is parsed and validated each time, so memory stays bounded.
REMEMBERED_DOCUMENTS = 512
REMEMBERED_DOCUMENT_LENGTH = 20_000


class Size(NamedTuple):
    """A selection set with its fragments expanded: how deep it nests, and what it holds."""

    depth: int
    aliases: int
    fields: int


NOTHING = Size(0, 0, 0)


class _Measure:
    """Sizes of one document's selection sets, each fragment measured once (by name)."""

    def __init__(self, document: DocumentNode):
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.sizes: dict[str, Size] = {}
        # The fragments being measured, outermost first: a spread of one of them is a cycle.
        self.spreading: list[str] = []

    def fragment(self, spread: FragmentSpreadNode | FragmentDefinitionNode) -> Size:
        name = spread.name.value
        size = self.sizes.get(name)
        if size is not None:
            return size
        if name in self.spreading:
            # Reported as graphql-core's NoFragmentCyclesRule words it.
            via = ", ".join(
                f"'{outer}'" for outer in self.spreading[self.spreading.index(name) + 1 :]
            )
            raise GraphQLError(
                f"Cannot spread fragment '{name}' within itself" + (f" via {via}." if via else "."),
                spread,
            )
        definition = self.fragments.get(name)
        if definition is None:
            return NOTHING  # KnownFragmentNamesRule reports it
        self.spreading.append(name)
        size = self.selections(
            definition.selection_set, definition.type_condition.name.value.startswith("__")
        )
        self.spreading.pop()
        self.sizes[name] = size
        return size

    def selections(self, selection_set: SelectionSetNode, introspection: bool) -> Size:
        """`introspection`: the selection is of an introspection type (`__Type`, ...)."""
        depth = aliases = fields = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields += 1
                aliases += selection.alias is not None
                if selection.selection_set is None:
                    continue
                name = selection.name.value
                inner = self.selections(
                    selection.selection_set, introspection or name.startswith("__")
                )
                # `ofType` unwraps one list or non-null: a chain of them ends at the named type
                # after a few steps and fans out to nothing, and GraphiQL's introspection query
                # nests nine of them. Every other field, introspection's included, is a level.
                level = 0 if introspection and name == "ofType" else 1
                depth = max(depth, level + inner.depth)
            else:
                if isinstance(selection, FragmentSpreadNode):
                    inner = self.fragment(selection)
                else:
                    condition = selection.type_condition
                    inner = self.selections(
                        selection.selection_set,
                        introspection
                        or (condition is not None and condition.name.value.startswith("__")),
                    )
                depth = max(depth, inner.depth)
            aliases += inner.aliases
            fields += inner.fields
        return Size(depth, aliases, fields)


def over_limits(document: DocumentNode) -> list[GraphQLError]:
    """Why `document` may not be validated nor run under the current limits (empty if it may)."""
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    measure = _Measure(document)
    try:
        # Unused fragments too, so that no cycle reaches graphql-core's validation.
        for fragment in measure.fragments.values():
            measure.fragment(fragment)
        sizes = [
            (operation, measure.selections(operation.selection_set, False))
            for operation in operations
        ]
    except GraphQLError as cycle:
        return [cycle]

    errors = []
    max_depth = settings.GRAPHQL_MAX_DEPTH
    for operation, size in sizes:
        if size.depth > max_depth:
            name = operation.name.value if operation.name else "anonymous"
            errors.append(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {max_depth}", operation)
            )
    aliases = sum(size.aliases for _, size in sizes)
    if aliases > settings.GRAPHQL_MAX_ALIASES:
        errors.append(
            GraphQLError(f"{aliases} aliases found. Allowed: {settings.GRAPHQL_MAX_ALIASES}")
        )
    fields = sum(size.fields for _, size in sizes)
    if fields > settings.GRAPHQL_MAX_FIELDS:
        errors.append(
            GraphQLError(
                f"{fields} fields found with fragments expanded. "
                f"Allowed: {settings.GRAPHQL_MAX_FIELDS}"
            )
        )
    return errors


def _unnamed_among_several(document: DocumentNode, operation_name: str | None) -> bool:
    if operation_name is not None:
        return False
    operations = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return next(operations, None) is not None and next(operations, None) is not None


def _remembered(query: str | None) -> bool:
    return query is not None and len(query) <= REMEMBERED_DOCUMENT_LENGTH


def token_limit() -> MaxTokensLimiter:
    """Strawberry's token limit, as the settings say when the operation starts."""
    return MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS)


class DocumentParsing(ParserCache):
    """Strawberry's parser cache, for texts of a usual length."""

    def __init__(self) -> None:
        super().__init__(maxsize=REMEMBERED_DOCUMENTS)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if _remembered(context.query):
            # A text that does not parse is left to Strawberry, which reports parse errors on
            # every transport (raised from this hook, a WebSocket would not report it).
            with contextlib.suppress(GraphQLError):
                context.graphql_document = self.cached_parse_document(
                    context.query, **context.parse_options
                )
        yield


class DocumentLimits(ValidationCache):
    """Refuses a document over the limits, then has graphql-core validate it once per document.

    The limits come first: graphql-core validates with every rule in one pass, so a limit
    written as a rule (Strawberry's QueryDepthLimiter, MaxAliasesLimiter) is reported only after
    every other rule has walked the document, at a cost that follows what the fragments expand
    to (OverlappingFieldsCanBeMergedRule compares a selection's fields two by two).
    """

    def __init__(self) -> None:
        super().__init__(maxsize=REMEMBERED_DOCUMENTS)
        self.operation_name: str | None = None

    def on_operation(self) -> Iterator[None]:
        # Before parsing there is no document whose first operation could lend its name: this
        # is the name the request gives, or None. Afterwards the two cannot be told apart.
        self.operation_name = self.execution_context.operation_name
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if _unnamed_among_several(document, self.operation_name):
            # The GraphQL spec's answer. Strawberry would validate every operation, then hand
            # graphql-core the first one's name and run it.
            errors = [
                GraphQLError("Must provide operation name if query contains multiple operations.")
            ]
        else:
            errors = over_limits(document)
        if errors:
            # Strawberry validates only while this is None.
            context.pre_execution_errors = errors
            yield
        elif _remembered(context.query):
            yield from super().on_validate()
        else:
            yield


# After the token limit is set, the parser's cache; the limits before graphql-core's validation.
EXTENSIONS = (token_limit, DocumentParsing, DocumentLimits)

# The parser cache the operations use (one per size, shared by every ParserCache).
_parse = DocumentParsing().cached_parse_document


def parsed_within_limits(query: str) -> DocumentNode | None:
    """The parsed document of `query` when it parses and is within the limits, else None (also
    for a text too long to remember), for the response cache (schema/response_cache.py)."""
    if not _remembered(query):
        return None
    try:
        document = _parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
    except GraphQLError:
        return None
    return None if over_limits(document) else document
