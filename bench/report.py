"""The task report at scale, side by side in one run with its baselines.

For one database seeded with `manage.py seed_tasks`, and two readers (a staff user, who sees
every task, and the seed user who is a member of the most projects), each method is run in
turn, round after round, so that they share the machine's load:

- **report**: `compute_report`, uncached: shards on the thread pool (REPORT_* settings);
- **report, one query**: the same aggregation as a single query (what a transaction gets);
- **report, pk shards**: the same aggregation over primary-key ranges instead of project ranges,
  on the same thread pool and snapshot (the alternative the shards were chosen against);
- **GROUP BY**: one plain `SELECT status, priority, count(*) ... GROUP BY` over the rows the
  reader sees (PostgreSQL's own plan, parallel where it likes);
- **naive**: the rows loaded into Python and counted there;
- **cached**: `task_report` answered from Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_bench_1m \\
        .venv/bin/python bench/report.py --rounds 7

Prints a Markdown table (median and best milliseconds, ratio to GROUP BY) and, with
`--explain`, the plan of one shard and of the GROUP BY.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max, Min, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.tasks import reports  # noqa: E402
from backend.tasks.models import Task  # noqa: E402


def report(user):
    return reports.compute_report(user=user, top_projects=10).total


def report_one_query(user):
    with transaction.atomic():
        return reports.compute_report(user=user, top_projects=10).total


def report_pk_shards(user):
    """The same aggregation, shards cut by primary key instead of by project."""
    ids = Task.objects.order_by().aggregate(low=Min("id"), high=Max("id"))
    low, high = ids["low"], ids["high"]
    count = settings.REPORT_SHARDS
    step = (high - low + count) // count
    visible = Task.objects.visible_to(user)
    shards = [
        visible.filter(id__gte=low + n * step, id__lt=low + (n + 1) * step) for n in range(count)
    ]
    now = timezone.now()
    rows = reports._aggregate_in_parallel(shards, now)
    return reports._merge(rows, top_projects=10, shards=count, now=now).total


def group_by(user):
    rows = (
        Task.objects.visible_to(user)
        .order_by()
        .values_list("status", "priority")
        .annotate(count=Count("*"))
    )
    return sum(count for *_, count in rows)


def naive(user):
    now = timezone.now()
    by_status, by_priority, by_project, overdue = Counter(), Counter(), Counter(), 0
    rows = Task.objects.visible_to(user).values_list("project_id", "status", "priority", "due_date")
    for project_id, status, priority, due_date in rows.iterator(chunk_size=10_000):
        by_status[status] += 1
        by_priority[priority] += 1
        by_project[project_id] += 1
        if due_date is not None and due_date < now and status != "completed":
            overdue += 1
    return sum(by_status.values())


def cached(user):
    reports.task_report(user=user)  # stores it when it is not there yet
    found, hit = reports.task_report(user=user)
    assert hit, "the second read must come from the cache"
    return found.total


METHODS = {
    "report (sharded, threads)": report,
    "report, one query": report_one_query,
    "report, pk-range shards": report_pk_shards,
    "plain GROUP BY": group_by,
    "naive (rows into Python)": naive,
    "report, cached": cached,
}


def timed(method, user) -> tuple[float, int]:
    started = time.perf_counter()
    total = method(user)
    return (time.perf_counter() - started) * 1000, total


def explain(user):
    shards = reports._shards(user, {})
    if shards is None:
        print("(one query: no shards for this reader)")
        return
    queryset = (
        Task.objects.filter(shards[0])
        .order_by()
        .values_list("project_id", "status", "priority")
        .annotate(
            count=Count("*"), overdue=Count("due_date", filter=Q(due_date__lt=timezone.now()))
        )
    )
    print("Plan of the first shard:\n```\n" + queryset.explain(analyze=True) + "\n```")
    plain = (
        Task.objects.visible_to(user)
        .order_by()
        .values_list("status", "priority")
        .annotate(count=Count("*"))
    )
    print("Plan of the plain GROUP BY:\n```\n" + plain.explain(analyze=True) + "\n```")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-naive", action="store_true", help="for quick runs")
    parser.add_argument("--skip-cached", action="store_true", help="when Redis is shared")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    staff = User(id=0, username="bench-staff", is_staff=True, is_active=True)
    member = (
        User.objects.filter(username__startswith="seed-")
        .annotate(member_of=Count("memberships"))
        .order_by("-member_of", "id")
        .first()
    )
    readers = {"staff (sees all)": staff, f"{member.username} (member)": member}
    methods = {
        name: method
        for name, method in METHODS.items()
        if not (args.skip_naive and method is naive) and not (args.skip_cached and method is cached)
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tasks_task")
        (rows,) = cursor.fetchone()
    print(
        f"tasks: {rows}; REPORT_SHARDS={settings.REPORT_SHARDS} "
        f"REPORT_SHARD_MIN_ROWS={settings.REPORT_SHARD_MIN_ROWS} "
        f"REPORT_POOL_SIZE={settings.REPORT_POOL_SIZE}; rounds: {args.rounds}; "
        f"load average before: {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| reader | tasks seen | method | median ms | best ms | / GROUP BY (median) |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for label, user in readers.items():
        for method in methods.values():  # warm up: caches, pool threads, buffers
            method(user)
        times = {name: [] for name in methods}
        totals = {}
        for _ in range(args.rounds):
            for name, method in methods.items():
                elapsed, total = timed(method, user)
                times[name].append(elapsed)
                totals[name] = total
        assert len(set(totals.values())) == 1, f"methods disagree: {totals}"
        baseline = statistics.median(times["plain GROUP BY"])
        for name, values in times.items():
            median = statistics.median(values)
            print(
                f"| {label} | {totals[name]} | {name} | {median:.1f} | {min(values):.1f} "
                f"| {median / baseline:.2f} |"
            )
        if args.explain:
            explain(user)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
