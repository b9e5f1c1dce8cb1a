"""`newsmon serve`: browse the database in Datasette, events first, with canned queries.

The analyst's pages (latest events, one event with every source, feed health) are a
Datasette plugin in `report/web/`, registered here; Datasette's tables stay a click
away. Datasette is an optional extra (`pip install -e '.[web]'` in a clone), so it is only
imported when the command runs. The crawler keeps writing to the database
while it is served, so the file is opened as a mutable database (Datasette
reads it through `mode=ro` connections and reloads its schema as it changes);
`immutable` would let Datasette cache counts and schema that the next poll
makes stale. Every canned query is a plain SELECT; only the event page's correction
buttons write, and only when `web.corrections` (or `--corrections`) turns them on.
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crawler import store
from crawler.config import Config
from crawler.errors import EXIT_CONFIG, NewsmonError
from crawler.report.asked import Corrector
from crawler.store import canned

TITLE = "newsmon"
DESCRIPTION = (
    "News monitoring: outlets and their feeds, the articles fetched from them, stories of "
    "copies and rewrites, and the events monitors found in them."
)
WEB_PLUGIN = "newsmon"  # the analyst's pages (report/web/) read their settings under this
FACET_TIME_LIMIT_MS = 500  # facet counts are a nicety: never worth more than this
MAX_RETURNED_ROWS = 1000
LOG_LEVEL = "info"
FTS_TABLE = "articles_fts"
FTS5_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")
INTERNAL_TABLES = (
    "minhash_bands",
    "title_terms",
    "term_df",
    "article_features",
    "story_terms",
    "counters",
    "_sqlite_migrations",
)
TABLE_DESCRIPTIONS = {
    "outlets": "One row per outlet name from config.yaml.",
    "feeds": (
        "Each feed or sitemap: URL as configured and as it lives now, validators, last status "
        "and error, consecutive errors, last poll and success, next due."
    ),
    "entries": (
        "Every item a feed announced, its feed-side text and state (pending, done, failed)."
    ),
    "articles": (
        "Fetched articles: canonical URL, outlet, title, author, published time (own offset "
        "and UTC), language, extracted text, word count."
    ),
    FTS_TABLE: "Full-text index (FTS5, porter) on article title and text.",
    "article_urls": "Every URL known to lead to an article, so no variant is fetched twice.",
    "article_html": "Gzip-compressed page HTML, kept when keep_html is on.",
    "fetches": "Every HTTP fetch: URL, kind, status, bytes, duration, error, time.",
    "robots": "Each host's robots.txt, cached for 24 hours.",
    "runs": "Each `newsmon run`: start, end and counts.",
    "stories": "Stories: an original article and its copies and rewrites, with time bounds.",
    "article_links": "Which article is an exact or near copy of which (original_id).",
    "events": (
        "Events found by monitors: title, UTC time interval and precision, facts (JSON) with "
        "their sources, article and outlet counts."
    ),
    "event_articles": (
        "Per member article of an event: what its monitor read (time, phrase, facts, evidence)."
    ),
    "readers": "Digest readers and the last event change each was shown.",
    "daemon": "The daemon's pid, start, heartbeat and stop time (one row per database).",
}
SORT_DESC = {
    "articles": "fetched_at",
    "fetches": "fetched_at",
    "events": "last_updated",
    "runs": "started",
}

CANNED_QUERIES = {
    "latest_events": {
        "title": "Latest events",
        "description": "Events by latest activity, newest first; open one in event_sources.",
        "sql": canned.LATEST_EVENTS,
    },
    "event_sources": {
        "title": "Sources of an event",
        "description": "Every article of one event (id from latest_events), earliest first.",
        "sql": canned.EVENT_SOURCES,
        "params": ["id"],
    },
    "feed_health": {
        "title": "Feed health",
        "description": "Every feed's polling state and the articles it brought in the last day.",
        "sql": canned.FEED_HEALTH,
    },
    "failing_feeds": {
        "title": "Failing feeds",
        "description": "Configured feeds whose last three or more polls failed.",
        "sql": canned.FAILING_FEEDS,
    },
}


class ServeError(NewsmonError, RuntimeError):
    """The database cannot be served: Datasette is not installed, or there is no database yet."""


class ServeNeedsSQLite(ServeError):
    """`database:` is PostgreSQL, and Datasette reads SQLite files only."""

    exit_code = EXIT_CONFIG  # a setting to change, not a fault


def refuse_postgres(cfg: Config) -> None:
    if isinstance(cfg.database, str):
        raise ServeNeedsSQLite(
            f"newsmon serve needs an SQLite database (Datasette reads SQLite only), and "
            f"{cfg.database} is PostgreSQL: copy it to a file with `newsmon db copy "
            f"{cfg.database} archive.db` and serve that (NEWSMON_DATABASE=archive.db)"
        )


def settings(cfg: Config) -> dict[str, Any]:
    """Datasette's settings from config.yaml's `web:`: a time limit on every query, and
    visitors' own SQL (the SQL box, `?sql=`, `?_where=`) refused unless `allow_sql`."""
    limit = cfg.web.sql_time_limit_ms
    return {
        "sql_time_limit_ms": limit,
        "facet_time_limit_ms": min(FACET_TIME_LIMIT_MS, limit),
        "max_returned_rows": MAX_RETURNED_ROWS,
        "default_allow_sql": cfg.web.allow_sql,
        "allow_download": False,  # the whole file is `newsmon`'s to copy, not a visitor's
    }


def metadata(cfg: Config) -> dict[str, Any]:
    """Datasette metadata: descriptions, hidden internals and the canned queries."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "databases": {
            database_name(cfg): {
                "description": f"The newsmon database configured in {cfg.path.name}.",
                "tables": table_metadata(),
                "queries": CANNED_QUERIES,
            }
        },
        "plugins": {WEB_PLUGIN: plugin_config(cfg)},
    }


def plugin_config(cfg: Config) -> dict[str, Any]:
    """What the analyst's pages read from Datasette: the database, and whether (and how)
    the event page offers corrections."""
    return {
        "database": database_name(cfg),
        "corrections": cfg.web.corrections,
        "user_header": cfg.web.user_header,
    }


def database_name(cfg: Config) -> str:
    """Datasette names a database after its file stem; metadata must use the same key."""
    return cfg.database.stem


def table_metadata() -> dict[str, dict[str, Any]]:
    """Describe the tables a reader browses; hide the similarity index and bookkeeping."""
    tables: dict[str, dict[str, Any]] = {
        name: {"description": text} for name, text in TABLE_DESCRIPTIONS.items()
    }
    for name, column in SORT_DESC.items():
        tables[name]["sort_desc"] = column
    for name in hidden_tables():
        tables[name] = {"hidden": True}
    return tables


def hidden_tables() -> list[str]:
    """Internal tables, and the FTS shadow tables (some may not exist: hiding those is a no-op)."""
    shadows = [f"{FTS_TABLE}_{suffix}" for suffix in FTS5_SHADOW_SUFFIXES]
    return [*INTERNAL_TABLES, *shadows]


def install_hint(project: Path | None = None) -> str:
    """How to add the web extra to the Python running newsmon: from a clone (the project's
    pyproject.toml beside the package), an editable install of its `web` extra; else
    the extra from PyPI. Spelt with that Python's own path: no venv needs activating."""
    root = project or Path(__file__).resolve().parents[2]
    python = shlex.quote(sys.executable)
    if (root / "pyproject.toml").is_file():
        command = f"cd {shlex.quote(str(root))} && {python} -m pip install -e '.[web]'"
    else:
        command = f"{python} -m pip install 'newsmon[web]'"
    return f"newsmon serve needs the web extra (Datasette): {command}"


def run(
    cfg: Config,
    *,
    host: str,
    port: int,
    zone_name: str | None = None,
    corrections: bool = False,
    corrector: Corrector | None = None,
) -> None:
    """Serve the database until interrupted (Ctrl-C or SIGTERM end it cleanly); times
    in `zone_name`, else `display.timezone`; correction buttons with `corrections` (or
    `web.corrections`), made by `corrector` (the CLI's own path, handed in by it)."""
    if corrections:
        cfg = replace(cfg, web=replace(cfg.web, corrections=True))
    app = datasette_app(cfg, zone_name or cfg.display.timezone, corrector)
    sock = listen(host, port)
    click.echo(f"Serving {cfg.database} on {url(host, port)} (Ctrl-C to stop)", err=True)
    if cfg.web.corrections and corrector is not None:
        click.echo("Corrections are on: whoever reaches this address can correct events", err=True)
    serve_forever(app, sock)


def datasette_app(cfg: Config, zone_name: str = "UTC", corrector: Corrector | None = None) -> Any:
    """The Datasette ASGI app on the database, refusing before anything listens;
    with `corrector`, the event pages can correct (when `web.corrections` is on)."""
    refuse_postgres(cfg)
    try:
        from datasette.app import Datasette

        from crawler.report import web
    except ImportError:
        raise ServeError(install_hint()) from None
    store.db.require(cfg.database, cfg.path)  # exit 5, as every reading command
    web.install(
        database_name(cfg), cfg, zone_name, corrector
    )  # before Datasette looks for templates
    datasette = Datasette(
        files=[str(cfg.database)], metadata=metadata(cfg), settings=settings(cfg), cors=False
    )
    return datasette.app()


def listen(host: str, port: int) -> socket.socket:
    """Bind here rather than in uvicorn, so a busy port is a one-line error, not a log dump."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve_forever(app: Any, sock: socket.socket) -> None:
    """Run uvicorn on the bound socket until SIGINT or SIGTERM.

    Uvicorn shuts down cleanly, then re-raises the signal it caught: for Ctrl-C that
    is a KeyboardInterrupt, which is how a user stops a server, not a failure.
    """
    import uvicorn

    config = uvicorn.Config(app, log_level=LOG_LEVEL, lifespan="on", workers=1)
    with sock, contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
