"""The Celery app. Configuration comes from Django settings (the CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# Every task retries transient failures and logs when it gives up (workers/base.py).
app = Celery("stride", task_cls="workers.base:StrideTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["workers.emails", "workers.jobs", "workers.reminders", "workers.summaries"],
    related_name=None,
)

# Signal receivers: request ids, logging and metrics of tasks.
import workers.observability  # noqa: E402, F401
