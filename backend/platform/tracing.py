"""OpenTelemetry traces: optional (requirements-tracing.txt) and off unless TRACING is on.

On, each process sends its spans (OTLP over HTTP, to OTEL_EXPORTER_OTLP_ENDPOINT; OpenTelemetry's
other OTEL_* variables apply) for HTTP requests and WebSockets (the ASGI application, GraphQL
included, which Django's middleware never sees), Django's views, SQL through psycopg, Redis
commands and Celery tasks, which continue the trace of the request that sent them.
"""

from django.conf import settings


def configure(exporter=None) -> bool:
    """Set up this process's tracer and instrument the libraries, once, before the application
    is built; `exporter` replaces OTLP (tests). False, doing nothing, when TRACING is off."""
    if not settings.TRACING:
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    # OTEL_SERVICE_NAME, when set, wins over this default.
    provider = TracerProvider(resource=Resource.create({"service.name": "stride"}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(tracer_provider=provider)
    PsycopgInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    return True


def unconfigure() -> None:
    """Undo `configure()`'s instrumentation (tests)."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (
        DjangoInstrumentor(),
        PsycopgInstrumentor(),
        RedisInstrumentor(),
        CeleryInstrumentor(),
    ):
        instrumentor.uninstrument()


def traced(application):
    """`application` with a span for each HTTP request and WebSocket, when TRACING is on."""
    if not settings.TRACING:
        return application
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(application)
