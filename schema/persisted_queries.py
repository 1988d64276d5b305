"""Automatic persisted queries, in Apollo's protocol (`createPersistedQueryLink`).

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": ...}` without the
document; an unknown hash is answered PERSISTED_QUERY_NOT_FOUND, and the client sends the
document with its hash once, which registers it. Registered documents live in Redis (shared by
every web process), so GET requests carry a hash instead of a document and a proxy can cache them.

The operations of GRAPHQL_PERSISTED_QUERIES_DIR (graphql-queries/: one document a file) are
registered ahead of time, in every process. With GRAPHQL_PERSISTED_QUERIES_ONLY (the allow-list
mode, for production) only they run: clients cannot register others, and a document sent as
text must be one of them.
"""

import contextlib
import functools
import hashlib
import re
from pathlib import Path

from django.conf import settings

from backend.platform import redis
from backend.platform.errors import ErrorCode

NAME = "graphql:persisted"
SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: ErrorCode, status: int = 200):
        super().__init__(message)
        self.code, self.status = code, status


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _key(sha256: str) -> str:
    return redis.key(f"{NAME}:{sha256}")


async def resolve(params: dict) -> None:
    """Put the registered document of `params`' hash in `params["query"]`, or register the
    document sent with its hash; refuses what the protocol or the allow-list does not allow."""
    persisted = (params.get("extensions") or {}).get("persistedQuery")
    if persisted is None:
        only_registered = settings.GRAPHQL_PERSISTED_QUERIES_ONLY and params.get("query")
        if only_registered and await _lookup(document_hash(params["query"])) is None:
            raise _not_in_list()
        return
    if not isinstance(persisted, dict):
        persisted = {}
    sha256 = persisted.get("sha256Hash")
    if persisted.get("version") != 1 or not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise PersistedQueryError(
            "persistedQuery must be {version: 1, sha256Hash: <64 lower-case hex digits>}.",
            ErrorCode.BAD_REQUEST,
            400,
        )
    document = params.get("query")
    if document is None:
        params["query"] = await _lookup(sha256)
        if params["query"] is None:
            if settings.GRAPHQL_PERSISTED_QUERIES_ONLY:
                raise _not_in_list()
            raise PersistedQueryError("PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)
        return
    if document_hash(document) != sha256:
        raise PersistedQueryError(
            "The sha256Hash does not match the document.", ErrorCode.BAD_REQUEST, 400
        )
    if settings.GRAPHQL_PERSISTED_QUERIES_ONLY:
        if await _lookup(sha256) is None:
            raise _not_in_list()
        return
    await _register(sha256, document)


def _not_in_list() -> PersistedQueryError:
    return PersistedQueryError(
        "Only registered operations run on this server.", ErrorCode.PERSISTED_QUERY_NOT_IN_LIST
    )


async def _lookup(sha256: str) -> str | None:
    document = registered_documents().get(sha256)
    if document is not None or settings.GRAPHQL_PERSISTED_QUERIES_ONLY:
        return document
    client = redis.async_client()
    if client is None:
        return None
    try:
        document = await client.get(_key(sha256))
    except redis.UNAVAILABLE:
        return None  # the client falls back to sending the document
    return None if document is None else document.decode()


async def _register(sha256: str, document: str) -> None:
    client = redis.async_client()
    if client is None or sha256 in registered_documents():
        return
    # Unavailable, the document runs anyway; it is registered the next time it is sent.
    with contextlib.suppress(redis.UNAVAILABLE):
        await client.set(_key(sha256), document, ex=settings.GRAPHQL_PERSISTED_QUERY_SECONDS)


@functools.cache
def registered_documents() -> dict[str, str]:
    """{hash: document} of the operations registered ahead of time (the SDL is not one)."""
    folder = Path(settings.GRAPHQL_PERSISTED_QUERIES_DIR)
    paths = [path for path in sorted(folder.glob("*.graphql")) if path.name != "schema.graphql"]
    documents = (path.read_text() for path in paths)
    return {document_hash(document): document for document in documents}
