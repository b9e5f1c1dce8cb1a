"""Finding, reading and checking config.yaml as a whole, before any network I/O.

The file's size, YAML syntax, nesting depth and alias expansion are checked before
anything is built from it (a 596-byte alias bomb once cost minutes and 5 GB); then
`ConfigReader` builds the typed config.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from crawler.config.model import Config, ConfigError
from crawler.config.sections import ConfigReader
from crawler.config.values import MAX_VALUE

ENV_VAR = "NEWSMON_CONFIG"


DEFAULT_PATH = "config.yaml"


# Bounds checked before any value is built: a 596-byte YAML alias bomb in a monitor's
# `zone:` once cost minutes and gigabytes before a MemoryError.
MAX_CONFIG_BYTES = 16 * 2**20


MAX_ALIAS_EXPANSION = 10_000  # values that aliases may add to the document


MAX_NESTING = 100


def resolve_path(option: str | None) -> Path:
    """`--config`, else NEWSMON_CONFIG, else ./config.yaml."""
    return Path(option or os.environ.get(ENV_VAR) or DEFAULT_PATH)


def load(path: Path, *, check_targets: bool = True, require_outlets: bool = True) -> Config:
    """Read and check config.yaml, with the outlets of its `outlets_file`;
    `check_targets`: see `ConfigReader`; `require_outlets=False` accepts a config with no
    outlets yet (what `opml import` and `add` start from)."""
    return parse(read(path), path, check_targets=check_targets, require_outlets=require_outlets)


def read(path: Path, *, missing_ok: bool = False) -> str:
    """A YAML file's text, refused when larger than MAX_CONFIG_BYTES; `missing_ok`: a
    missing file reads as empty (an `outlets_file` before the first import)."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 2**20} MiB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return ""
        raise ConfigError(
            f"{path}: no such configuration file (use --config PATH or {ENV_VAR})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


# libyaml when present: the pure-Python composer took half a second on 1,000 feeds
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(
    text: str,
    path: Path,
    *,
    check_targets: bool = True,
    require_outlets: bool = True,
    included_text: str | None = None,
) -> Config:
    """The config in `text`; `included_text` stands in for its outlets_file's content (a
    new outlets file is checked this way before it is written)."""
    node = compose(text, path)
    if node is None:
        raise ConfigError(f"{path}: the file is empty")
    reader = ConfigReader(path, check_targets=check_targets, require_outlets=require_outlets)
    included = reader.outlets_file(node)
    extra = None
    if included is not None:
        if included_text is None:
            included_text = read(included, missing_ok=True)
        extra = compose(included_text, included)
    return reader.config(node, extra)


def compose(text: str, path: Path) -> yaml.Node | None:
    """The YAML node tree of `text`, checked for size before anything is built from it."""
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested more than {MAX_NESTING} levels deep") from None
    if node is not None:
        check_size(node, path)
    return node


def check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document whose aliases expand too far, that nests too deep, or holds an
    oversized value, before anything is built from it.

    Each distinct node is visited once (its expanded size is remembered), so a
    billion-value alias bomb costs a few microseconds to find out.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    busy: set[int] = set()
    while stack:
        node, depth, finished = stack.pop()
        if finished:
            busy.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[id(node)] = min(total, 10 * MAX_ALIAS_EXPANSION)
            continue
        if id(node) in sizes:
            continue
        line = f"{path}:{node.start_mark.line + 1}"
        if id(node) in busy:
            raise ConfigError(f"{line}: an alias refers to the value that contains it")
        if depth > MAX_NESTING:
            raise ConfigError(f"{line}: nested more than {MAX_NESTING} levels deep")
        if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_VALUE:
            raise ConfigError(
                f"{line}: a value of {len(node.value):,} characters (at most {MAX_VALUE:,})"
            )
        busy.add(id(node))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))
    if sizes[id(root)] - len(sizes) > MAX_ALIAS_EXPANSION:
        raise ConfigError(
            f"{path}: YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} extra values"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
