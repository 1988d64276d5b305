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
    idempotency_key = models.CharField(
        max_length=255,
        blank=True,
        help_text="The client's name for the request that made it: a retry gets this job back.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "finished_at"]),
        ]
        constraints = [
            # Two requests racing with one key: the database lets one job in, the other finds it.
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_job_per_idempotency_key",
            )
        ]

    def __str__(self):
        return f"{self.kind} job {self.pk}: {self.title}"

    @property
    def is_finished(self):
        return self.status in FINISHED_STATUSES


class Ingestion(models.Model):
    """The records of an `ingest` job, stored with the job before the request is answered: a
    broker outage delays the import, never loses it. Beside the job rather than in its
    `params`, which every read of the job (lists, progress) would carry."""

    job = models.OneToOneField(
        Job, primary_key=True, on_delete=models.CASCADE, related_name="ingestion"
    )
    # JSON text rather than jsonb, which refuses some strings JSON allows (NUL, lone
    # surrogates): such a record is the worker's to report, not a reason to lose the request.
    records = models.TextField(help_text="The records as sent: a JSON array.")
    total = models.PositiveIntegerField(help_text="How many records were sent.")

    def __str__(self):
        return f"{self.total} records of job {self.job_id}"


class IngestedChunk(models.Model):
    """A slice of an ingestion that is done, written in the transaction that creates its tasks:
    a redelivered job skips it, so no record is imported twice."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="ingested_chunks")
    index = models.PositiveIntegerField()
    imported = models.PositiveIntegerField()
    errors = models.JSONField(default=list, help_text="[{index, field, message, code}, ...]")
    assigned = models.JSONField(
        default=dict, help_text="How many of its new tasks each assignee got: {user id: count}."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="one_row_per_ingested_chunk")
        ]

    def __str__(self):
        return f"Chunk {self.index} of job {self.job_id}"


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
