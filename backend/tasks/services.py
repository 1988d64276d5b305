"""Writes on tasks and comments. Each change leaves Activity rows behind it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from backend import events
from backend.accounts.models import User
from backend.events import EventKind, task_event
from backend.platform.datetimes import in_utc
from backend.platform.errors import ConflictError, field_error
from backend.projects.models import Membership, Project
from backend.tasks.models import Activity, ActivityVerb, Comment, Task, TaskPriority, TaskStatus

EDITABLE_FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "project_id",
    "assignee_id",
)


class TaskReferences:
    """The projects and users that tasks name, read once for all of them: an import checks a
    chunk of records in three queries, not three per record. The rules below read these.

    `project_ids` are projects the tasks go into (the actor must see them); memberships are read
    for those and for `member_project_ids` (a task's current project on an update).
    """

    def __init__(self, *, actor, project_ids=(), assignee_ids=(), member_project_ids=()):
        project_ids = {pk for pk in project_ids if pk is not None}
        assignee_ids = {pk for pk in assignee_ids if pk is not None}
        self.projects = {
            project.id: project
            for project in Project.objects.visible_to(actor).filter(id__in=project_ids)
        }
        self.users = {
            user.id: user for user in User.objects.filter(id__in=assignee_ids, is_active=True)
        }
        member_projects = project_ids | {pk for pk in member_project_ids if pk is not None}
        self.memberships = set(
            Membership.objects.filter(
                project_id__in=member_projects, user_id__in=self.users
            ).values_list("project_id", "user_id")
        )


def _project_for_new_task(*, project_id, references: TaskReferences) -> Project | None:
    if project_id is None:
        return None
    project = references.projects.get(project_id)
    if project is None:
        raise field_error("project_id", "No such project.", "project_not_found")
    return project


def _assignee(*, assignee_id, project, creator_id, references: TaskReferences) -> User | None:
    """The user to assign: a member of the task's project or the task's creator; on a personal
    task only its creator. Unknown, inactive and ineligible ids get one answer, so that trying
    ids reveals nobody."""
    if assignee_id is None:
        return None
    assignee = references.users.get(assignee_id)
    eligible = assignee is not None and (
        assignee.id == creator_id
        or (project is not None and (project.id, assignee.id) in references.memberships)
    )
    if not eligible:
        raise field_error(
            "assignee_id",
            "No such user among the task's assignees: its project's members and its creator "
            "(only the creator for a personal task).",
            "not_assignable",
        )
    return assignee


def _check_move(*, actor, task: Task) -> None:
    """Taking a task out of its project hides it from the project's members: it needs the right
    to delete it there (its creator, the project's owner, staff). A personal task is its
    creator's to move. The destination is checked as for a new task (a project one belongs to)."""
    if task.project_id is None:
        allowed = actor.is_staff or task.created_by_id == actor.id
    else:
        allowed = task.can_be_deleted_by(actor)
    if not allowed:
        raise PermissionDenied(
            "Only the task's creator, its project's owner or staff may move it to another project."
        )


def _moment(value, field: str):
    """A moment as PostgreSQL can store it (UTC), or a field error."""
    if value is None:
        return None
    try:
        return in_utc(value)
    except ValueError as error:
        raise field_error(field, str(error), "out_of_range") from None


def _display(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Read just now by TaskReferences (or the actor itself): full_clean would query each again.
_REFERENCES_READ = ["project", "assignee", "created_by"]


def new_task(
    *,
    actor,
    references: TaskReferences,
    title: str,
    description: str = "",
    status: str = TaskStatus.PENDING,
    priority: str = TaskPriority.MEDIUM,
    due_date=None,
    project_id: int | None = None,
    assignee_id: int | None = None,
) -> Task:
    """An unsaved task as `create_task` would save it, every rule checked: one ValidationError
    naming every field refused, not only the first."""
    problems = {}

    def checked(check):
        try:
            return check()
        except ValidationError as error:
            error.update_error_dict(problems)
            return None

    project = checked(lambda: _project_for_new_task(project_id=project_id, references=references))
    task = Task(
        title=title.strip(),
        description=description,
        status=status,
        priority=priority,
        due_date=checked(lambda: _moment(due_date, "due_date")),
        project=project,
        created_by=actor,
    )
    if "project_id" not in problems:  # who may be assigned depends on the project
        task.assignee = checked(
            lambda: _assignee(
                assignee_id=assignee_id, project=project, creator_id=actor.id, references=references
            )
        )
    if status == TaskStatus.COMPLETED:
        task.completed_at = timezone.now()
    checked(lambda: task.full_clean(exclude=[*_REFERENCES_READ, *problems]))
    if problems:
        raise ValidationError(problems)
    return task


def creation_history(task: Task, *, actor) -> list[Activity]:
    """The Activity rows a new task starts its history with."""
    history = [Activity(task=task, actor=actor, verb=ActivityVerb.CREATED)]
    if task.assignee is not None:
        history.append(
            Activity(
                task=task,
                actor=actor,
                verb=ActivityVerb.ASSIGNED,
                field="assignee",
                new_value=task.assignee.username,
            )
        )
    return history


@transaction.atomic
def create_task(
    *,
    actor,
    title: str,
    description: str = "",
    status: str = TaskStatus.PENDING,
    priority: str = TaskPriority.MEDIUM,
    due_date=None,
    project_id: int | None = None,
    assignee_id: int | None = None,
) -> Task:
    """Create a task, personal or in a project the actor belongs to, optionally assigned."""
    task = new_task(
        actor=actor,
        references=TaskReferences(
            actor=actor, project_ids=[project_id], assignee_ids=[assignee_id]
        ),
        title=title,
        description=description,
        status=status,
        priority=priority,
        due_date=due_date,
        project_id=project_id,
        assignee_id=assignee_id,
    )
    task.save()
    Activity.objects.bulk_create(creation_history(task, actor=actor))
    events.publish(task_event(EventKind.TASK_CREATED, task=task, actor=actor))
    if task.assignee is not None:
        events.publish(
            task_event(EventKind.TASK_ASSIGNED, task=task, actor=actor, previous_assignee_id=None)
        )
    return task


@transaction.atomic
def update_task(*, actor, task_id: int, version: int | None = None, **changes) -> Task:
    """Change a task's fields; creator, assignee, project owner and staff may.

    Locks the task row (FOR UPDATE) so that the version check and increment are atomic: a
    `version` older than the stored one is refused as a conflict instead of overwriting.
    """
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise field_error(name, "This field cannot be changed.", "not_editable")
    task = (
        Task.objects.visible_to(actor)
        .select_related("project", "assignee")
        .select_for_update(of=("self",))
        .get(id=task_id)
    )
    if not task.can_be_changed_by(actor):
        raise PermissionDenied("You may not change this task.")
    _check_version(task, version)

    history = []
    previous_assignee_id, previous_project_id = task.assignee_id, task.project_id
    moves = "project_id" in changes and changes["project_id"] != task.project_id
    # A task that moves keeps its assignee only if they are a member of the new project.
    reassigns = "assignee_id" in changes or (moves and task.assignee_id is not None)
    references = TaskReferences(
        actor=actor,
        project_ids=[changes["project_id"]] if moves else [],
        assignee_ids=[changes.get("assignee_id", task.assignee_id)] if reassigns else [],
        member_project_ids=[task.project_id],
    )
    if moves:
        _check_move(actor=actor, task=task)
        new_project = _project_for_new_task(project_id=changes["project_id"], references=references)
        history.append(_change(task, actor, "project", task.project, new_project))
        task.project = new_project
        if "assignee_id" not in changes and task.assignee_id is not None:
            changes["assignee_id"] = task.assignee_id
    if "assignee_id" in changes:
        assignee = _assignee(
            assignee_id=changes["assignee_id"],
            project=task.project,
            creator_id=task.created_by_id,
            references=references,
        )
        if assignee != task.assignee:
            history.append(
                Activity(
                    task=task,
                    actor=actor,
                    verb=ActivityVerb.ASSIGNED,
                    field="assignee",
                    old_value=_display(task.assignee),
                    new_value=_display(assignee),
                )
            )
            task.assignee = assignee
    for name in ("title", "description", "status", "priority", "due_date"):
        if name not in changes:
            continue
        value = changes[name]
        if name == "title" and value is not None:
            value = value.strip()
        elif name == "description" and value is None:
            value = ""  # null clears an optional text; the column itself is NOT NULL
        elif name == "due_date":
            value = _moment(value, name)
        if value != getattr(task, name):
            history.append(_change(task, actor, name, getattr(task, name), value))
            setattr(task, name, value)
    if "status" in changes:
        if task.status == TaskStatus.COMPLETED and task.completed_at is None:
            task.completed_at = timezone.now()
        elif task.status != TaskStatus.COMPLETED:
            task.completed_at = None

    if not history:
        return task
    task.full_clean()
    task.version += 1
    task.save()
    Activity.objects.bulk_create(history)
    changed = sorted({entry.field for entry in history if entry.verb == ActivityVerb.UPDATED})
    if changed:
        events.publish(
            task_event(
                EventKind.TASK_UPDATED,
                task=task,
                actor=actor,
                changes=changed,
                previous_project_id=previous_project_id,
            )
        )
    if task.assignee_id != previous_assignee_id:
        events.publish(
            task_event(
                EventKind.TASK_ASSIGNED,
                task=task,
                actor=actor,
                previous_assignee_id=previous_assignee_id,
            )
        )
    return task


def _change(task, actor, field, old, new) -> Activity:
    return Activity(
        task=task,
        actor=actor,
        verb=ActivityVerb.UPDATED,
        field=field,
        old_value=_display(old),
        new_value=_display(new),
    )


def assign_task(*, actor, task_id: int, assignee_id: int | None) -> Task:
    """Assign the task to a user (or nobody); the same rule as any other change."""
    return update_task(actor=actor, task_id=task_id, assignee_id=assignee_id)


def _check_version(task: Task, version: int | None) -> None:
    """Refuse a change based on an older version of the locked task; None skips the check."""
    if version is not None and version != task.version:
        raise ConflictError(
            {
                "version": ConflictError(
                    f"The task was changed by someone else (now at version {task.version}); "
                    "reload it and apply your change again.",
                    code="stale_version",
                )
            }
        )


@transaction.atomic
def delete_task(*, actor, task_id: int, version: int | None = None) -> None:
    """Delete a task; creator, project owner and staff may. A `version` given must be current."""
    task = (
        Task.objects.visible_to(actor)
        .select_related("project")
        .select_for_update(of=("self",))
        .get(id=task_id)
    )
    if not task.can_be_deleted_by(actor):
        raise PermissionDenied("You may not delete this task.")
    _check_version(task, version)
    # Built before the delete: afterwards the task has no id and nobody to tell.
    event = task_event(EventKind.TASK_DELETED, task=task, actor=actor)
    task.delete()
    events.publish(event)


@transaction.atomic
def add_comment(*, actor, task_id: int, content: str) -> Comment:
    """Comment on a task; anyone who sees the task may."""
    task = Task.objects.visible_to(actor).get(id=task_id)
    comment = Comment(task=task, author=actor, content=content.strip())
    comment.full_clean()
    comment.save()
    Activity.objects.create(task=task, actor=actor, verb=ActivityVerb.COMMENTED)
    events.publish(
        task_event(EventKind.TASK_COMMENTED, task=task, actor=actor, comment_id=comment.id)
    )
    return comment
