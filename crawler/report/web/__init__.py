"""The analyst's pages of `newsmon serve`: a Datasette plugin, registered in code.

Datasette opens on its table list; an analyst wants the events first, each with every
outlet that reported it, and the feeds' health one click away. This plugin adds those
pages with Datasette's own means: routes (`register_routes`; the landing page takes
over "/", whose JSON twin `/.json` stays Datasette's), templates from this package's
`templates/` and a stylesheet from `static/` (Datasette finds a plugin's folders by
itself), two links in Datasette's menu, and JSON columns shown as fields in Datasette's
own table and row pages (`render_cell`). Tables, canned queries and the JSON API are
unchanged, a click away under "Tables".

Pages read through Datasette's connections, which open the file `mode=ro` (the crawler
keeps writing, in WAL mode), each page in one read transaction under Datasette's SQL
time limit. The plugin does nothing in a Datasette not configured for it (`metadata`'s
"plugins" → "newsmon" names the database).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import sqlite_utils
from datasette import hookimpl
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from crawler import store
from crawler.clock import Clock
from crawler.report.serve import WEB_PLUGIN as PLUGIN
from crawler.report.web import pages
from crawler.report.web.fields import json_fields

EVENT_PATH = "/-/event/"
FEEDS_PATH = "/-/feeds"
MONITOR_MAX = 200  # a ?monitor= longer than any configured name is no monitor
# These pages show text that feeds control. It is escaped; should an escape ever be
# missed, no injected script runs (Datasette's one inline script, which closes open
# menus on an outside click, is the price: its menus still open and close), nothing
# loads from or posts to another site, and no other site can frame the page.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

T = TypeVar("T")


def install() -> None:
    """Register this module with Datasette's plugin manager (once per process)."""
    from datasette.plugins import pm  # importing it loads Datasette's own plugins

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name=PLUGIN)


def database_name(datasette: Any) -> str | None:
    """The served newsmon database, or None in a Datasette not configured for newsmon."""
    config = datasette.plugin_config(PLUGIN) or {}
    return config.get("database")


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Callable[..., Any]]]:
    if database_name(datasette) is None:
        return []
    return [
        (r"^/$", events_view),
        (rf"^{EVENT_PATH}(?P<event_id>[0-9]{{1,18}})$", event_view),
        (rf"^{FEEDS_PATH}$", feeds_view),
    ]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Back to the analyst's pages from any Datasette page."""
    if database_name(datasette) is None:
        return []
    return [
        {"href": datasette.urls.path("/"), "label": "Events"},
        {"href": datasette.urls.path(FEEDS_PATH), "label": "Feed health"},
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    if database_name(datasette) is None:
        return []
    return [datasette.urls.static_plugins(__name__, "newsmon.css")]


@hookimpl
def render_cell(value: Any, column: str, database: str, datasette: Any) -> Any:
    """Facts, fact sources and fact sentences as labelled fields, not JSON; everything
    in them escaped (they come from feeds)."""
    if database != database_name(datasette):
        return None
    fields = json_fields(column, value)
    if fields is None:
        return None
    if not fields:
        return Markup('<span class="newsmon-none">none</span>')
    items = "".join(
        f"<div><dt>{escape(field.label)}</dt> <dd>{escape(field.value)}</dd></div>"
        for field in fields
    )
    return Markup(f'<dl class="newsmon-fields newsmon-cell">{items}</dl>')


async def events_view(datasette: Any, request: Any) -> Response:
    """The landing page: the latest events, optionally of one monitor."""
    monitor = (request.args.get("monitor") or "").strip()[:MONITOR_MAX] or None
    now = Clock.from_option(None).now()
    page = await read(datasette, lambda db: pages.latest_events(db, now=now, monitor=monitor))
    return await render(datasette, request, "newsmon_events.html", page, nav="events")


async def event_view(datasette: Any, request: Any) -> Response:
    """One event: when, facts with every reported value, every source."""
    event_id = int(request.url_vars["event_id"])
    now = Clock.from_option(None).now()
    page = await read(datasette, lambda db: pages.event_page(db, event_id, now=now))
    if page["event"] is None:
        current = await read(datasette, lambda db: store.corrections.resolve(db, event_id))
        if current != event_id:  # merged into another, or rebuilt under another id
            return Response.redirect(f"{EVENT_PATH}{current}")
        raise NotFound(f"No event {event_id}")
    return await render(datasette, request, "newsmon_event.html", page, nav="event")


async def feeds_view(datasette: Any, request: Any) -> Response:
    """Feed health, failing feeds first."""
    now = Clock.from_option(None).now()
    page = await read(datasette, lambda db: pages.feed_health(db, now=now))
    return await render(datasette, request, "newsmon_feeds.html", page, nav="feeds")


async def read(datasette: Any, fn: Callable[[sqlite_utils.Database], T]) -> T:
    """Run `fn` on Datasette's read-only connection, in one read transaction (an event
    and its sources from the same commit), under Datasette's SQL time limit."""
    name = database_name(datasette)
    limit_ms = datasette.setting("sql_time_limit_ms")

    def in_thread(conn: Any) -> T:
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        with store.db.snapshot(db), sqlite_timelimit(conn, limit_ms):
            return fn(db)

    return await datasette.get_database(name).execute_fn(in_thread)


async def render(
    datasette: Any, request: Any, template: str, page: dict[str, Any], *, nav: str
) -> Response:
    context = {
        **page,
        "db_name": database_name(datasette),
        "nav": nav,
        "event_path": EVENT_PATH,
        "feeds_path": FEEDS_PATH,
    }
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, headers=SECURITY_HEADERS)
