"""Read-through caching with versioned keys, so that invalidating never needs a key scan.

Every cached answer is stored under a key that includes the current token of each *version*
it depends on (`lists:user:7`, `task:42`, ...). A write replaces those tokens
(`bump(...)`), after which readers compute new keys and the old entries simply expire.
Tokens are random rather than counters: a token lost to eviction or a Redis restart is
recreated with a value no old entry can carry, so nothing stale comes back to life.

When the cache does not answer, reads go to the database and a warning is logged; the
cache backend is configured to swallow connection errors (`IGNORE_EXCEPTIONS`). Nothing is
cached or served from the cache inside a transaction, nor when CACHE_SELECTORS is off.
Users of this module: the selectors (pages, counts, details), the signed-in user
(backend/core/authentication.py) and whole GraphQL responses (backend/core/graphql_cache.py).
"""

import hashlib
import logging
import pickle
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

# Version tokens outlive every entry that depends on them; if one does expire, the next read
# makes a fresh token and the entries stored under the old one are never read again.
VERSION_TIMEOUT = 60 * 60 * 24
LIST_TIMEOUT = 60
DETAIL_TIMEOUT = 5 * 60
# The signed-in user, read on every request; the version is bumped on every save, the timeout
# bounds what a bulk `update()` (which sends no signal) could leave behind.
USER_TIMEOUT = 60

_MISSING = object()


def _version_key(name: str) -> str:
    return f"version:{name}"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def bump(names: Iterable[str]) -> None:
    """Give each named version a new token: every answer that depended on it is now stale."""
    tokens = {_version_key(name): _new_token() for name in set(names)}
    if tokens:
        cache.set_many(tokens, timeout=VERSION_TIMEOUT)


def current_tokens(names: list[str]) -> list[str] | None:
    """The tokens of the named versions, creating missing ones; None when the cache is down."""
    keys = [_version_key(name) for name in names]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        # `add` never overwrites, so a concurrent bump is not undone by a reader.
        for key in missing:
            cache.add(key, _new_token(), timeout=VERSION_TIMEOUT)
        found.update(cache.get_many(missing))
        if any(key not in found for key in keys):
            return None
    return [found[key] for key in keys]


def entry_key(name: str, tokens: list[str], params: Any) -> str:
    """A key for `name` that changes whenever a token or a parameter does."""
    digest = hashlib.blake2b(pickle.dumps((tokens, params)), digest_size=16).hexdigest()
    return f"{name}:{digest}"


class Entry:
    """One cache slot for an answer, found under the current version tokens."""

    def __init__(self, key: str, value: Any):
        self.key = key
        self.value = value

    @property
    def hit(self) -> bool:
        return self.value is not _MISSING

    def store(self, value: Any, timeout: int) -> None:
        cache.set(self.key, value, timeout=timeout)


def caching_applies() -> bool:
    return settings.CACHE_SELECTORS and not connection.in_atomic_block


def lookup(*, name: str, depends_on: list[str], params: Any) -> Entry | None:
    """The slot for `name` under the current tokens of `depends_on` and `params`.

    None when nothing may be cached: caching off, inside a transaction, or the cache down (a
    warning is logged). `params` must be picklable and deterministic (plain values, tuples,
    sorted lists).
    """
    if not caching_applies():
        # Inside a transaction a read may see this transaction's own uncommitted writes, which
        # must not reach other users, and a cached answer would hide them from this one.
        return None
    tokens = current_tokens(depends_on)
    if tokens is None:
        logger.warning("Cache unavailable: reading %s from the database", name)
        return None
    key = entry_key(name, tokens, params)
    return Entry(key, cache.get(key, _MISSING))


def read_through(
    *,
    name: str,
    depends_on: list[str],
    params: Any,
    timeout: int,
    compute: Callable[[], Any],
    cacheable: Callable[[Any], bool] = lambda value: True,
) -> tuple[Any, bool]:
    """`compute()`'s value, cached under the current tokens of `depends_on` and `params`.

    Returns the value and whether it came from the cache; a value `cacheable` refuses is
    returned but not stored.
    """
    entry = lookup(name=name, depends_on=depends_on, params=params)
    if entry is None:
        return compute(), False
    if entry.hit:
        return entry.value, True
    value = compute()
    if cacheable(value):
        entry.store(value, timeout)
    return value, False


# Version names, one place for the scheme the invalidation subscriber follows.
EVERYTHING = "everything"
STAFF_LISTS = "lists:staff"


def user_lists(user_id: int) -> str:
    """Lists, counts and stats a (non-staff) user sees."""
    return f"lists:user:{user_id}"


def user_access(user_id: int) -> str:
    """What a user may see at all: their project memberships (bumped whenever they change)."""
    return f"access:user:{user_id}"


def task_version(task_id: int) -> str:
    return f"task:{task_id}"


def user_version(user_id: int) -> str:
    """The user's own row: name, flags, whether the account is active."""
    return f"user:{user_id}"


def project_lists(project_id: int) -> str:
    """Lists of the project's members: a change to one of its tasks is one bump, not one per
    member (a project of a thousand members would otherwise cost a thousand writes)."""
    return f"lists:project:{project_id}"


def list_versions(user) -> list[str]:
    """The versions every list answer for this user depends on: their own tasks, and each of
    their projects' tasks."""
    if user.is_staff:
        return [EVERYTHING, STAFF_LISTS]
    return [
        EVERYTHING,
        user_lists(user.id),
        *(project_lists(project_id) for project_id in member_of(user.id)),
    ]


def member_of(user_id: int) -> list[int]:
    """The ids of the user's projects, cached until their memberships change (`user_access`)."""
    if not caching_applies():
        # No answer will be cached or read, so the versions naming the projects are not needed.
        return []
    from backend.projects.models import Membership

    project_ids, _ = read_through(
        name="member-of",
        depends_on=[user_access(user_id)],
        params=(user_id,),
        timeout=VERSION_TIMEOUT,
        compute=lambda: sorted(
            Membership.objects.filter(user_id=user_id).values_list("project_id", flat=True)
        ),
    )
    return project_ids


def task_detail_versions(user, task_id: int) -> list[str]:
    """A task as the user sees it: the task itself and what it shows of its project."""
    # Staff see projects they are no member of, whose changes bump only the staff lists.
    viewer = [STAFF_LISTS] if user.is_staff else [user_access(user.id)]
    return [EVERYTHING, *viewer, task_version(task_id)]
