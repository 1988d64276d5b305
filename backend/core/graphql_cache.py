"""Whole GraphQL responses served from the cache, under the same versions as the selectors.

A query operation whose root fields are all read-only lists or details of tasks and projects
is answered from Redis when the same user sent the same document, variables and operation
before and no version it depends on has been bumped since (backend/core/invalidation.py keeps
those exact). Everything such a response can show, to any depth, is covered by these versions:
the tasks and projects themselves, their comments and activity, members, and every person's
name (a profile change bumps everything). Nothing else is cached: mutations, subscriptions,
`me`, notifications, jobs, a response with errors.

Two answers change with time alone: `isOverdue`, and lists filtered on `overdue`. A resolver
reports the moment its answer turns (`expires_at`) or that it must not be kept (`uncacheable`).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    value_from_ast_untyped,
)

from backend.core import cache


@dataclass
class CachePolicy:
    """What resolvers found out about how long this response stays true."""

    expires_at: datetime | None = None
    uncacheable: bool = False

    def expire_no_later_than(self, moment: datetime) -> None:
        if self.expires_at is None or moment < self.expires_at:
            self.expires_at = moment


def policy_of(request) -> CachePolicy | None:
    """The request's policy, None where responses are never cached (WebSocket operations)."""
    return getattr(request, "graphql_cache_policy", None)


def _list_versions(user, arguments) -> tuple[list[str], int]:
    return cache.list_versions(user), cache.LIST_TIMEOUT


def _task_versions(user, arguments) -> tuple[list[str], int] | None:
    try:
        task_id = int(arguments.get("id"))
    except (TypeError, ValueError):
        return None
    return cache.task_detail_versions(user, task_id), cache.DETAIL_TIMEOUT


def _project_versions(user, arguments) -> tuple[list[str], int]:
    # Members and project changes bump the lists of everyone who sees the project.
    return [*cache.list_versions(user), cache.user_access(user.id)], cache.DETAIL_TIMEOUT


# Root field -> the versions its answer depends on, and how long it may be kept.
CACHEABLE_ROOT_FIELDS = {
    "tasks": _list_versions,
    "taskConnection": _list_versions,
    "projects": _list_versions,
    "task": _task_versions,
    "project": _project_versions,
}


# Real operations are a few hundred bytes; a longer text is executed, never cached.
MAX_CACHED_DOCUMENT_LENGTH = 10_000


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    named = [node for node in operations if node.name and node.name.value == operation_name]
    return named[0] if len(named) == 1 else None


def _dependencies(user, document, params: dict) -> tuple[list[str], int] | None:
    """The versions and timeout of the operation's answer; None when it is not cacheable."""
    operation = _operation(document, params.get("operationName"))
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    versions, timeout = {cache.EVERYTHING}, cache.DETAIL_TIMEOUT
    for selection in operation.selection_set.selections:
        # Fragments at the root could hide any field: such documents are simply not cached.
        if not isinstance(selection, FieldNode):
            return None
        name = selection.name.value
        if name == "__typename":
            continue
        depends = CACHEABLE_ROOT_FIELDS.get(name)
        if depends is None:
            return None
        arguments = {
            argument.name.value: value_from_ast_untyped(argument.value, params.get("variables"))
            for argument in selection.arguments or ()
        }
        found = depends(user, arguments)
        if found is None:
            return None
        versions.update(found[0])
        timeout = min(timeout, found[1])
    return sorted(versions), timeout


class CachedResponse:
    """The cache slot of one GraphQL request; `body` is set on a hit."""

    def __init__(self, entry: cache.Entry, timeout: int):
        self.entry = entry
        self.timeout = timeout
        self.policy = CachePolicy()

    @property
    def body(self) -> bytes | None:
        return self.entry.value if self.entry.hit else None

    def store(self, body: bytes, result) -> None:
        """Keep the encoded response of `result`, unless it had errors or expires now."""
        if result.errors or result.data is None or self.policy.uncacheable:
            return
        timeout = self.timeout
        if self.policy.expires_at is not None:
            timeout = min(timeout, int((self.policy.expires_at - timezone.now()).total_seconds()))
        if timeout > 0:
            self.entry.store(body, timeout)


def cached_response(
    request, params: dict, parsed_document: Callable[[str], DocumentNode | None]
) -> CachedResponse | None:
    """The cache slot for this request, None when its answer may not be cached.

    `parsed_document` gives the parsed document of a query text that parses and is within the
    document limits (None otherwise: executing it reports the problem); it is asked only when
    caching could apply. An answer is stored only when it has no errors, so a text found here
    has passed validation before. Attaches the request's `CachePolicy` for the resolvers.
    """
    user = request.user
    if (
        len(params["query"]) > MAX_CACHED_DOCUMENT_LENGTH
        or not user.is_authenticated
        or not cache.caching_applies()
    ):
        return None
    document = parsed_document(params["query"])
    if document is None:
        return None
    dependencies = _dependencies(user, document, params)
    if dependencies is None:
        return None
    versions, timeout = dependencies
    entry = cache.lookup(
        name="graphql:response",
        depends_on=versions,
        params=(
            user.id,
            hashlib.blake2b(params["query"].encode(), digest_size=16).hexdigest(),
            params.get("operationName"),
            json.dumps(params.get("variables"), sort_keys=True),
            json.dumps(params.get("extensions"), sort_keys=True),
        ),
    )
    if entry is None:
        return None
    response = CachedResponse(entry, timeout)
    request.graphql_cache_policy = response.policy
    return response
