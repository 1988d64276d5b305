"""Reads on tasks: every front door filters and orders through `task_list` and counts through
`count_tasks`; single tasks are cached per user (backend/caching/store.py). The report is in
reports.py."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from backend.caching import store, versions
from backend.tasks.models import Comment, Task, priority_rank

TASK_ORDERINGS = ("due_date", "priority", "created_at", "updated_at", "title", "status")


def task_list(*, user, ordering: list[str] | None = None, **criteria) -> QuerySet:
    """Tasks the user may see, filtered (`matching_tasks`) and ordered.

    `ordering` holds field names, `-` first for descending (`["-priority", "due_date"]`);
    priority sorts by urgency, not alphabetically, and tasks without a due date come last.
    """
    tasks = matching_tasks(**criteria).visible_to(user)
    return tasks.order_by(*_order_expressions(ordering or []))


def count_tasks(*, user, **criteria) -> int:
    """How many tasks `task_list` holds for these criteria, counted the fast way."""
    return matching_tasks(**criteria).count_visible_to(user)


def no_tasks() -> QuerySet:
    return Task.objects.none()


def matching_tasks(
    *,
    status: list[str] | None = None,
    priority: list[str] | None = None,
    due_after: datetime | None = None,
    due_before: datetime | None = None,
    assignee_id: int | None = None,
    project_id: int | None = None,
    search: str | None = None,
    overdue: bool | None = None,
    created_from: date | None = None,
    created_until: date | None = None,
) -> QuerySet:
    """All tasks that match the criteria, whoever may see them: callers apply visibility.

    `created_from` and `created_until` are whole days (UTC), both included.
    """
    tasks = Task.objects.all()
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
    if created_from is not None:
        tasks = tasks.filter(created_at__gte=_start_of(created_from))
    if created_until is not None:
        tasks = tasks.filter(created_at__lt=_start_of(created_until + timedelta(days=1)))
    if overdue is True:
        tasks = tasks.overdue()
    elif overdue is False:
        tasks = tasks.not_overdue()
    return tasks


# The criteria that are not JSON types as they are: kept as ISO 8601 text in between.
_DATETIME_CRITERIA = ("due_after", "due_before")
_DATE_CRITERIA = ("created_from", "created_until")


def criteria_as_json(criteria: dict) -> dict:
    """`matching_tasks` criteria as JSON, for a job to read back with `criteria_from_json`."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in criteria.items()
        if value is not None
    }


def criteria_from_json(data: dict) -> dict:
    """The criteria `criteria_as_json` wrote."""
    criteria = dict(data)
    for name in _DATETIME_CRITERIA:
        if name in criteria:
            criteria[name] = datetime.fromisoformat(criteria[name])
    for name in _DATE_CRITERIA:
        if name in criteria:
            criteria[name] = date.fromisoformat(criteria[name])
    return criteria


def _order_expressions(ordering: list[str]):
    expressions = []
    for key in ordering:
        name = key.lstrip("-")
        if name not in TASK_ORDERINGS:
            raise ValueError(f"Cannot order tasks by {name!r}")
        descending = key.startswith("-")
        if name != "priority" and not Task._meta.get_field(name).null:
            # A plain column that is never null: the name, which Django compiles faster than
            # an expression into the same SQL.
            expressions.append(key)
            continue
        target = priority_rank() if name == "priority" else F(name)
        expressions.append(
            target.desc(nulls_last=True) if descending else target.asc(nulls_last=True)
        )
    # A unique tie-breaker keeps pages stable when many tasks share a value.
    if not expressions:
        expressions.append("-created_at")
    expressions.append("-id")
    return expressions


def get_task(*, user, task_id: int) -> Task:
    """The task if the user may see it; Task.DoesNotExist otherwise (never a leak)."""
    return Task.objects.visible_to(user).get(id=task_id)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# A correlated subquery is computed only for the rows of the page, where COUNT over a join
# would group every visible task before the page is cut.
COMMENT_COUNT = Coalesce(
    Subquery(
        Comment.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(count=Count("*"))
        .values("count"),
        output_field=IntegerField(),
    ),
    0,
)


def turns_overdue_at(tasks: list[Task]) -> datetime | None:
    """The first moment one of `tasks` becomes overdue, if one will."""
    return min(filter(None, (task.turns_overdue_at for task in tasks)), default=None)


def changes_with_the_clock(criteria: dict) -> bool:
    """Whether a list with these `task_list` criteria changes with time alone, without any
    write (which tasks are overdue): such a list is never cached, by any front door."""
    return criteria.get("overdue") is not None


def task_detail(*, user, task_id: int) -> tuple[Task, bool]:
    """The task with project and people loaded, and whether it came from the cache;
    Task.DoesNotExist when the user may not see it."""

    def compute():
        return (
            Task.objects.visible_to(user)
            .select_related("project", "assignee", "created_by")
            .annotate(comment_count=COMMENT_COUNT)
            .filter(id=task_id)
            .first()
        )

    task, cached = store.read_through(
        name="tasks:detail",
        params=(user.id, task_id),
        depends_on=versions.task_detail_versions(user, task_id),
        timeout=store.DETAIL_TIMEOUT,
        compute=compute,
    )
    if task is None:
        raise Task.DoesNotExist(f"No task {task_id} visible to this user.")
    return task, cached


def comment_list(*, user, task_id: int) -> QuerySet:
    """The comments of a task the user may see, oldest first; Task.DoesNotExist otherwise."""
    task = get_task(user=user, task_id=task_id)
    return task.comments.select_related("author").order_by("created_at", "id")
