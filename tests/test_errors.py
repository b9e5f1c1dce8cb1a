"""The error tree: every error newsmon raises has one base carrying its exit code, the CLI
reports each once with that code, and docs/errors.md tells the user what each means."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sqlite3

import click
import pytest
from click.testing import CliRunner

import crawler
import monitors
from crawler import errors
from crawler.cli.common import INTERRUPTED, NewsmonGroup
from crawler.config import ConfigError
from crawler.errors import NewsmonError
from crawler.fetch.reactor import Interrupted
from crawler.lock import LockBusy
from crawler.store.db import MissingDatabase, NewerDatabase, StoreError
from monitors.base import MonitorError
from monitors.lexicon import LexiconError
from tests.conftest import ROOT

# The CLI's own translation of an error into click's, not an error of the library.
NOT_LIBRARY_ERRORS = {"crawler.cli.common.Failed"}


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined at the top of a module of crawler/ and monitors/."""
    found = {}
    for package in (crawler, monitors):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):  # runs the command when imported
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == module.__name__
                ):
                    found[f"{module.__name__}.{name}"] = value
    return found


CLASSES = _exception_classes()


def test_the_scan_finds_the_errors_it_is_about() -> None:
    """A scan that found nothing would pass every test below."""
    assert len(CLASSES) >= 20
    assert {"crawler.store.db.StoreError", "monitors.lexicon.LexiconError"} <= set(CLASSES)


@pytest.mark.parametrize("name", sorted(set(CLASSES) - NOT_LIBRARY_ERRORS))
def test_every_error_derives_from_its_packages_base(name: str) -> None:
    base = MonitorError if name.startswith("monitors.") else NewsmonError
    assert issubclass(CLASSES[name], base), f"{name} does not derive from {base.__name__}"
    assert isinstance(CLASSES[name].exit_code, int)


def test_errors_keep_the_builtin_bases_callers_catch() -> None:
    assert issubclass(ConfigError, ValueError) and issubclass(StoreError, RuntimeError)
    assert issubclass(LexiconError, ValueError)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (StoreError("newsmon.db: cannot open database: disk I/O error"), 1),
        (ConfigError("config.yaml: outlets[0].url: not an http(s) URL"), 2),
        (LexiconError("ko.yaml: verbs: not a list"), 2),
        (LockBusy("newsmon.db: another newsmon is polling it"), 3),
        (NewerDatabase("newsmon.db: written by a newer newsmon"), 4),
        (MissingDatabase("newsmon.db: no such database"), 5),
    ],
)
def test_the_cli_reports_an_error_once_with_its_exit_code(error: Exception, code: int) -> None:
    result = _invoke(error)
    assert result.exit_code == code
    assert result.output == f"Error: {error}\n"


def test_a_database_drivers_error_is_reported_as_the_database_failing() -> None:
    result = _invoke(sqlite3.OperationalError("attempt to write a readonly database"))
    assert result.exit_code == 1
    assert result.output == "Error: database error: attempt to write a readonly database\n"


def test_an_interrupted_command_says_what_was_kept() -> None:
    result = _invoke(Interrupted("SIGTERM"))
    assert result.exit_code == errors.EXIT_INTERRUPTED
    assert result.output == INTERRUPTED + "\n"


def test_a_bug_is_not_dressed_up_as_an_error() -> None:
    result = _invoke(KeyError("feeds"))
    assert isinstance(result.exception, KeyError)


def _invoke(error: BaseException):
    @click.group(cls=NewsmonGroup)
    def group() -> None:
        pass

    @group.command()
    def fail(**_: object) -> None:
        raise error

    return CliRunner().invoke(group, ["fail"])


def test_docs_list_every_exit_code_and_every_error() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `?(\d+)`? \|(.+)$", text, re.MULTILINE))
    codes = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert {int(code) for code in rows} == {0, *codes}
    for name, cls in CLASSES.items():
        if name in NOT_LIBRARY_ERRORS:
            continue
        short = cls.__name__
        documented = [code for code, row in rows.items() if f"`{short}`" in row]
        assert documented == [str(cls.exit_code)], f"{short}: docs/errors.md says {documented}"
