"""Stride settings: every value that differs between machines comes from the environment.

`.env.example` documents each variable. `STRIDE_EMBEDDED=1` (set by `make run` when PostgreSQL
or Redis does not answer) swaps the services for in-process stand-ins so that Stride runs with
nothing but Python.
"""

from datetime import timedelta
from pathlib import Path

from corsheaders.defaults import default_headers
from pythonjsonlogger.core import RESERVED_ATTRS

from backend.env import (
    choice,
    env,
    fraction,
    networks,
    non_negative_int,
    non_negative_seconds,
    positive_int,
    positive_number,
    read_dotenv,
    seconds_range,
    signing_key,
    throttle_rate,
)
from backend.platform.counted_redis import CacheConnection, ChannelLayerConnection, plain_tcp

BASE_DIR = Path(__file__).resolve().parent.parent
read_dotenv(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
EMBEDDED = env.bool("STRIDE_EMBEDDED", default=False)

# With DEBUG on and no key, a random one for this process (`make run` keeps one in `.env`).
SECRET_KEY = signing_key("SECRET_KEY", required=not DEBUG)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "channels",
    "strawberry_django",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "backend.platform",
    "backend.caching",
    "backend.accounts",
    "backend.projects",
    "backend.tasks",
    "backend.notifications",
    "backend.realtime",
    "backend.jobs",
    "backend.outbox",
    "backend.web",
    "workers",
]

MIDDLEWARE = [
    "backend.platform.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.web.errors.AnswersOutagesWith503",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database work runs on many threads, each with its own connection: persistent connections
# (CONN_MAX_AGE > 0) leak on Django's per-request threads, so a bounded pool holds them instead.
if EMBEDDED:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    }
else:
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/stride")
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq waits for an unreachable host as long as the operating system does (minutes).
    options.setdefault("connect_timeout", positive_int("DATABASE_CONNECT_TIMEOUT", 2))
    if env.bool("DATABASE_POOL", default=True):
        options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": positive_int("DATABASE_POOL_MAX_SIZE", 20),
            # A request waits this long for a connection before it is answered 503: while
            # PostgreSQL is down no connection ever comes, and clients should hear so quickly.
            # A process's threads (asgiref's executor) rarely outnumber max_size, so under load
            # connections come free well within it.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=1.5),
            # A failed attempt to connect is retried once, a second later, then given up; the
            # next request that needs a connection starts a new attempt at once. psycopg_pool's
            # default retries for five minutes with a doubling backoff: once PostgreSQL is back,
            # it could wait many seconds before trying, while requests are refused.
            "reconnect_timeout": 1.0,
        }
    # Django's, checking the pooled connections it takes (backend/platform/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "backend.platform.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

if EMBEDDED:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="stride"),
            "OPTIONS": {
                # A Redis outage degrades to the database instead of failing the request.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # Counts the commands sent, for /metrics.
                "CONNECTION_POOL_KWARGS": (
                    {"connection_class": CacheConnection} if plain_tcp(REDIS_URL) else {}
                ),
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times out reads after 5 s, exactly channels-redis's blocking read,
                # which kills idle WebSockets; a longer socket timeout keeps them alive.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        **(
                            {"connection_class": ChannelLayerConnection}
                            if plain_tcp(REDIS_URL)
                            else {}
                        ),
                    }
                ],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="stride:asgi"),
                # The realtime hub (backend/realtime/hub.py) takes every event of the process
                # on one channel: the default of 100 waiting messages would drop part of a burst.
                "channel_capacity": {"*.realtime-hub": 10_000},
            },
        }
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Lists and task details cached in the selectors (backend/caching/store.py), GraphQL responses and
# the signed-in user; off to measure or debug.
CACHE_SELECTORS = env.bool("CACHE_SELECTORS", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Production serves only what collectstatic gathered (compressed), as the Dockerfile does.
WHITENOISE_USE_FINDERS = DEBUG

# Files the workers write (CSV exports); the directory must be writable by them.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

LOGIN_URL = "web:login"

# Error pages and e-mails hide passwords and tokens, with DEBUG on too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "backend.platform.error_reports.SecretsFilter"

# Pages of other origins that may call the API from a browser (GraphQL, REST, WebSockets alike).
# Under DEBUG, the usual front-end dev servers (React, Vite, Angular, Vue) are allowed.
LOCAL_FRONTEND_ORIGINS = [
    f"http://{host}:{port}"
    for port in (3000, 5173, 4200, 8080)
    for host in ("localhost", "127.0.0.1")
]
CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS", default=LOCAL_FRONTEND_ORIGINS if DEBUG else []
)
CORS_PREFLIGHT_MAX_AGE = 86400
# Beyond django-cors-headers' defaults: the headers of optimistic locking, safe retries and
# request tracing that a browser client sends, and the answers' headers it must be able to read.
CORS_ALLOW_HEADERS = (*default_headers, "if-match", "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID"]
CORS_ALLOW_ALL_ORIGINS = env.bool("CORS_ALLOW_ALL_ORIGINS", default=False)

# Secure defaults when DEBUG is off; some can be relaxed from the environment (behind a proxy).
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if (DEBUG or EMBEDDED) else "smtp://127.0.0.1:1025"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Stride <stride@localhost>")
# Django waits forever on a silent SMTP server by default; a worker must not.
EMAIL_TIMEOUT = positive_int("EMAIL_TIMEOUT", 10)
# Where links in e-mails point: the web pages' address (`make run` sets it from HOST and PORT).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, with the user read from the cache (GraphQL over HTTP uses it too).
        "backend.platform.authentication.CachedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "backend.platform.ratelimit.AnonThrottle",
        "backend.platform.ratelimit.UserThrottle",
    ],
    # The same limits apply to GraphQL operations (schema/view.py). Format: "<count>/<s|m|h|d>".
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("THROTTLE_ANON_RATE", "120/min"),
        "user": throttle_rate("THROTTLE_USER_RATE", "1200/min"),
        "login_address": throttle_rate("THROTTLE_LOGIN_ADDRESS_RATE", "30/min"),
        "login_username": throttle_rate("THROTTLE_LOGIN_USERNAME_RATE", "10/min"),
    },
}

# Proxies whose X-Forwarded-For is believed (backend/platform/addresses.py): none by default, so
# that nobody picks the address their requests are counted under.
TRUSTED_PROXIES = networks("TRUSTED_PROXIES", [])
# Sign-in backoff per username and address: after this many failures in a row, each attempt
# waits twice as long as the last (1 s, 2 s, 4 s, ...) up to the maximum; a success clears it.
LOGIN_FREE_FAILURES = positive_int("LOGIN_FREE_FAILURES", 5)
LOGIN_BACKOFF_MAX_SECONDS = positive_int("LOGIN_BACKOFF_MAX_SECONDS", 900)

SPECTACULAR_SETTINGS = {
    "TITLE": "Stride REST API",
    "DESCRIPTION": (
        "The REST compatibility layer of Stride, over the same services and permission rules "
        "as the GraphQL API at /graphql/. Errors are "
        '{"error": ..., "code": ..., "field_errors": {...}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The brief-001 aliases (/projects/, /tasks/) are the same endpoints: documented once.
    "PREPROCESSING_HOOKS": ["backend.api.schema.only_api_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "backend.tasks.models.TaskStatus",
        "TaskPriorityEnum": "backend.tasks.models.TaskPriority",
        "HealthStatusEnum": "backend.api.serializers.HEALTH_STATUSES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=positive_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=positive_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": signing_key("JWT_SIGNING_KEY", required=not DEBUG, default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# Limits that reject abusive GraphQL documents before they run.
GRAPHQL_MAX_DEPTH = positive_int("GRAPHQL_MAX_DEPTH", 10)
GRAPHQL_MAX_ALIASES = positive_int("GRAPHQL_MAX_ALIASES", 15)
GRAPHQL_MAX_TOKENS = positive_int("GRAPHQL_MAX_TOKENS", 2000)
# Field selections with fragments expanded (schema/limits.py), which multiply a short text.
# GraphiQL's introspection query selects ~230; 2000 tokens without fragments hold at most ~1000.
GRAPHQL_MAX_FIELDS = positive_int("GRAPHQL_MAX_FIELDS", 1000)
GRAPHQL_MAX_PAGE_SIZE = positive_int("GRAPHQL_MAX_PAGE_SIZE", 100)
GRAPHQL_DEFAULT_PAGE_SIZE = positive_int("GRAPHQL_DEFAULT_PAGE_SIZE", 20)
# Apollo's BatchHttpLink: operations per HTTP request.
GRAPHQL_MAX_BATCH_SIZE = positive_int("GRAPHQL_MAX_BATCH_SIZE", 10)
# Automatic persisted queries (schema/persisted_queries.py): how long a client-registered
# document is kept; with ..._ONLY, only documents registered ahead of time run.
GRAPHQL_PERSISTED_QUERY_SECONDS = positive_int("GRAPHQL_PERSISTED_QUERY_SECONDS", 30 * 86400)
GRAPHQL_PERSISTED_QUERIES_ONLY = env.bool("GRAPHQL_PERSISTED_QUERIES_ONLY", default=False)
GRAPHQL_PERSISTED_QUERIES_DIR = env.str(
    "GRAPHQL_PERSISTED_QUERIES_DIR", default=str(BASE_DIR / "graphql-queries")
)

STRAWBERRY_DJANGO = {
    "MAP_AUTO_ID_AS_GLOBAL_ID": False,
    "PAGINATION_DEFAULT_LIMIT": GRAPHQL_DEFAULT_PAGE_SIZE,
    "PAGINATION_MAX_LIMIT": GRAPHQL_MAX_PAGE_SIZE,
    "MUTATIONS_DEFAULT_HANDLE_ERRORS": True,
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
# django-celery-beat's scheduler, kept alive through PostgreSQL outages (workers/beat.py).
CELERY_BEAT_SCHEDULER = "workers.beat:ResilientDatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="stride")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Outcomes are recorded in the database (Job, EmailDelivery), not in the result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged once it has finished, and one whose worker process died (killed, out
# of memory) goes back to the queue: no work is lost, so every task is written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# With late acknowledgement a prefetched message would wait behind a long job: take one at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = positive_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = positive_int("CELERY_TASK_TIME_LIMIT", 330)
# Workers and beat wait for the broker however long it is away, retrying with backoff, rather
# than exit after Celery's default 100 attempts (workers also wait for it at start).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Redis hands an unacknowledged message to another worker after this many seconds (how the task
# of a vanished worker gets done); a task still running or waiting on a retry countdown by then
# runs twice: keep it above CELERY_TASK_TIME_LIMIT and TASK_RETRY_BACKOFF_MAX_SECONDS, and use
# beat, never long countdowns, for periodic work.
BROKER_VISIBILITY_TIMEOUT = positive_int("CELERY_VISIBILITY_TIMEOUT", 900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Workers sweep for expired messages every interval x throttle seconds: 100 s by default,
    # which could double a short timeout; every tenth of the timeout (1 to 30 s) instead.
    "unacked_restore_interval": max(1, min(30, BROKER_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    # A broker that stops answering (a host gone, not just a refused port) is noticed within
    # seconds, by a publisher and by a worker's idle connection alike.
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
    "socket_keepalive": True,
    # A publisher finding the broker gone gives up after one attempt to connect instead of
    # retrying for seconds inside a request: the outbox publishes the message later
    # (workers/outbox.py); a worker reconnects with its own unlimited backoff.
    "max_retries": 0,
}

# The outbox of background work (backend/outbox/, workers/outbox.py). Relays look for messages
# to publish every OUTBOX_POLL_SECONDS (waiting up to ten times longer while the broker or the
# database is away). A message not done this long after it was published or begun is published
# again (the broker lost it, or its worker vanished): like the visibility timeout, it must exceed
# the longest a task runs and waits between retries. After OUTBOX_MAX_PUBLICATIONS, it is given
# up (a job then fails). A relay that claimed messages keeps them OUTBOX_LEASE_SECONDS at most.
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=1.0)
OUTBOX_REDELIVER_SECONDS = positive_int(
    "OUTBOX_REDELIVER_SECONDS", BROKER_VISIBILITY_TIMEOUT + CELERY_TASK_TIME_LIMIT
)
OUTBOX_MAX_PUBLICATIONS = positive_int("OUTBOX_MAX_PUBLICATIONS", 5)
OUTBOX_LEASE_SECONDS = positive_int("OUTBOX_LEASE_SECONDS", 60)

# Transient failures are retried after about base * 2^n seconds, up to the max (workers/base.py).
TASK_MAX_RETRIES = non_negative_int("TASK_MAX_RETRIES", 3)
TASK_RETRY_BACKOFF_SECONDS = env.float("TASK_RETRY_BACKOFF_SECONDS", default=2.0)
TASK_RETRY_BACKOFF_MAX_SECONDS = env.float("TASK_RETRY_BACKOFF_MAX_SECONDS", default=300.0)
# Brief 002's simulated `process` jobs: how long they take, and how often they fail (transiently).
# Embedded mode runs tasks inside the request, so the simulated work there is kept short.
JOB_PROCESS_SECONDS = seconds_range("JOB_PROCESS_SECONDS", "1-2" if EMBEDDED else "10-20")
JOB_PROCESS_FAILURE_RATE = fraction("JOB_PROCESS_FAILURE_RATE", 0.0)
JOB_RETENTION_DAYS = positive_int("JOB_RETENTION_DAYS", 30)
# Brief 004's simulated external API call: seconds an import waits per chunk of 100 records
# (the brief's demo: 0.5). Off by default: it only makes imports slower.
INGEST_SIMULATED_CALL_SECONDS = non_negative_seconds("INGEST_SIMULATED_CALL_SECONDS", 0.0)

# The task report (backend/tasks/reports.py): at most REPORT_SHARDS shards of at least
# REPORT_SHARD_MIN_ROWS tasks each (fewer tasks: one query), aggregated by REPORT_POOL_SIZE
# threads per process, each with a connection of the pool above; by_project lists the top
# REPORT_TOP_PROJECTS projects unless a client asks for another number.
REPORT_SHARDS = positive_int("REPORT_SHARDS", 4)
REPORT_SHARD_MIN_ROWS = positive_int("REPORT_SHARD_MIN_ROWS", 50_000)
REPORT_POOL_SIZE = positive_int("REPORT_POOL_SIZE", 4)
REPORT_TOP_PROJECTS = positive_int("REPORT_TOP_PROJECTS", 10)
# The planner's cost of a random page for the report's queries: 1.1 for SSDs, where reading
# the task_report index in order beats a sequential scan; 4 (PostgreSQL's default) on disks.
REPORT_RANDOM_PAGE_COST = positive_number("REPORT_RANDOM_PAGE_COST", 1.1)

# Access logs of the servers Stride runs under (Uvicorn, Django's WSGI runserver) lose their
# query strings, which may carry tokens. Stride logs each request itself
# (backend/platform/observed.py, with its request id), so theirs are kept to warnings.
ACCESS_LOGGERS = ("uvicorn.access", "django.server")

# One JSON object a line when DEBUG is off (for a log collector), lines to read under `make run`;
# every line carries the request id of the request, socket or task it was written for.
LOG_FORMAT = choice("LOG_FORMAT", ("json", "plain"), "plain" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_query_strings": {"()": "backend.platform.log_filters.DropQueryStrings"},
        "request_id": {"()": "backend.platform.log_filters.WithRequestId"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Extra attributes become fields, but not Django's `request`, whose text is the
            # path with its query string (which may carry a token).
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        **{
            name: {
                "handlers": ["console"],
                "filters": ["no_query_strings"],
                "level": "WARNING",
                "propagate": False,
            }
            for name in ACCESS_LOGGERS
        },
        # Django logs every 4xx answer once more ("Not Found: ..."); its 5xx stay.
        "django.request": {"level": "ERROR"},
    },
}

# /metrics (backend/platform/metrics_view.py): for a request with this Bearer token, or one that
# comes straight (not through a proxy) from these networks; 404 for anyone else.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = networks("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
# Prometheus scrapes over plain HTTP from the machine's network.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# OpenTelemetry traces (backend/platform/tracing.py, requirements-tracing.txt): on when an OTLP
# endpoint is configured, or with TRACING=1 (then OpenTelemetry's own variables apply).
TRACING = env.bool("TRACING", default=bool(env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")))
