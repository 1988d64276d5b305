"""Reads on tasks. Every front door filters and orders through `task_list`."""

from datetime import datetime

from django.db.models import F, Q, QuerySet

from backend.tasks.models import Task, priority_rank

TASK_ORDERINGS = ("due_date", "priority", "created_at", "updated_at", "title", "status")


def task_list(
    *,
    user,
    status: list[str] | None = None,
    priority: list[str] | None = None,
    due_after: datetime | None = None,
    due_before: datetime | None = None,
    assignee_id: int | None = None,
    project_id: int | None = None,
    search: str | None = None,
    overdue: bool | None = None,
    ordering: list[str] | None = None,
) -> QuerySet:
    """Tasks the user may see, filtered and ordered.

    `ordering` holds field names, `-` first for descending (`["-priority", "due_date"]`);
    priority sorts by urgency, not alphabetically, and tasks without a due date come last.
    """
    tasks = Task.objects.visible_to(user)
    if status:
        tasks = tasks.filter(status__in=status)
    if priority:
        tasks = tasks.filter(priority__in=priority)
    if due_after is not None:
        tasks = tasks.filter(due_date__gte=due_after)
    if due_before is not None:
        tasks = tasks.filter(due_date__lte=due_before)
    if assignee_id is not None:
        tasks = tasks.filter(assignee_id=assignee_id)
    if project_id is not None:
        tasks = tasks.filter(project_id=project_id)
    if search:
        tasks = tasks.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if overdue is True:
        tasks = tasks.overdue()
    elif overdue is False:
        tasks = tasks.not_overdue()
    return tasks.order_by(*_order_expressions(ordering or []))


def _order_expressions(ordering: list[str]):
    expressions = []
    for key in ordering:
        name = key.lstrip("-")
        if name not in TASK_ORDERINGS:
            raise ValueError(f"Cannot order tasks by {name!r}")
        descending = key.startswith("-")
        target = priority_rank() if name == "priority" else F(name)
        expressions.append(
            target.desc(nulls_last=True) if descending else target.asc(nulls_last=True)
        )
    # A unique tie-breaker keeps pages stable when many tasks share a value.
    if not expressions:
        expressions.append(F("created_at").desc())
    expressions.append(F("id").desc())
    return expressions


def get_task(*, user, task_id: int) -> Task:
    """The task if the user may see it; Task.DoesNotExist otherwise (never a leak)."""
    return Task.objects.visible_to(user).get(id=task_id)
