from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """A Celery task to send, written in the transaction of the change that calls for it, so
    that it exists exactly when the change does (backend/outbox/services.py).

    It is kept until a worker finished the task: a message the broker lost (restarted without
    its data, a worker gone with it) is published again once `available_at` passes.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    message_id = models.CharField(
        max_length=255, unique=True, help_text="The Celery task id every publication carries."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(
        help_text="When a relay may publish it (again), unless it is done by then."
    )
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A relay is publishing it; others leave it until then."
    )
    publications = models.PositiveIntegerField(
        default=0, help_text="How many times the broker accepted it."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last began the task."
    )
    done_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task finished (or was given up): never again."
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # What the relays poll for: the pending, by when they are due.
            models.Index(
                fields=["available_at"], condition=Q(done_at__isnull=True), name="outbox_pending"
            ),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self):
        return f"{self.task_name} {self.message_id}"
