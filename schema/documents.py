"""Documents parsed and validated once per text, within the configured limits.

Clients send the same few documents over and over; parsing and validating one is a fixed
function of its text, the schema and the limits (GRAPHQL_MAX_TOKENS, GRAPHQL_MAX_DEPTH,
GRAPHQL_MAX_ALIASES), so the outcome is remembered under those. `DocumentSchema` hands it to
Strawberry's pipeline before the pipeline would parse or validate, over HTTP and WebSocket alike.

Strawberry's own ParserCache, ValidationCache and limiter extensions do the same work per
request through four extensions' hooks, which cost more than the cached lookups they wrap
(~0.1 to 0.2 ms of a ~3 ms list request, in process).
"""

import threading
from collections import OrderedDict
from functools import cache
from typing import NamedTuple

import strawberry
from django.conf import settings
from graphql import DocumentNode, GraphQLError, parse, specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import validate_document

# Distinct document texts remembered; a client sends a few dozen at most. A longer text (real
# operations are a few hundred bytes; a long string literal is one token) is prepared each time,
# so that the memory stays bounded by the two.
REMEMBERED_DOCUMENTS = 512
REMEMBERED_DOCUMENT_LENGTH = 20_000


@cache
def _limit_rules(max_depth: int, max_aliases: int) -> tuple:
    # Each limiter builds its rule classes when it is constructed: built once per limit.
    return (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    )


class PreparedDocument(NamedTuple):
    document: DocumentNode
    # Validation errors (empty when the document is valid): reported, never executed.
    errors: tuple[GraphQLError, ...]


class PreparedDocuments:
    """A bounded memory of prepared documents, least recently used first out."""

    def __init__(self, size: int = REMEMBERED_DOCUMENTS):
        self.size = size
        self._documents: OrderedDict[tuple, PreparedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def prepared(self, schema: strawberry.Schema, query: str, rules: tuple) -> PreparedDocument:
        """`query` parsed and validated with `rules` plus the limits.

        Raises the parser's GraphQLError for a document that does not parse or has more tokens
        than allowed (not remembered: Strawberry's parser reports it with the same limit).
        """
        max_tokens = settings.GRAPHQL_MAX_TOKENS
        limits = _limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)
        key = (query, max_tokens, rules, limits)
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                self._documents.move_to_end(key)
                return found
        document = parse(query, max_tokens=max_tokens)
        errors = validate_document(schema._schema, document, (*rules, *limits))
        prepared = PreparedDocument(document, tuple(errors))
        if len(query) > REMEMBERED_DOCUMENT_LENGTH:
            return prepared
        with self._lock:
            self._documents[key] = prepared
            if len(self._documents) > self.size:
                self._documents.popitem(last=False)
        return prepared

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()


class DocumentSchema(strawberry.Schema):
    """A schema whose operations start from a prepared document when their text is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = PreparedDocuments()

    def valid_document(self, query: str) -> DocumentNode | None:
        """The parsed document of `query` when it parses and validates, else None (executing
        it reports why). Prepared as an operation of this schema would be, so the two share it.
        """
        try:
            prepared = self.documents.prepared(self, query, tuple(specified_rules))
        except GraphQLError:
            return None
        return None if prepared.errors else prepared.document

    def _create_execution_context(self, query, *args, **kwargs):
        context = super()._create_execution_context(query, *args, **kwargs)
        # Strawberry parses with these options only when no document is prepared: a document
        # that does not parse is reported under the same token limit.
        context.parse_options["max_tokens"] = settings.GRAPHQL_MAX_TOKENS
        if not query:
            return context
        try:
            prepared = self.documents.prepared(self, query, tuple(context.validation_rules))
        except GraphQLError:
            return context
        context.graphql_document = prepared.document
        # Strawberry validates only while this is None; a list marks validation as done.
        context.pre_execution_errors = list(prepared.errors)
        return context
