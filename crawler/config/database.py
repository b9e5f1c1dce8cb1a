"""`database:`: an SQLite file (a path, relative to the config) or a PostgreSQL URL.

`NEWSMON_DATABASE` in the environment wins over the file, so one config can be run
against a copy (`newsmon db copy`) without editing it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.store.backend import DatabaseURL

ENV_VAR = "NEWSMON_DATABASE"
MAX_PATH_PART = 255  # bytes in one component of the database path (NAME_MAX)


def database_setting(reader: Any, top: dict[str, Any]) -> Path | DatabaseURL:
    """The database `top` (the config's top-level mapping) names, or the environment."""
    from crawler.store.backend import location  # the store imports the config

    written = os.environ.get(ENV_VAR) or (
        reader.string(top["database"], "database") if "database" in top else "newsmon.db"
    )
    url = location(written)
    if url is not None:
        return url
    database = Path(written)
    for part in database.parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_PATH_PART:
            raise reader.fail(
                top.get("database"), "database", f"a path part over {MAX_PATH_PART} bytes"
            )
    return database if database.is_absolute() else reader.path.parent / database
