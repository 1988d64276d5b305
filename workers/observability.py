"""What workers tell operators: each task's outcome and duration (backend/platform/metrics.py),
and the request id on the log lines written for a task.

A task enqueued while a request is handled carries that request's id in a message header; a
task from beat or another task without one gets an id of its own. Celery leaves logging to
Django's LOGGING (JSON when DEBUG is off), so worker lines look like the web's.
"""

import logging.config
import os
import time

from celery import signals
from django.conf import settings

from backend.platform import metrics, request_ids, tracing

HEADER = "stride_request_id"

_running: dict[str, tuple] = {}


@signals.setup_logging.connect
def use_django_logging(**kwargs):
    # Connected at all, this stops Celery from replacing the handlers with its own.
    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def send_request_id(headers=None, **kwargs):
    request_id = request_ids.current()
    if request_id is not None and headers is not None:
        headers[HEADER] = request_id


@signals.task_prerun.connect
def begin_task(task_id=None, task=None, **kwargs):
    # Run in-process (eager), a task keeps the id of the request it runs in.
    incoming = getattr(task.request, HEADER, None) or request_ids.current()
    _running[task_id] = (request_ids.begin(incoming), time.perf_counter())


@signals.task_postrun.connect
def end_task(task_id=None, task=None, **kwargs):
    token, started = _running.pop(task_id, (None, None))
    if started is not None:
        metrics.CELERY_TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
    if token is not None:
        request_ids.end(token)


@signals.task_success.connect
def count_success(sender=None, **kwargs):
    metrics.CELERY_TASKS.labels(sender.name, "succeeded").inc()


@signals.task_failure.connect
def count_failure(sender=None, **kwargs):
    metrics.CELERY_TASKS.labels(sender.name, "failed").inc()


@signals.task_retry.connect
def count_retry(sender=None, **kwargs):
    metrics.CELERY_TASKS.labels(sender.name, "retried").inc()


@signals.worker_process_init.connect
def start_tracing(**kwargs):
    # In each pool process: the exporter's thread does not survive the fork.
    tracing.configure()


@signals.worker_process_shutdown.connect
def forget_live_gauges(**kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
