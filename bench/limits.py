"""How long Stride takes to refuse abusive GraphQL documents (schema/limits.py).

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/limits.py 2>/dev/null

Each document is posted anonymously through the whole Django stack (middleware, rate limit, the
GraphQL view) with Django's test client, and also run through `schema.execute_sync` alone. A
comment numbered per request makes every text new, so no cache answers for it. Strawberry logs
every refusal (to stderr, hence the redirection above), as it does in production.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from graphql import get_introspection_query  # noqa: E402

from schema import schema  # noqa: E402

ROUNDS = 300
GRAPHQL_RESPONSE = "application/graphql-response+json"

FRAGMENT_BOMB = "{ ...F20 } fragment F1 on Query { me { id } } " + " ".join(
    f"fragment F{level} on Query {{ ...F{level - 1} ...F{level - 1} }}" for level in range(2, 21)
)
# Name -> (document, the status a graphql-response+json client gets).
DOCUMENTS = {
    "fragment bomb (20 levels, 1,048,576 fields)": (FRAGMENT_BOMB, 400),
    "fragment bomb of aliases": (FRAGMENT_BOMB.replace("{ me { id } }", "{ a: me { id } }"), 400),
    "deep introspection (11 levels)": (
        "{ __schema { types { fields { type { fields { type { fields { type { fields { type {"
        " fields { name } } } } } } } } } } } }",
        400,
    ),
    "two operations, no operationName": ("query A { __typename } query B { __typename }", 400),
    "fragment cycle": (
        "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A }",
        400,
    ),
    "2,001 tokens": ("{ __typename " + "a " * 1998 + "}", 400),
    "served: { __typename }": ("{ __typename }", 200),
    "served: graphql-core's introspection query": (get_introspection_query(descriptions=True), 200),
}


def timed(run, document: str) -> str:
    """Median and p99 wall-clock time, and median CPU time, of ROUNDS runs (milliseconds).

    CPU time is this thread's: on a shared machine it shows the work done, where the wall
    clock also shows the waits for a core (and, over HTTP, for Redis: the rate limit).
    """
    wall, cpu = [], []
    for number in range(ROUNDS):
        text = f"{document}\n# {number} {time.time_ns()}"
        started, started_cpu = time.perf_counter(), time.thread_time()
        run(text)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    p99 = statistics.quantiles(wall, n=100)[98]
    return f"{statistics.median(wall):6.2f} {p99:7.2f} {statistics.median(cpu):6.2f}"


def main() -> None:
    client = Client(HTTP_HOST="localhost")

    print(f"{ROUNDS} requests each; milliseconds: wall-clock median and p99, CPU median")
    print(f"{'document':45} {'HTTP view':>22} {'execute_sync':>22}")
    for name, (document, status) in DOCUMENTS.items():

        def over_http(text, status=status):
            response = client.post(
                "/graphql/",
                json.dumps({"query": text}),
                content_type="application/json",
                headers={"Accept": GRAPHQL_RESPONSE},
            )
            assert response.status_code == status, response.content
            assert response["Content-Type"].startswith(GRAPHQL_RESPONSE)

        print(
            f"{name:45} {timed(over_http, document):>22} {timed(schema.execute_sync, document):>22}"
        )


if __name__ == "__main__":
    main()
