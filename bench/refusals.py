"""How Stride refuses what issue 14's probes sent: the status of each refusal, and how long it
takes over HTTP against a running server (the target: every refusal a 4xx in under 100 ms).

    .venv/bin/python bench/refusals.py --url http://127.0.0.1:8352 [--rounds 50]

The server is any Stride (`make run`, Uvicorn); run it with high THROTTLE_*_RATE values, or the
rate limits, which count this client's address, answer 429 to everything after a while (the
sign-in backoff still applies: it is one of the refusals measured). The script registers two
users of its own. GraphQL requests ask for `application/graphql-response+json`, under which a
request refused before execution is a 4xx; a mutation refused by a rule answers 200 with
`OperationInfo`, as the GraphQL API is specified, and is listed apart.
"""

import argparse
import json
import statistics
import time
import uuid
from datetime import timedelta
from http.client import HTTPConnection
from urllib.parse import urlsplit

import jwt

GRAPHQL_RESPONSE = "application/graphql-response+json"
PUBLISHED_DEBUG_KEY = "insecure-development-key-only-used-with-DEBUG-on"
CREATE_TASK = (
    "mutation ($input: TaskInput!) { createTask(input: $input) { ... on Task { id } "
    "... on OperationInfo { messages { field code } } } }"
)
ASSIGN = (
    "mutation ($t: ID!, $a: ID) { assignTask(taskId: $t, assigneeId: $a) { ... on Task { id } "
    "... on OperationInfo { messages { field code } } } }"
)
FRAGMENT_BOMB = "{ ...F20 } fragment F1 on Query { me { id } } " + " ".join(
    f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(2, 21)
)


class Server:
    def __init__(self, url: str):
        parts = urlsplit(url)
        self.connection = HTTPConnection(parts.hostname, parts.port or 80, timeout=30)

    def send(self, method, path, body=None, headers=None):
        """(status, parsed JSON or text, milliseconds)."""
        data = body if isinstance(body, bytes | None) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
        started = time.perf_counter()
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        try:
            content = json.loads(raw)
        except ValueError:
            content = raw.decode(errors="replace")
        return response.status, content, elapsed


def register(server, name):
    password = f"{uuid.uuid4().hex}-Aa1"
    body = {"username": name, "email": f"{name}@example.com", "password": password}
    status, content, _ = server.send(
        "POST", "/api/users/register/", {**body, "password2": password}
    )
    assert status == 201, content
    return content["user"], content["tokens"]["access"], password


def forged_token(user_id) -> str:
    now = int(time.time())
    claims = {"token_type": "access", "user_id": str(user_id), "jti": uuid.uuid4().hex}
    claims |= {"iat": now, "exp": now + int(timedelta(minutes=5).total_seconds())}
    return jwt.encode(claims, PUBLISHED_DEBUG_KEY, "HS256")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8352")
    parser.add_argument("--rounds", type=int, default=50)
    options = parser.parse_args()
    server = Server(options.url)

    tag = uuid.uuid4().hex[:6]
    owner, owner_token, _ = register(server, f"bench-{tag}-a")
    stranger, _, _ = register(server, f"bench-{tag}-b")
    victim, _, victim_password = register(server, f"bench-{tag}-c")
    bearer = {"Authorization": f"Bearer {owner_token}"}
    graphql = {**bearer, "Accept": GRAPHQL_RESPONSE}
    status, content, _ = server.send("POST", "/api/tasks/", {"title": "Mine"}, bearer)
    task_id = content["task"]["id"]

    surrogate = json.dumps({"query": CREATE_TASK, "variables": {"input": {"title": "\ud800"}}})
    refusals = {
        "forged token (published DEBUG key), GraphQL": (
            "POST",
            "/graphql/",
            {"query": "{ me { id } }"},
            {"Authorization": f"Bearer {forged_token(owner['id'])}"},
        ),
        "malformed token, REST": (
            "GET",
            "/api/tasks/",
            None,
            {"Authorization": "Bearer not-a-token"},
        ),
        "NUL in a GraphQL variable": (
            "POST",
            "/graphql/",
            {"query": CREATE_TASK, "variables": {"input": {"title": "a\u0000b"}}},
            graphql,
        ),
        "lone surrogate in a GraphQL variable": (
            "POST",
            "/graphql/",
            surrogate.encode(),
            graphql,
        ),
        "dueDate out of range in UTC, GraphQL": (
            "POST",
            "/graphql/",
            {
                "query": CREATE_TASK,
                "variables": {"input": {"title": "x", "dueDate": "0001-01-01T00:00:00+23:59"}},
            },
            graphql,
        ),
        "due_before out of range in UTC, REST": (
            "GET",
            "/api/tasks/?due_before=0001-01-01T00:00:00%2B23:59",
            None,
            bearer,
        ),
        "NUL in a REST title": ("POST", "/api/tasks/", {"title": "a\u0000b"}, bearer),
        "description of 10,001 characters, REST": (
            "POST",
            "/api/tasks/",
            {"title": "x", "description": "x" * 10_001},
            bearer,
        ),
        "personal task assigned to a stranger, REST": (
            "PATCH",
            f"/api/tasks/{task_id}/",
            {"assignee_id": stranger["id"]},
            bearer,
        ),
        "fragment bomb, GraphQL": ("POST", "/graphql/", {"query": FRAGMENT_BOMB}, graphql),
    }
    by_rule = {
        "personal task assigned to a stranger, GraphQL (OperationInfo)": (
            "POST",
            "/graphql/",
            {"query": ASSIGN, "variables": {"t": str(task_id), "a": str(stranger["id"])}},
            graphql,
        ),
    }

    print(f"{options.rounds} rounds each against {options.url}")
    print("| refusal | statuses | p50 ms | p99 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    worst = 0.0
    for table in (refusals, by_rule):
        for name, (method, path, body, headers) in table.items():
            statuses, times = set(), []
            for _ in range(options.rounds):
                status, _, elapsed = server.send(method, path, body, headers)
                statuses.add(status)
                times.append(elapsed)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            if table is refusals:
                worst = max(worst, p99)
            print(
                f"| {name} | {', '.join(map(str, sorted(statuses)))} | "
                f"{statistics.median(times):.1f} | {p99:.1f} | {times[-1]:.1f} |"
            )
    print(f"worst p99 of the 4xx refusals above: {worst:.1f} ms")

    # Sign-in: a wrong password costs a password hash (Django's PBKDF2, slow on purpose); past
    # LOGIN_FREE_FAILURES (5 by default) the backoff refuses before hashing anything.
    wrong = {"username": victim["username"], "password": "wrong"}
    hashed = [server.send("POST", "/api/users/login/", wrong)[::2] for _ in range(5)]
    median = statistics.median(t for _, t in hashed)
    statuses = sorted({status for status, _ in hashed})
    print(f"wrong password (hashed), REST: statuses {statuses}, median {median:.0f} ms")
    right = {"username": victim["username"], "password": victim_password}
    for label, body in (("wrong", wrong), ("right", right)):
        answers = [server.send("POST", "/api/users/login/", body)[::2] for _ in range(20)]
        times = sorted(t for _, t in answers)
        print(
            f"{label} password during the backoff, REST: statuses "
            f"{sorted({status for status, _ in answers})}, p50 {statistics.median(times):.1f} ms, "
            f"max {times[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
