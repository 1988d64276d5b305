from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models


class JobKind(models.TextChoices):
    PROCESS = "process", "Process"
    INGEST = "ingest", "Ingest"
    EXPORT = "export", "Export"
    REPORT = "report", "Report"


class JobStatus(models.TextChoices):
    """PENDING -> PROCESSING -> COMPLETED | FAILED."""

    PENDING = "PENDING", "Pending"
    PROCESSING = "PROCESSING", "Processing"
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"


FINISHED_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED)


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its owner's; staff see every job."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(owner=user)

    def finished(self):
        return self.filter(status__in=FINISHED_STATUSES)


class Job(models.Model):
    """A unit of background work a user asked for, with its progress and outcome."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=20, choices=JobKind.choices, default=JobKind.PROCESS)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    params = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the job works on, as its kind reads it (an export's task filters).",
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="How many times a worker started it (retries and redeliveries)."
    )
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the broker accepted its task; empty if it never did."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "finished_at"]),
        ]

    def __str__(self):
        return f"{self.kind} job {self.pk}: {self.title}"

    @property
    def is_finished(self):
        return self.status in FINISHED_STATUSES


class ProjectSummary(models.Model):
    """A project's tasks as they stood on one day, kept per day."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="summaries"
    )
    day = models.DateField()
    total = models.PositiveIntegerField(default=0)
    by_status = models.JSONField(default=dict)
    by_priority = models.JSONField(default=dict)
    overdue = models.PositiveIntegerField(default=0)
    completed_that_day = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "project_id"]
        verbose_name_plural = "project summaries"
        constraints = [
            models.UniqueConstraint(fields=["project", "day"], name="one_summary_per_project_day")
        ]

    def __str__(self):
        return f"{self.project} on {self.day}"


class TaskReminder(models.Model):
    """A due-soon reminder, one per task and due date: a new due date arms a new reminder."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "due_date"], name="one_reminder_per_due_date")
        ]

    def __str__(self):
        return f"Reminder of task {self.task_id} due {self.due_date:%Y-%m-%d %H:%M}"


class EmailDelivery(models.Model):
    """One e-mail that must go out at most once, whatever retries and redeliveries happen.

    `key` names the e-mail (`task-assigned:42:7`); the row is claimed before sending and marked
    sent after, so a second attempt sees it and stays silent.
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "e-mail deliveries"

    def __str__(self):
        return self.key
