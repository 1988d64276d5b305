"""docs/grafana/stride.json is a dashboard that reads only metrics /metrics serves."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "stride.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def queries(dashboard: dict) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", ())]


def served_names() -> set[str]:
    response = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert response.status_code == 200
    names = set()
    for family in text_string_to_metric_families(response.content.decode()):
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


@pytest.mark.django_db
def test_every_metric_the_dashboard_queries_is_served():
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = queries(dashboard)
    queried = {name for expr in expressions for name in re.findall(r"\bstride_[a-z_]+", expr)}
    assert len(queried) >= 12
    assert queried - served_names() == set()


def test_the_dashboard_has_the_panels_operators_look_for():
    dashboard = json.loads(DASHBOARD.read_text())
    titles = " ".join(panel["title"] for panel in dashboard["panels"]).lower()
    for subject in (
        "request rate",
        "error rate",
        "p99",
        "graphql",
        "hit ratio",
        "websockets",
        "tasks",
        "queue",
        "pool",
    ):
        assert subject in titles, subject
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
