"""The Celery app. Configuration comes from Django settings (the CELERY_* names)."""

import os

from celery import Celery

from workers.broker import use_for_redis_urls

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
# A Redis transport that keeps the worker alive when Redis drops mid-task (workers/broker.py).
use_for_redis_urls()

# Every task retries transient failures and logs when it gives up (workers/base.py).
app = Celery("stride", task_cls="workers.base:StrideTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["workers.emails", "workers.jobs", "workers.reminders", "workers.summaries"],
    related_name=None,
)

# Signal receivers: request ids, logging and metrics of tasks.
import workers.observability  # noqa: E402, F401
