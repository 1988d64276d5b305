"""/metrics: the Prometheus metrics of this machine's Stride processes, for operators only.

Served to a request with `Authorization: Bearer <METRICS_TOKEN>` (when that is set), or from an
address in METRICS_ALLOWED_NETWORKS (loopback by default) that came straight to this process:
a request relayed by a proxy (X-Forwarded-For, Forwarded, X-Real-IP) is let in by the token
alone, since behind a proxy on this machine every visitor would come from the loopback. Anyone
else is answered 404, as if there were nothing here.
"""

import ipaddress
import logging
import os
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse
from kombu import Connection
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from backend.platform import metrics

logger = logging.getLogger(__name__)

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
BROKER_TIMEOUT_SECONDS = 2


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(sent.encode(), token.encode()):
            return True
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


class CeleryQueueLength:
    """Messages waiting in each Celery queue, asked of the broker when /metrics is read."""

    def collect(self):
        family = GaugeMetricFamily(
            "stride_celery_queue_length", "Messages waiting in the Celery queue.", labels=["queue"]
        )
        if not settings.EMBEDDED:
            try:
                for queue, length in _queue_lengths():
                    family.add_metric([queue], length)
            except Exception as error:  # a broker outage leaves the figure out, not /metrics
                logger.warning("Celery queue length unavailable: %r", error)
        yield family


def _queue_lengths():
    from workers import celery_app

    queues = [queue.name for queue in celery_app.conf.task_queues or ()] or [
        celery_app.conf.task_default_queue
    ]
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        with broker.channel() as channel:
            for queue in queues:
                try:
                    _, length, _ = channel.queue_declare(queue=queue, passive=True)
                except broker.channel_errors:  # RabbitMQ: not declared yet, so empty
                    length = 0
                yield queue, length


_broker_registry = CollectorRegistry()
_broker_registry.register(CeleryQueueLength())


def exposition() -> bytes:
    """Every process's metrics (from PROMETHEUS_MULTIPROC_DIR, when set), then the broker's."""
    metrics.read_pool(force=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_broker_registry)


def metrics_view(request):
    if not allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
