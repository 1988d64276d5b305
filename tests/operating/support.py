"""Talking to a live server (tests/live_server.py) as clients and as Prometheus do."""

import json
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import operation


def http(url, *, data=None, headers=None, method=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def graphql(server_url, name, token=None, headers=None, **variables):
    body = json.dumps({"query": operation(name), "variables": variables}).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    status, response_headers, answer = http(f"{server_url}/graphql/", data=body, headers=headers)
    assert status == 200, answer
    answer = json.loads(answer)
    assert "errors" not in answer, answer
    return answer["data"], response_headers


def samples(server_url) -> dict:
    """{(name, sorted labels): value} of every sample /metrics serves."""
    status, _, body = http(f"{server_url}/metrics")
    assert status == 200, body
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float:
    """The sample `name` with exactly these labels; 0 when it was never counted."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def total(found: dict, name: str, **labels) -> float:
    """The sum of the samples `name` whose labels include these."""
    return sum(
        sample_value
        for (sample_name, sample_labels), sample_value in found.items()
        if sample_name == name and labels.items() <= dict(sample_labels).items()
    )
