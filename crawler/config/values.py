"""Reading single values of config.yaml: each names its file, line and key when wrong.

`ValueReader` walks the YAML node tree so every error can name its line and key path
(`outlets[2].interval`); durations, sizes, URLs, booleans and `${ENV}` references are
read and checked here, before any network I/O.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.clock import ClockError, format_span, is_bare_number, parse_duration
from crawler.config.model import ConfigError
from crawler.untrusted import MAX_URL

_SIZE = re.compile(
    r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE | re.ASCII
)
_SIZE_UNITS = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 10**6,
    "mib": 2**20,
    "gb": 10**9,
    "gib": 2**30,
}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_VALUE = 4096  # characters in one value, also after ${VAR} expansion
APPRISE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


class ValueReader:
    """Reads typed values from YAML nodes; every mistake is one ConfigError."""

    def __init__(self, path: Path):
        self.path = path
        self._constructor = yaml.SafeLoader("")  # one for the whole file, not one per value

    def fail(self, node: yaml.Node | None, key: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        prefix = f"{key}: " if key else ""
        return ConfigError(f"{self.path}{line}: {prefix}{message}")

    def mapping(self, node: yaml.Node, key: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "expected a mapping of keys to values")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(key_node, path, f"unknown key (expected one of: {hint})")
            if name in result:
                raise self.fail(key_node, path, "duplicate key")
            result[name] = value_node
        return result

    def sequence(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.value and node.tag.endswith(":str"):
            return [node]  # a single URL written without brackets
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "expected a single value")
        return self._constructor.construct_object(node)

    def string(self, node: yaml.Node, key: str) -> str:
        value = self.scalar(node, key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, key, "expected a non-empty string")
        return self.expand_env(node, key, value.strip())

    def expand_env(self, node: yaml.Node, key: str, value: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise self.fail(node, key, f"environment variable {name} is not set")
            return os.environ[name]

        expanded = _ENV_REF.sub(substitute, value)
        if len(expanded) > MAX_VALUE:
            raise self.fail(
                node, key, f"{len(expanded):,} characters after ${{...}} (at most {MAX_VALUE:,})"
            )
        return expanded

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.scalar(node, key)
        if not isinstance(value, bool):
            raise self.fail(node, key, f"expected true or false, got {node.value!r}")
        return value

    def integer(self, node: yaml.Node, key: str, minimum: int) -> int:
        value = self.scalar(node, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(node, key, f"expected a whole number >= {minimum}, got {node.value!r}")
        return value

    def duration(self, node: yaml.Node, key: str, minimum: timedelta) -> timedelta:
        text = str(self.scalar(node, key))
        if is_bare_number(text):
            number = text.strip()
            raise self.fail(
                node, key, f"{number!r} has no unit: write {number}m for minutes or {number}s"
            )
        try:
            value = parse_duration(text, unit_required=True)
        except ClockError as exc:
            raise self.fail(node, key, str(exc)) from None
        if value is None:
            raise self.fail(node, key, f"{node.value!r} is not a duration (e.g. 30s, 15m, 2h, 1d)")
        if value < minimum:
            raise self.fail(
                node, key, f"{node.value!r} is shorter than the minimum {format_span(minimum)}"
            )
        return value

    def size(self, node: yaml.Node, key: str) -> int:
        match = _SIZE.match(str(self.scalar(node, key)))
        if not match:
            raise self.fail(node, key, f"{node.value!r} is not a size (e.g. 500KB, 10MB)")
        unit = (match.group(2) or "b").lower()
        value = int(float(match.group(1)) * _SIZE_UNITS[unit])
        if value < 1024:
            raise self.fail(node, key, f"{node.value!r} is below the minimum of 1KiB")
        return value

    def url(self, node: yaml.Node, key: str) -> str:
        value = self.string(node, key)
        problem = url_problem(value)
        if problem is not None:
            raise self.fail(node, key, problem)
        return value

    def fraction(self, node: yaml.Node, key: str) -> float:
        value = self.scalar(node, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.fail(
                node, key, f"expected a number above 0 and at most 1, got {node.value!r}"
            )
        return float(value)

    def names(self, node: yaml.Node | None, key: str) -> tuple[str, ...]:
        """A list of short strings, duplicates dropped, order kept."""
        if node is None:
            return ()
        values = [
            self.string(item, f"{key}[{i}]") for i, item in enumerate(self.sequence(node, key))
        ]
        return tuple(dict.fromkeys(values))


def url_problem(value: str) -> str | None:
    """Why `value` cannot be polled (None when it can): not http(s), no host, or longer
    than Scrapy requests (it would drop the request without a word)."""
    if len(value) > MAX_URL:
        return f"the URL is {len(value):,} characters long (at most {MAX_URL:,})"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        return f"{value!r} is not a URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"{value!r} is not an http or https URL"
    if not host:
        return f"{value!r} has no host"
    return None
