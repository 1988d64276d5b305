"""How fast each front door refuses while PostgreSQL is cut, and whether any request fails once
it is back (issue 14: 20-30 s hangs, then HTML 500s; 4 of 9 requests failed after recovery).

    .venv/bin/python bench/outage_refusals.py [--rounds 20] [--cuts 3]

Uses DATABASE_URL's database (migrated first) and REDIS_URL, as the tests' settings read them.
A TCP proxy (tests/faults.py) stands in front of PostgreSQL and a Uvicorn process
(tests/live_server.py) connects through it. Each cut: every door is asked `--rounds` times while
the proxy refuses and resets connections (503 expected; 200 where the answer comes from the
Redis cache), then the proxy is restored and every door asked again at once, `--rounds` times,
counting any answer that is not a 200.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.accounts.services import tokens_for  # noqa: E402
from backend.projects.services import create_project  # noqa: E402
from tests.faults import TcpProxy, free_port  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402
from tests.resilience.outage_client import graphql, request  # noqa: E402


def doors(url, token, cookie, project_id):
    bearer = {"Authorization": f"Bearer {token}"}
    task = {"title": "Written during the cut", "projectId": str(project_id)}
    return {
        "GraphQL createTask": lambda: graphql(url, token, "createTask", input=task),
        "GraphQL me": lambda: graphql(url, token, "me"),
        "REST GET /api/tasks/": lambda: request(f"{url}/api/tasks/", headers=bearer),
        "web page /boards/": lambda: request(f"{url}/boards/", headers={"Cookie": cookie}),
        "GET /api/health/": lambda: request(f"{url}/api/health/"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cuts", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-outage")
    project = create_project(actor=user, name="Bench outage")
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    token = str(tokens_for(user).access_token)

    database = connection.settings_dict
    with TcpProxy(target_port=int(database["PORT"] or 5432)) as proxy:
        url_of_database = f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}"
        server = LiveServer(port=free_port(), DATABASE_URL=url_of_database).start()
        try:
            asks = doors(server.url, token, cookie, project.id)
            for name, ask in asks.items():
                assert ask().status == 200, name
            during = {name: [] for name in asks}
            after = {name: [] for name in asks}
            failed_after = []
            for _ in range(args.cuts):
                proxy.cut()
                for _ in range(args.rounds):
                    for name, ask in asks.items():
                        answer = ask()
                        # A list cached in Redis is still served (200) without the database.
                        refused = answer.status == 503 and "retry-after" in answer.headers
                        assert refused or answer.status == 200, answer
                        during[name].append((answer.status, answer.seconds * 1000))
                proxy.restore()
                for _ in range(args.rounds):
                    for name, ask in asks.items():
                        answer = ask()
                        if answer.status != 200:
                            failed_after.append((name, answer.status))
                        after[name].append(answer.seconds * 1000)
        finally:
            server.stop()

    load = os.getloadavg()[0]
    print(f"{args.cuts} cuts x {args.rounds} rounds; 1-minute load average {load:.1f}")
    print("| door | during the cut: statuses | p50 ms | max ms | just after: p50 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name in asks:
        statuses = sorted({status for status, _ in during[name]})
        times = [ms for _, ms in during[name]]
        print(
            f"| {name} | {', '.join(map(str, statuses))} | {statistics.median(times):.0f} "
            f"| {max(times):.0f} | {statistics.median(after[name]):.0f} | {max(after[name]):.0f} |"
        )
    total = args.cuts * args.rounds * len(asks)
    print(f"requests failed after the restore: {len(failed_after)} of {total} {failed_after}")


if __name__ == "__main__":
    main()
