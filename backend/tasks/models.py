from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from backend.platform.text import LONG_TEXT_MAX_LENGTH, StorableTextValidator
from backend.projects.models import Membership


class TaskStatus(models.TextChoices):
    """Where a task stands. Adding a status is one line here."""

    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class TaskPriority(models.TextChoices):
    """How urgent a task is, from least to most. Adding a priority is one line here."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


def priority_rank():
    """An expression ranking priorities in declaration order, for sorting by urgency."""
    return Case(
        *(When(priority=value, then=Value(rank)) for rank, value in enumerate(TaskPriority.values)),
        output_field=IntegerField(),
    )


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The visibility rule: creator, assignee and project members see a task; staff all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        # A subquery rather than a join on members, so that a task is never repeated.
        member_of = Membership.objects.filter(user_id=user.pk).values("project_id")
        return self.filter(
            Q(created_by_id=user.pk) | Q(assignee_id=user.pk) | Q(project_id__in=member_of)
        )

    def count_visible_to(self, user) -> int:
        """`self.visible_to(user).count()`, counted in parts that indexes answer alone.

        The tasks of the user's projects, then their own tasks elsewhere (created, or assigned
        and not created): disjoint, each an index-only scan where the rule's OR would read every
        row of the table (tasks_task's composite indexes).
        """
        if not user.is_authenticated:
            return 0
        if user.is_staff:
            return self.count()
        projects = list(
            Membership.objects.filter(user_id=user.pk).values_list("project_id", flat=True)
        )
        elsewhere = self.exclude(project_id__in=projects) if projects else self
        return (
            self.filter(project_id__in=projects).count()
            + elsewhere.filter(created_by_id=user.pk).count()
            + elsewhere.filter(assignee_id=user.pk).exclude(created_by_id=user.pk).count()
        )

    def overdue(self):
        """Open tasks whose due date has passed."""
        return self.filter(due_date__lt=timezone.now()).exclude(status=TaskStatus.COMPLETED)

    def not_overdue(self):
        return self.filter(
            Q(due_date__isnull=True)
            | Q(due_date__gte=timezone.now())
            | Q(status=TaskStatus.COMPLETED)
        )


def own_tasks_outside(user_id: int, project_ids: list[int]) -> Q:
    """A user's own tasks (created or assigned) in none of `project_ids`. With the tasks of
    their projects, exactly what `TaskQuerySet.visible_to` shows a user who is not staff, in
    two disjoint parts (the report reads them apart: backend/tasks/reports.py)."""
    own = Q(created_by_id=user_id) | Q(assignee_id=user_id)
    return own & ~Q(project_id__in=project_ids) if project_ids else own


def task_audience(*, project_id, created_by_id, assignee_id) -> tuple[set[int], set[int]]:
    """(everyone who may see such a task, its project's members), staff aside.

    `TaskQuerySet.visible_to` read the other way round, from a task to its viewers: who must
    hear about a change (tests/realtime/test_audience.py holds the two to agreement).
    """
    members = set()
    if project_id is not None:
        members = set(
            Membership.objects.filter(project_id=project_id).values_list("user_id", flat=True)
        )
    return members | ({created_by_id, assignee_id} - {None}), members


def project_name_audience(*, project_id, member_ids, owner_id) -> set[int]:
    """Everyone who sees a project's name, on its tasks or in a project list: its members, and
    creators or assignees of its tasks who are no longer members."""
    audience = set(member_ids) | {owner_id}
    involved = Task.objects.filter(project_id=project_id).filter(
        ~Q(created_by_id__in=audience) | ~Q(assignee_id__in=audience)
    )
    for created_by_id, assignee_id in involved.values_list("created_by_id", "assignee_id"):
        audience |= {created_by_id, assignee_id}
    return audience - {None}


class Task(models.Model):
    """A unit of work, personal or in a project. `version` grows with every change."""

    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=255, validators=[StorableTextValidator()])
    description = models.TextField(
        blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH), StorableTextValidator()],
    )
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    priority = models.CharField(
        max_length=20, choices=TaskPriority.choices, default=TaskPriority.MEDIUM
    )
    due_date = models.DateTimeField(null=True, blank=True)
    # Indexed by the composite indexes below, which lead with it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="created_tasks",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Lists of a project by status, and the report: its shards are index-only scans
            # whose rows come grouped (backend/tasks/reports.py).
            models.Index(fields=["project", "status", "priority", "due_date"], name="task_report"),
            models.Index(fields=["assignee", "status"]),
            # For count_visible_to: its parts read nothing but these columns.
            models.Index(fields=["created_by", "project"], name="task_creator_project"),
            models.Index(
                fields=["assignee", "project", "created_by"], name="task_assignee_project"
            ),
            models.Index(fields=["due_date"]),
            models.Index(fields=["-created_at", "-id"], name="task_newest_first"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Where people see the task: its project's board, or the home page of a personal one
        (the admin's "View on site" and e-mails link there)."""
        if self.project_id is None:
            return f"{reverse('web:home')}#task-{self.id}"
        return f"{reverse('web:board', args=[self.project_id])}#task-{self.id}"

    @cached_property
    def comment_count(self) -> int:
        """How many comments the task has. Lists load it with their rows, as an annotation of
        this name (selectors.COMMENT_COUNT), which takes the place of this query."""
        return self.comments.count()

    @property
    def is_overdue(self):
        return (
            self.due_date is not None
            and self.status != TaskStatus.COMPLETED
            and self.due_date < timezone.now()
        )

    @property
    def turns_overdue_at(self):
        """When `is_overdue` will turn true without any write, or None if it will not (it is
        already, or the task has no due date or is completed): what shows it expires then."""
        if self.due_date is None or self.status == TaskStatus.COMPLETED or self.is_overdue:
            return None
        return self.due_date

    def can_be_changed_by(self, user):
        return (
            user.is_staff
            or self.created_by_id == user.id
            or self.assignee_id == user.id
            or (self.project is not None and self.project.owner_id == user.id)
        )

    def can_be_deleted_by(self, user):
        return (
            user.is_staff
            or self.created_by_id == user.id
            or (self.project is not None and self.project.owner_id == user.id)
        )


class Comment(models.Model):
    """A remark on a task by one of the people who can see it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    content = models.TextField(
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH), StorableTextValidator()],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment {self.pk} on {self.task_id}"


class ActivityVerb(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    ASSIGNED = "assigned", "Assigned"
    COMMENTED = "commented", "Commented"


class Activity(models.Model):
    """One entry of a task's append-only history: who changed what, from what to what."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=ActivityVerb.choices)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "activity"

    def __str__(self):
        return f"{self.verb} {self.field} on task {self.task_id}"
