"""What the package says about itself: one version, a licence, typed packages, pinned tools."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import crawler
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PINNED = ("pytest", "pytest-timeout", "pytest-cov", "pytest-xdist", "ruff", "hypothesis")


def test_the_version_is_written_once_in_the_package() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "crawler.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", crawler.__version__)
    assert importlib.metadata.version("newsmon") == crawler.__version__


def test_the_licence_is_mit_and_shipped() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "the newsmon authors" in text
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert "LICENSE" in (importlib.metadata.metadata("newsmon").get_all("License-File") or [])


def test_the_project_names_where_to_read_and_report() -> None:
    urls = PYPROJECT["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())
    assert "Typing :: Typed" in PYPROJECT["project"]["classifiers"]


@pytest.mark.parametrize("package", ["crawler", "monitors"])
def test_both_packages_are_marked_typed(package: str) -> None:
    assert (ROOT / package / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"][package]


def test_the_development_tools_are_pinned_exactly() -> None:
    dev = {
        re.split(r"[=<>!~\[ ]", spec, maxsplit=1)[0].lower(): spec
        for spec in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }
    for tool in PINNED:
        assert re.fullmatch(rf"{tool}==[\w.]+", dev[tool]), dev[tool]
        assert importlib.metadata.version(tool) == dev[tool].split("==")[1]


@pytest.mark.system
def test_the_wheel_carries_the_licence_and_the_type_markers(tmp_path: Path) -> None:
    """Built the way pip builds it (an isolated build with the declared setuptools)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("newsmon-*.whl")
    assert wheel.name.startswith(f"newsmon-{crawler.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"crawler/py.typed", "monitors/py.typed"} <= set(names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_ci_runs_the_readmes_test_command_with_a_coverage_floor() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [command] = [line for line in readme.splitlines() if "install -q -e '.[dev]'" in line]
    assert command.endswith(".venv/bin/python -m pytest -q --cov")
    assert "\n.venv/bin/python -m pytest -q --cov " in ci
    floor = PYPROJECT["tool"]["coverage"]["report"]["fail_under"]
    assert 50 <= floor < 100
    assert PYPROJECT["tool"]["coverage"]["run"]["source"] == ["crawler", "monitors"]
