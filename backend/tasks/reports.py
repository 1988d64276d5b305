"""The task report: how many of the tasks a user sees are in each status, priority and project,
and how many are overdue, aggregated in SQL over shards read in parallel and merged here.

Shards are ranges of `project_id`, not of the primary key: the report index
(`task_report`: project, status, priority, due date) then answers each shard alone, in the
order its groups come in, so a shard is an index-only range scan with a sorted aggregate and
no hashing; a primary-key range cannot use that order and reads every row of its range
(bench/RESULTS.md has both). A user who is not staff sees the tasks of their projects (shards
of their projects) and their own tasks elsewhere (one more shard), as `count_visible_to` counts.
"""

import re
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from backend.caching import store
from backend.platform.errors import field_error
from backend.projects.models import Project
from backend.projects.selectors import list_versions, member_project_ids
from backend.tasks.models import TaskPriority, TaskStatus, own_tasks_outside
from backend.tasks.selectors import changes_with_the_clock, matching_tasks

MAX_TOP_PROJECTS = 100
# The shards are the parallelism: parallel workers of PostgreSQL's own under each of them would
# only contend for the same cores, and take time to start.
SERIAL_PLAN = "SET LOCAL max_parallel_workers_per_gather = 0"


# With PostgreSQL's default cost of a random page (4, for spinning disks) the planner reads the
# whole table and hashes its groups; on an SSD, an index-only scan of `task_report` in its key
# order, grouped as it goes, is about twice as fast (EXPLAIN ANALYZE in bench/RESULTS.md).
def _index_plan() -> str:
    return f"SET LOCAL random_page_cost = {float(settings.REPORT_RANDOM_PAGE_COST)}"


SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


@dataclass(frozen=True)
class ProjectTaskCount:
    """One project's share of a report."""

    project_id: int
    name: str
    count: int
    completed: int
    overdue: int


@dataclass
class TaskReport:
    """Counts over every task a user sees that matches the report's filters."""

    total: int
    by_status: dict[str, int]
    by_priority: dict[str, int]
    overdue: int
    personal: int
    by_project: list[ProjectTaskCount]
    # When `overdue` next changes by the clock alone (an open task's due date passes).
    next_due: datetime | None
    computed_at: datetime = field(default_factory=timezone.now)
    shards: int = 1

    @property
    def completed(self) -> int:
        return self.by_status[TaskStatus.COMPLETED]

    @property
    def pending(self) -> int:
        return self.by_status[TaskStatus.PENDING]

    @property
    def in_progress(self) -> int:
        return self.by_status[TaskStatus.IN_PROGRESS]

    def as_json(self) -> dict:
        """The report as a job keeps it (`Job.result`)."""
        return {
            "total": self.total,
            "completed": self.completed,
            "pending": self.pending,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "personal": self.personal,
            "by_status": dict(self.by_status),
            "by_priority": dict(self.by_priority),
            "by_project": [vars(project) for project in self.by_project],
            "computed_at": self.computed_at.isoformat(),
            "shards": self.shards,
        }


def top_projects_or_default(top_projects: int | None) -> int:
    """How many projects `by_project` lists: REPORT_TOP_PROJECTS unless the client says; a
    ValidationError outside 1 to MAX_TOP_PROJECTS."""
    if top_projects is None:
        return settings.REPORT_TOP_PROJECTS
    if not 1 <= top_projects <= MAX_TOP_PROJECTS:
        raise field_error(
            "top_projects", f"Between 1 and {MAX_TOP_PROJECTS}.", "invalid_top_projects"
        )
    return top_projects


def task_report(*, user, top_projects: int | None = None, **criteria) -> tuple[TaskReport, bool]:
    """The report over the tasks `task_list` would list for these criteria, and whether it came
    from the cache; cached like the lists (same versions), no longer than until an open task
    turns overdue. `top_projects` caps `by_project` (`top_projects_or_default`)."""
    top = top_projects_or_default(top_projects)

    def compute():
        return compute_report(user=user, top_projects=top, **criteria)

    if changes_with_the_clock(criteria):
        return compute(), False
    key = tuple(sorted((name, str(value)) for name, value in criteria.items()))
    return store.read_through(
        name="tasks:report",
        params=(user.id, top, key),
        depends_on=list_versions(user),
        timeout=_seconds_to_keep,
        compute=compute,
    )


def _seconds_to_keep(report: TaskReport) -> int:
    if report.next_due is None:
        return store.LIST_TIMEOUT
    seconds = int((report.next_due - timezone.now()).total_seconds())
    return max(0, min(store.LIST_TIMEOUT, seconds))


def empty_report() -> TaskReport:
    """The report of criteria that can match nothing (an id that cannot exist)."""
    return _merge([], top_projects=0, shards=1, now=timezone.now())


def compute_report(*, user, top_projects: int, **criteria) -> TaskReport:
    """The report, computed now: in shards on a thread pool when the user sees many tasks, as
    one query otherwise."""
    now = timezone.now()
    tasks = matching_tasks(**criteria)
    parts = _shards(user, criteria)
    if parts is None:
        rows = _aggregate_at_once(user, tasks, now)
        shards = 1
    else:
        rows = _aggregate_in_parallel([tasks.filter(part) for part in parts], now)
        shards = len(parts)
    return _merge(rows, top_projects=top_projects, shards=shards, now=now)


def _aggregate_at_once(user, tasks: QuerySet, now: datetime) -> list[tuple]:
    """One statement (one snapshot). For a user who is not staff, the two parts of what they
    see are aggregated apart and put together (UNION ALL): the rule's OR in one WHERE would
    read every task of the table, each part reads an index."""
    if not user.is_authenticated or user.is_staff:
        query = _aggregate_query(tasks.visible_to(user), now)
    else:
        project_ids = member_project_ids(user.id)
        query = _aggregate_query(tasks.filter(own_tasks_outside(user.id, project_ids)), now)
        if project_ids:
            theirs = _aggregate_query(tasks.filter(project_id__in=project_ids), now)
            query = theirs.union(query, all=True)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite has no such setting; in the caller's transaction, SET LOCAL would outlive us.
        return list(query)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_index_plan())
        return list(query)


def _aggregate(tasks: QuerySet, now: datetime) -> list[tuple]:
    return list(_aggregate_query(tasks, now))


def _aggregate_query(tasks: QuerySet, now: datetime) -> QuerySet:
    # `overdue` and `next_due` are counted in every group and kept only for open ones (in
    # _merge): a condition on the status here would be one more test per row.
    return (
        tasks.order_by()
        .values_list("project_id", "status", "priority")
        .annotate(
            count=Count("*"),
            overdue=Count("due_date", filter=Q(due_date__lt=now)),
            next_due=Min("due_date", filter=Q(due_date__gte=now)),
        )
    )


def _merge(rows, *, top_projects: int, shards: int, now: datetime) -> TaskReport:
    by_status = dict.fromkeys(TaskStatus.values, 0)
    by_priority = dict.fromkeys(TaskPriority.values, 0)
    projects = defaultdict(lambda: [0, 0, 0])  # count, completed, overdue
    overdue = personal = 0
    next_due = None
    for project_id, status, priority, count, late, first_due in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_priority[priority] = by_priority.get(priority, 0) + count
        is_open = status != TaskStatus.COMPLETED
        if is_open:
            overdue += late
            if first_due is not None and (next_due is None or first_due < next_due):
                next_due = first_due
        if project_id is None:
            personal += count
            continue
        counts = projects[project_id]
        counts[0] += count
        if is_open:
            counts[2] += late
        else:
            counts[1] += count
    top = sorted(projects.items(), key=lambda item: (-item[1][0], item[0]))[:top_projects]
    names = dict(
        Project.objects.filter(id__in=[project_id for project_id, _ in top]).values_list(
            "id", "name"
        )
    )
    return TaskReport(
        total=sum(by_status.values()),
        by_status=by_status,
        by_priority=by_priority,
        overdue=overdue,
        personal=personal,
        by_project=[
            ProjectTaskCount(project_id, names.get(project_id, ""), *counts)
            for project_id, counts in top
        ],
        next_due=next_due,
        computed_at=now,
        shards=shards,
    )


def _shards(user, criteria) -> list[Q] | None:
    """Disjoint conditions whose union, ANDed with the criteria, is what `user` sees; None when
    one query serves better: few tasks, one project asked for, or a transaction (the caller's
    uncommitted rows are visible on its connection only)."""
    if (
        not user.is_authenticated
        or connection.vendor != "postgresql"  # the embedded SQLite of `make run`
        or connection.in_atomic_block
        or criteria.get("project_id") is not None
    ):
        return None
    rows, null_share, bounds = _project_statistics()
    wanted = min(settings.REPORT_SHARDS, int(rows // settings.REPORT_SHARD_MIN_ROWS))
    if wanted < 2:
        return None
    if user.is_staff:
        # Personal tasks are one index range too (project_id NULL), cut by status, the next
        # column of the index, into as many shards as their share of the tasks is worth.
        personal = max(1, min(len(TaskStatus.values), round(wanted * null_share)))
        statuses = sorted(TaskStatus.values)
        groups = [statuses[n::personal] for n in range(personal)]
        return [
            *_ranges(_boundaries(bounds, max(1, wanted - personal) - 1)),
            *(Q(project_id__isnull=True, status__in=group) for group in groups),
        ]
    project_ids = member_project_ids(user.id)
    share = (1 - null_share) * len(project_ids) / max(1, Project.objects.count())
    wanted = min(wanted, int(rows * share // settings.REPORT_SHARD_MIN_ROWS))
    if wanted < 2:
        return None
    # One shard (the last) for the user's own tasks outside their projects.
    size = -(-len(project_ids) // (wanted - 1))
    chunks = [project_ids[start : start + size] for start in range(0, len(project_ids), size)]
    return [
        *(Q(project_id__in=chunk) for chunk in chunks),
        own_tasks_outside(user.id, project_ids),
    ]


def _boundaries(histogram: list[int], count: int) -> list[int]:
    """`count` project ids that cut the tasks into `count + 1` parts of about the same size:
    evenly spaced bounds of ANALYZE's equal-frequency histogram, or of the range of project
    ids where there is none yet."""
    if count < 1:
        return []
    if len(histogram) < 2:
        low, high = _project_id_span()
        step = (high + 1 - low) / (count + 1)
        return sorted({low + round(step * n) for n in range(1, count + 1)})
    step = (len(histogram) - 1) / (count + 1)
    return sorted({histogram[round(step * n)] for n in range(1, count + 1)})


def _ranges(boundaries: list[int]) -> list[Q]:
    """Ranges of project ids (tasks in a project) cut at `boundaries`, covering every id."""
    edges = [None, *boundaries, None]
    ranges = []
    for low, high in pairwise(edges):
        condition = Q(project_id__isnull=False)
        if low is not None:
            condition &= Q(project_id__gte=low)
        if high is not None:
            condition &= Q(project_id__lt=high)
        ranges.append(condition)
    return ranges


def _project_id_span() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM projects_project")
        return cursor.fetchone()


def _project_statistics() -> tuple[float, float, list[int]]:
    """What the planner knows of `tasks_task` from its last ANALYZE: rows, the share of
    personal tasks and the equal-frequency histogram of project ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT greatest(c.reltuples, 0), coalesce(s.null_frac, 0), "
            "coalesce(s.histogram_bounds::text::bigint[], '{}') "
            "FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
            "AND s.tablename = c.relname AND s.attname = 'project_id' "
            "WHERE c.oid = 'tasks_task'::regclass"
        )
        return cursor.fetchone()


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    # Made on first use, in the process that uses it: a pool made before Celery forks its
    # workers would have no threads in them.
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.REPORT_POOL_SIZE, thread_name_prefix="task-report"
            )
        return _executor


def _aggregate_in_parallel(shards: list[QuerySet], now: datetime) -> list[tuple]:
    """Every shard aggregated on its own connection, all from one snapshot.

    One snapshot, exported by this connection and imported by every shard's, because shards
    are ranges of projects: a task moved to another project between two shards' reads would
    otherwise be counted twice or not at all, and totals would disagree with each other. This
    thread aggregates the first shard inside the exporting transaction, which must stay open
    until every import is done.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; {SERIAL_PLAN}; "
            f"{_index_plan()}"
        )
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        futures = [_pool().submit(_aggregate_shard, snapshot, shard, now) for shard in shards[1:]]
        try:
            rows = _aggregate(shards[0], now)
        finally:
            wait(futures)
    for future in futures:
        rows.extend(future.result())
    return rows


def _aggregate_shard(snapshot: str, tasks: QuerySet, now: datetime) -> list[tuple]:
    if not SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"Unexpected snapshot id {snapshot!r}")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # A snapshot is imported by the first statements of a REPEATABLE READ transaction;
            # SET takes no bind parameters, hence the id checked above and written in.
            cursor.execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; "
                f"SET TRANSACTION SNAPSHOT '{snapshot}'; {SERIAL_PLAN}; {_index_plan()}"
            )
            return _aggregate(tasks, now)
    finally:
        # Back to the pool: this thread may not run another shard for a long time.
        connection.close()
