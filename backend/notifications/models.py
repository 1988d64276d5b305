from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    """Why someone is told. Adding a kind is one line here."""

    ASSIGNED = "assigned", "Assigned to you"
    COMMENTED = "commented", "New comment"
    DUE_SOON = "due_soon", "Due soon"
    REPORT_READY = "report_ready", "Report ready"
    JOB_FINISHED = "job_finished", "Job finished"
    SUMMARY_READY = "summary_ready", "Summary ready"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An item of a user's inbox, kept so that a client that was offline can catch up."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    message = models.CharField(max_length=500)
    # The task may be deleted later; the notification stays readable without it.
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.user_id}: {self.message}"

    @property
    def is_read(self):
        return self.read_at is not None
