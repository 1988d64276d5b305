"""docker-compose.yml as both Compose generations read it, with every image pinned."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.scale import COMPOSE_CONFIG as COMPOSE_NGINX_CONFIG
from scripts.scale import compose_nginx_config

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
# A tag naming at least a minor version (`17.2-alpine`, `v1.21`, `2.0.1`): not `latest`, not `7`.
PINNED_TAG = re.compile(r"v?\d+\.\d+")


def services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def test_every_image_from_a_registry_is_pinned():
    images = {name: spec["image"] for name, spec in services().items() if "build" not in spec}
    assert images
    for name, image in images.items():
        _, _, tag = image.rpartition(":")
        assert PINNED_TAG.match(tag), f"{name}: {image} is not pinned to a version"


def test_no_service_waits_on_an_optional_profile():
    """Compose v1 has no `required: false`, and v2 refuses to wait on a disabled profile: a
    service waits only on services that run whenever it does (no profile, or one of its own)."""
    all_services = services()
    for name, spec in all_services.items():
        for dependency in spec.get("depends_on") or ():
            needed = set(all_services[dependency].get("profiles") or ())
            assert not needed or needed & set(spec.get("profiles") or ()), (name, dependency)


def test_the_compose_nginx_config_is_the_template_rendered():
    """`make scale` and the compose profile run the same nginx configuration."""
    assert COMPOSE_NGINX_CONFIG.read_text() == compose_nginx_config()


def compose_v1_config(tmp_path, **environment) -> subprocess.CompletedProcess:
    # Only these variables: neither the caller's environment nor a .env beside the file counts.
    empty = tmp_path / "empty.env"
    empty.write_text("")
    return subprocess.run(
        ["docker-compose", "-f", str(COMPOSE_FILE), "--env-file", str(empty), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], **environment},
    )


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="Compose v1 is not installed")
def test_compose_v1_accepts_the_file(tmp_path):
    check = compose_v1_config(tmp_path, SECRET_KEY="k" * 60)
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="Compose v1 is not installed")
def test_compose_refuses_to_start_without_a_secret_key(tmp_path):
    """There is no published default key (issue 14): `make secret-key` writes one."""
    check = compose_v1_config(tmp_path)
    assert check.returncode != 0
    assert "make secret-key" in check.stderr
