# syntax=docker/dockerfile:1
# One image for every Stride process: web (default command), Celery worker and beat (see
# docker-compose.yml). Build: docker build -t stride .

# Dependencies are installed in a throwaway stage so that pip and its caches stay out of the
# final image; every pinned package ships a manylinux wheel, so no compiler is needed.
FROM python:3.11-slim-bookworm AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN /venv/bin/pip install -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=backend.settings
RUN groupadd --system --gid 10001 stride \
    && useradd --system --uid 10001 --gid stride --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin stride
COPY --from=dependencies /venv /venv
WORKDIR /app
# The code belongs to root and is read-only for the server; only media/ (uploaded and exported
# files) is writable.
COPY . .
# collectstatic only reads settings; DEBUG off insists on a strong SECRET_KEY, so give it a
# random one that is thrown away with this layer's environment.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p media && chown stride:stride media
USER 10001:10001
# Uvicorn reads its address from UVICORN_HOST and UVICORN_PORT: `-e UVICORN_PORT=8001` moves it
# (with --network host, say) without repeating the command.
ENV UVICORN_HOST=0.0.0.0 UVICORN_PORT=8000
EXPOSE 8000
# Uvicorn serves HTTP and WebSocket; without a graceful-shutdown timeout it would wait for open
# WebSockets on `docker stop` until Docker kills it. Behind a reverse proxy, set
# TRUSTED_PROXIES to the proxy's address so that client addresses (rate limits) are real; Stride
# alone reads X-Forwarded-For (Uvicorn's own reading would believe any local client).
# WebSocket frames are not compressed (per-message deflate off): for events of a few hundred
# bytes it cost ~40 KB of memory per socket and 1.7-2x the fan-out's p99 at 10,000 sockets
# (bench/RESULTS.md, "WebSocket capacity").
CMD ["uvicorn", "backend.asgi:application", \
     "--workers", "2", "--timeout-graceful-shutdown", "10", "--no-proxy-headers", \
     "--ws-per-message-deflate", "false"]
