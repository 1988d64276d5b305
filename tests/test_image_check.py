"""What `make image-check` reads off the machine and the Dockerfile to make the base's stand-in
(scripts/image_check.py; the check itself runs in CI after the tests)."""

import pytest

from scripts.image_check import CheckFailed, debian_mirror, dockerfile_base


def test_the_base_is_the_one_image_the_dockerfile_builds_from():
    assert dockerfile_base() == "python:3.11-slim-bookworm"


def test_a_stage_built_from_an_earlier_stage_is_not_a_base(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "FROM --platform=linux/amd64 debian:bookworm AS build\nRUN true\nFROM build\n"
    )
    assert dockerfile_base(dockerfile) == "debian:bookworm"


def test_two_bases_are_refused(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:bookworm AS build\nFROM python:3.11-slim\n")
    with pytest.raises(CheckFailed, match="one base image"):
        dockerfile_base(dockerfile)


def test_the_mirror_comes_from_an_enabled_deb822_bookworm_stanza(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n"
        "URIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\n"
        "Components: main\n"
        "\n"
        "Types: deb-src\n"
        "URIs: http://sources.example/debian\n"
        "Suites: bookworm\n"
        "\n"
        "Types: deb\n"
        "Enabled: no\n"
        "URIs: http://disabled.example/debian\n"
        "Suites: bookworm\n"
        "\n"
        "Types: deb\n"
        "# a comment line\n"
        "URIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\n"
        "Components: main\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.example/debian"


def test_the_mirror_comes_from_a_one_line_entry(tmp_path):
    (tmp_path / "sources.list").write_text(
        "# deb http://commented.example/debian bookworm main\n"
        "deb http://security.example/debian-security bookworm-security main\n"
        "deb [signed-by=/usr/share/keyrings/d.gpg] http://mirror.example/debian bookworm main\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.example/debian"


def test_debians_own_address_when_apt_names_none(tmp_path):
    assert debian_mirror(tmp_path) == "http://deb.debian.org/debian"
