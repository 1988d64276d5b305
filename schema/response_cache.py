"""Whole GraphQL responses from the cache, under the versions the selectors use.

A query whose root fields are all lists or details of tasks and projects is answered from Redis
when the same user sent the same document, variables and operation name before, and no version
its answer depends on has changed since. Those versions cover all such a response can show, to
any depth, including every person's name (a profile change bumps everything) and the asker's
own row (a deactivation applies at once). The key needs no parsing, so that a hit is one Redis
read before anything else; only answers without errors are stored. Answers that change with
time alone (`isOverdue`, lists filtered on `overdue`) say so on the request's `CachePolicy`.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from graphql import FieldNode, OperationDefinitionNode, OperationType, value_from_ast_untyped

from backend.caching import store, versions
from backend.projects.selectors import list_versions
from schema.limits import parsed_within_limits

NAME = "graphql:response"
# Real operations are a few hundred bytes; a longer text is executed, never cached.
MAX_CACHED_DOCUMENT_LENGTH = 10_000


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
    return getattr(request, "cache_policy", None)


def _task_versions(user, arguments) -> tuple[list[str], int] | None:
    try:
        task_id = int(arguments.get("id"))
    except (TypeError, ValueError):
        return None
    return versions.task_detail_versions(user, task_id), store.DETAIL_TIMEOUT


def _project_versions(user, arguments) -> tuple[list[str], int]:
    # Members and project changes bump the lists of everyone who sees the project.
    return [*list_versions(user), versions.user_access(user.id)], store.DETAIL_TIMEOUT


def _list_versions(user, arguments) -> tuple[list[str], int]:
    return list_versions(user), store.LIST_TIMEOUT


# Root field -> the versions its answer depends on, and how long it may be kept.
CACHEABLE_ROOT_FIELDS = {
    "tasks": _list_versions,
    "taskConnection": _list_versions,
    "taskReport": _list_versions,
    "projects": _list_versions,
    "task": _task_versions,
    "project": _project_versions,
}


@functools.cache
def _schema_version() -> str:
    """The schema the answers were given under: a deploy that changes it starts afresh, where
    an answer stored by the processes it replaces could show a field that no longer exists."""
    from schema import schema

    return hashlib.blake2b(schema.as_str().encode(), digest_size=8).hexdigest()


def _params(user_id, params: dict) -> tuple:
    return (
        _schema_version(),
        str(user_id),
        hashlib.blake2b(params["query"].encode(), digest_size=16).hexdigest(),
        params.get("operationName"),
        json.dumps(params.get("variables"), sort_keys=True),
        json.dumps(params.get("extensions"), sort_keys=True),
    )


def _may_be_cached(user_id, params: dict) -> bool:
    return (
        user_id is not None
        and settings.CACHE_SELECTORS
        and len(params["query"]) <= MAX_CACHED_DOCUMENT_LENGTH
    )


async def cached_answer(user_id, params: dict) -> bytes | None:
    """The encoded response stored for this user's request, if it is still current."""
    if not _may_be_cached(user_id, params):
        return None
    return await store.aread(NAME, _params(user_id, params))


def _operation(document, operation_name: str | None) -> OperationDefinitionNode | None:
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
    depends_on, timeout = {versions.EVERYTHING}, store.DETAIL_TIMEOUT
    for selection in operation.selection_set.selections:
        # Fragments at the root could hide any field: such documents are simply not cached.
        if not isinstance(selection, FieldNode):
            return None
        name = selection.name.value
        if name == "__typename":
            continue
        answer_versions = CACHEABLE_ROOT_FIELDS.get(name)
        if answer_versions is None:
            return None
        arguments = {
            argument.name.value: value_from_ast_untyped(argument.value, params.get("variables"))
            for argument in selection.arguments or ()
        }
        found = answer_versions(user, arguments)
        if found is None:
            return None
        depends_on.update(found[0])
        timeout = min(timeout, found[1])
    return sorted(depends_on), timeout


class PendingAnswer:
    """The cache slot of a response about to be computed, and the policy its resolvers fill."""

    def __init__(self, slot: store.Slot, timeout: int):
        self.slot = slot
        self.timeout = timeout
        self.policy = CachePolicy()

    def store(self, body: bytes, result) -> None:
        """Keep the encoded response of `result`, unless it had errors or expires now."""
        if result.errors or result.data is None or self.policy.uncacheable:
            return
        timeout = self.timeout
        if self.policy.expires_at is not None:
            timeout = min(timeout, int((self.policy.expires_at - timezone.now()).total_seconds()))
        self.slot.store(body, timeout)


def pending_answer(request, params: dict) -> PendingAnswer | None:
    """Where the response to `request` goes once computed, None when it may not be cached.
    Attaches the request's `CachePolicy` for the resolvers."""
    user = request.user
    if not _may_be_cached(user.id if user.is_authenticated else None, params):
        return None
    if not store.applies():
        return None
    document = parsed_within_limits(params["query"])
    if document is None:
        return None
    dependencies = _dependencies(user, document, params)
    if dependencies is None:
        return None
    depends_on, timeout = dependencies
    slot = store.slot(NAME, _params(user.id, params), depends_on)
    if slot is None:
        return None
    pending = PendingAnswer(slot, timeout)
    request.cache_policy = pending.policy
    return pending
