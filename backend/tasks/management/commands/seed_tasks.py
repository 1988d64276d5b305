"""A large, varied data set for benchmarks and demos, written with COPY.

Not a domain operation: no events, no e-mails, no inbox items. Every row follows the rules the
services enforce (an assignee is a member of the task's project, a personal task is assigned to
its creator or nobody, comments come from people who see the task), so the data behaves as if
users had made it.
"""

import math
import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.caching import store, versions
from backend.projects.models import Membership, Project
from backend.tasks.models import ActivityVerb, TaskPriority, TaskStatus

SEED_PASSWORD = "stride-seed-pass"
BATCH = 50_000

VERBS = ["Write", "Review", "Fix", "Plan", "Test", "Ship", "Draft", "Update", "Clean up", "Design"]
THINGS = [
    "the release notes",
    "the login page",
    "the billing export",
    "the onboarding e-mail",
    "the API docs",
    "the search index",
    "the quarterly report",
    "the mobile layout",
    "the backup script",
    "the team offsite",
]
DESCRIPTIONS = [
    "",
    "",
    "See the thread in the team channel.",
    "Blocked until the design review is done.",
    "Customer asked for this twice last week.",
    "Small one: should take an afternoon.",
]
REMARKS = [
    "On it.",
    "Can we move this to next week?",
    "Done on my side, please check.",
    "I need the numbers from finance first.",
    "Looks good to me.",
    "Found a related bug, filing it separately.",
]
# (value, weight): what a busy team's board tends to look like.
STATUSES = [(TaskStatus.PENDING, 40), (TaskStatus.IN_PROGRESS, 25), (TaskStatus.COMPLETED, 35)]
PRIORITIES = [
    (TaskPriority.LOW, 25),
    (TaskPriority.MEDIUM, 40),
    (TaskPriority.HIGH, 25),
    (TaskPriority.URGENT, 10),
]


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


class Command(BaseCommand):
    help = (
        "Add COUNT tasks (personal and in projects, with comments) for USERS seed users in "
        f"PROJECTS new projects. Seed users sign in with the password {SEED_PASSWORD!r}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000, help="Tasks to add.")
        parser.add_argument("--users", type=int, default=200, help="Seed users (reused).")
        parser.add_argument("--projects", type=int, default=50, help="Projects to add.")
        parser.add_argument(
            "--personal",
            type=float,
            default=0.2,
            help="Share of personal tasks (no project), 0 to 1.",
        )
        parser.add_argument(
            "--comments", type=float, default=0.3, help="Comments per task on average."
        )
        parser.add_argument("--random-seed", type=int, default=None, help="For repeatable data.")

    def handle(self, *args, count, users, projects, personal, comments, random_seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_tasks writes with PostgreSQL's COPY: use PostgreSQL.")
        if count < 0 or users < 1 or projects < 0 or not 0 <= personal <= 1 or comments < 0:
            raise CommandError(
                "--count >= 0, --users >= 1, --projects >= 0, --personal in [0, 1], "
                "--comments >= 0."
            )
        if projects == 0:
            personal = 1.0
        rng = random.Random(random_seed)  # noqa: S311 - test data, not secrets
        started = timezone.now()
        with transaction.atomic():
            user_ids = self._users(users)
            members = self._projects(rng, user_ids, projects)
            task_count, comment_count = self._tasks(
                rng, count, user_ids, members, personal, comments
            )
        # Seeded rows bypass the services, so no event made the cached answers stale: every
        # one depends on EVERYTHING, and the seed users' memberships on their access versions.
        store.bump({versions.EVERYTHING, *(versions.user_access(user_id) for user_id in user_ids)})
        # Index-only scans (the report's) need the visibility map that VACUUM sets, and the
        # planner needs statistics that know about a million new rows.
        with connection.cursor() as cursor:
            for table in ("tasks_task", "tasks_comment", "tasks_activity", "projects_membership"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {task_count} tasks, {comment_count} comments and {len(members)} projects "
                f"for {len(user_ids)} seed users in {seconds:.1f} s."
            )
        )

    def _users(self, count: int) -> list[int]:
        names = [f"seed-{n:05d}" for n in range(1, count + 1)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        password = make_password(SEED_PASSWORD)  # hashed once: hashing is slow on purpose
        User.objects.bulk_create(
            User(
                username=name,
                email=f"{name}@example.com",
                password=password,
                first_name="Seed",
                last_name=name.removeprefix("seed-"),
            )
            for name in names
            if name not in existing
        )
        return list(User.objects.filter(username__in=names).values_list("id", flat=True))

    def _projects(self, rng, user_ids, count) -> dict[int, list[int]]:
        """New projects, each with its owner and a few members: project id -> member ids."""
        owners = [rng.choice(user_ids) for _ in range(count)]
        created = Project.objects.bulk_create(
            Project(
                name=f"{rng.choice(THINGS).removeprefix('the ').capitalize()} {n}",
                description=rng.choice(DESCRIPTIONS),
                owner_id=owner,
            )
            for n, owner in enumerate(owners, start=1)
        )
        members = {}
        for project, owner in zip(created, owners, strict=True):
            others = rng.sample(user_ids, min(len(user_ids), rng.randint(2, 12)))
            members[project.id] = sorted({owner, *others})
        Membership.objects.bulk_create(
            Membership(project_id=project_id, user_id=user_id)
            for project_id, ids in members.items()
            for user_id in ids
        )
        return members

    def _tasks(self, rng, count, user_ids, members, personal, comments) -> tuple[int, int]:
        project_ids = list(members)
        statuses, status_weights = _weighted(STATUSES)
        priorities, priority_weights = _weighted(PRIORITIES)
        now = timezone.now()
        task_columns = (
            "id, project_id, title, description, status, priority, due_date, created_by_id, "
            "assignee_id, created_at, updated_at, completed_at, version"
        )
        written = comments_written = 0
        with connection.cursor() as cursor:
            while written < count:
                size = min(BATCH, count - written)
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('tasks_task', 'id')) "
                    "FROM generate_series(1, %s)",
                    [size],
                )
                ids = [row[0] for row in cursor.fetchall()]
                tasks, remarks = [], []
                status_draw = rng.choices(statuses, status_weights, k=size)
                priority_draw = rng.choices(priorities, priority_weights, k=size)
                for task_id, status, priority in zip(ids, status_draw, priority_draw, strict=True):
                    if project_ids and rng.random() >= personal:
                        project_id = rng.choice(project_ids)
                        team = members[project_id]
                        creator = rng.choice(team)
                        assignee = rng.choice(team) if rng.random() < 0.75 else None
                    else:
                        project_id, team = None, None
                        creator = rng.choice(user_ids)
                        assignee = creator if rng.random() < 0.5 else None
                        team = [creator]
                    created_at = now - timedelta(seconds=rng.randint(3600, 365 * 86400))
                    due_roll = rng.random()
                    if due_roll < 0.25:
                        due_date = None
                    elif due_roll < 0.6:
                        due_date = now - timedelta(seconds=rng.randint(60, 90 * 86400))
                    else:
                        due_date = now + timedelta(seconds=rng.randint(60, 120 * 86400))
                    completed_at = None
                    if status == TaskStatus.COMPLETED:
                        completed_at = created_at + (now - created_at) * rng.random()
                    version = rng.randint(1, 4)
                    tasks.append(
                        (
                            task_id,
                            project_id,
                            f"{rng.choice(VERBS)} {rng.choice(THINGS)} #{task_id}",
                            rng.choice(DESCRIPTIONS),
                            status,
                            priority,
                            due_date,
                            creator,
                            assignee,
                            created_at,
                            completed_at or created_at + (now - created_at) * rng.random(),
                            completed_at,
                            version,
                        )
                    )
                    for _ in range(_poisson_small(rng, comments)):
                        remarks.append(
                            (
                                task_id,
                                rng.choice(team),
                                rng.choice(REMARKS),
                                created_at + (now - created_at) * rng.random(),
                            )
                        )
                with cursor.copy(f"COPY tasks_task ({task_columns}) FROM STDIN") as copy:
                    for row in tasks:
                        copy.write_row(row)
                with cursor.copy(
                    "COPY tasks_activity (task_id, actor_id, verb, field, old_value, new_value, "
                    "created_at) FROM STDIN"
                ) as copy:
                    for row in tasks:
                        copy.write_row((row[0], row[7], ActivityVerb.CREATED, "", "", "", row[9]))
                    for task_id, author, _, created_at in remarks:
                        copy.write_row(
                            (task_id, author, ActivityVerb.COMMENTED, "", "", "", created_at)
                        )
                with cursor.copy(
                    "COPY tasks_comment (task_id, author_id, content, created_at) FROM STDIN"
                ) as copy:
                    for row in remarks:
                        copy.write_row(row)
                written += size
                comments_written += len(remarks)
                self.stdout.write(f"  {written}/{count} tasks")
        return written, comments_written


def _poisson_small(rng, mean: float) -> int:
    """A Poisson draw (Knuth's method), fine for the small means of comments per task."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
