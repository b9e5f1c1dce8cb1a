"""Event detectors: what newsmon watches for, built from config.yaml `monitors:` blocks.

A monitor's `type` is the name of a module in this package (`missile_launch`,
`keywords`) or the dotted path of any importable module (`mypkg.floods`); either way
the module's `from_config(config)` builds it. So adding a detector means adding a
module, never editing a registry: a module of this package is a monitor when it has
`from_config`; helpers have none, and shared machinery lives in subpackages
(`monitors.language`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from monitors.base import Monitor, MonitorConfig

__all__ = ["available", "build"]

_NAME = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


def available() -> list[str]:
    """The monitor types that ship with newsmon: every module of this package (not a
    subpackage) with a `from_config`."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.ispkg and callable(getattr(_module(m.name), "from_config", None))
    )


def _module(name: str) -> object:
    return importlib.import_module(f"{__name__}.{name}")


def build(config: MonitorConfig) -> Monitor:
    """The monitor a config block describes; ValueError for an unknown type or bad options."""
    kind = config.type
    if not _NAME.match(kind):
        raise ValueError(_unknown(kind, "not a module name"))
    module_name = kind if "." in kind else f"{__name__}.{kind}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(_unknown(kind, f"cannot import: {exc}")) from None
    factory = getattr(module, "from_config", None)
    if not callable(factory):
        raise ValueError(_unknown(kind, f"{module_name} has no from_config"))
    monitor: Monitor = factory(config)
    return monitor


def _unknown(kind: str, reason: str) -> str:
    return (
        f"unknown monitor type {kind!r} ({reason}; built in: {', '.join(available())}; "
        "or the dotted path of a module with from_config)"
    )
