"""The Postman collection, run by newman against a real server with the demo data: every request
answers without errors, and what its assertions check about the data holds."""

import json
import shutil
import subprocess

import pytest
from django.core.management import call_command

from scripts.postman_collection import COLLECTION
from tests.live_server import ROOT
from tests.realtime.test_real_server import server  # noqa: F401 - the server fixture

NEWMAN = ROOT / "scripts" / "newman" / "node_modules" / ".bin" / "newman"

pytestmark = [
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    pytest.mark.skipif(
        not NEWMAN.exists() and shutil.which("npm") is None,
        reason="newman needs npm (make test installs it into scripts/newman)",
    ),
]


@pytest.fixture
def demo_data():
    # The collection's variables name the demo users by id: alice 1, bob 2.
    call_command("load_demo")


def test_the_collection_runs_green_against_a_live_server(demo_data, server, tmp_path):  # noqa: F811
    report = tmp_path / "newman.json"
    run = subprocess.run(
        [
            str(NEWMAN),
            *("run", str(COLLECTION), "--env-var", f"baseUrl=http://{server}"),
            *("--reporters", "cli,json", "--reporter-json-export", str(report)),
            *("--timeout-request", "20000", "--bail", "failure", "--color", "off"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["assertions"]["failed"] == 0
    assert stats["requests"]["total"] == len(json.loads(COLLECTION.read_text())["item"])
    # Each request checks its data, not only that it answered.
    assert stats["assertions"]["total"] >= 3 * stats["requests"]["total"]
