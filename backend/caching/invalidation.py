"""Which cached answers a domain event makes stale, and bumping their versions.

The rule: every user who could see the changed object before or after the change gets fresh
lists; staff, who see everything, get fresh lists on every change. Events arrive after commit
(see backend/events.py), so the next read after a bump sees the committed data.
"""

from django.db import transaction

from backend.caching import store, versions
from backend.events import TASK_EVENTS, DomainEvent, EventKind
from backend.tasks.models import project_name_audience

MEMBERSHIP_EVENTS = {EventKind.MEMBER_ADDED, EventKind.MEMBER_REMOVED}
# What other people see of a user (schema/accounts/types.py UserType, REST's user summary).
PUBLIC_USER_FIELDS = {"username", "first_name", "last_name"}


def _project_audience(event: DomainEvent) -> set[int]:
    return project_name_audience(
        project_id=event.project_id,
        member_ids=event.data.get("member_ids", []),
        owner_id=event.data.get("owner_id"),
    )


def versions_to_bump(event: DomainEvent) -> set[str]:
    data = event.data
    if event.kind in TASK_EVENTS:
        # Members see the task through their project's lists; its creator and (previous)
        # assignee may see it without being members.
        viewers = {data.get("created_by_id"), data.get("assignee_id")}
        viewers.add(data.get("previous_assignee_id"))
        projects = {event.project_id, data.get("previous_project_id")}
        return {
            versions.STAFF_LISTS,
            versions.task_version(event.task_id),
            *(versions.project_lists(project_id) for project_id in projects if project_id),
            *(versions.user_lists(user_id) for user_id in viewers if user_id is not None),
        }
    if event.kind == EventKind.TASKS_IMPORTED:
        # New tasks, seen by the importer, their assignees and their projects' members; their
        # ids too, since a detail asked for before the task existed is cached as not found.
        return {
            versions.STAFF_LISTS,
            *(versions.task_version(task_id) for task_id in data["task_ids"]),
            *(versions.project_lists(project_id) for project_id in data["project_ids"]),
            *(versions.user_lists(user_id) for user_id in {event.actor_id, *data["assignee_ids"]}),
        }
    if event.kind == EventKind.PROJECT_CREATED:
        # The owner's new membership refreshes their access through `membership_changed`.
        return {versions.STAFF_LISTS, versions.user_lists(data["owner_id"])}
    if event.kind == EventKind.PROJECT_UPDATED:
        audience = _project_audience(event)
        return {
            versions.STAFF_LISTS,
            *(versions.user_lists(user_id) for user_id in audience),
            *(versions.user_access(user_id) for user_id in audience),
        }
    if event.kind in MEMBERSHIP_EVENTS:
        # The member's visibility changed; everyone else who sees the project (on its tasks
        # too: a task detail shows the project's members) sees a different member list.
        audience = _project_audience(event) | {data["user_id"]}
        return {
            versions.STAFF_LISTS,
            *(versions.user_lists(user_id) for user_id in audience),
            *(versions.user_access(user_id) for user_id in audience),
        }
    if event.kind in (EventKind.PROJECT_DELETED, EventKind.USER_UPDATED):
        # A deleted project takes tasks with it whose viewers are no longer recorded anywhere,
        # and a profile shows in every list naming that user: both rare, so everything.
        return {versions.EVERYTHING}
    return set()


def invalidate(event: DomainEvent) -> None:
    """Events subscriber: make every cached answer the event could change stale."""
    store.bump(versions_to_bump(event))


def _bump_after_commit(names: set[str]) -> None:
    # Bumping before commit would let a concurrent read cache the old row again.
    transaction.on_commit(lambda: store.bump(names), robust=True)


def user_saved(sender, instance, created, update_fields=None, **kwargs):
    """post_save receiver: a deactivation in the admin applies to the very next request."""
    names = {versions.user_version(instance.pk)}
    if not created and (update_fields is None or PUBLIC_USER_FIELDS & set(update_fields)):
        names.add(versions.EVERYTHING)
    _bump_after_commit(names)


def user_deleted(sender, instance, **kwargs):
    _bump_after_commit({versions.user_version(instance.pk), versions.EVERYTHING})


def membership_changed(sender, instance, **kwargs):
    _bump_after_commit(
        {
            versions.user_access(instance.user_id),
            versions.user_lists(instance.user_id),
            versions.project_lists(instance.project_id),
        }
    )
