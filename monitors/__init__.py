"""Event detectors: what newsmon watches for, built from config.yaml `monitors:` blocks.

A monitor's `type` is the name of a module in this package (`missile_launch`,
`keywords`) or the dotted path of any importable module (`mypkg.floods`); either way
the module's `from_config(config)` builds it. So adding a detector means adding a
module, never editing a registry.
"""

from __future__ import annotations

import importlib
import re

from crawler.config import MonitorConfig
from monitors.base import Monitor

__all__ = ["build"]

BUILTIN = ("missile_launch", "keywords")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")


def build(config: MonitorConfig) -> Monitor:
    """The monitor a config block describes; ValueError for an unknown type or bad options."""
    kind = config.type
    if kind in BUILTIN:
        module_name = f"{__name__}.{kind}"
    elif _DOTTED.match(kind):
        module_name = kind
    else:
        raise ValueError(
            f"unknown monitor type {kind!r} (built in: {', '.join(BUILTIN)}; "
            "or a dotted module path with from_config)"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"unknown monitor type {kind!r} (cannot import: {exc})") from None
    factory = getattr(module, "from_config", None)
    if not callable(factory):
        raise ValueError(f"unknown monitor type {kind!r} ({module_name} has no from_config)")
    return factory(config)
