"""The analyst's pages of `newsmon serve`: a Datasette plugin, registered in code.

Datasette opens on its table list; an analyst wants the events first, each with every
outlet that reported it, and the feeds' health one click away. This plugin adds those
pages with Datasette's own means: routes (`register_routes`; the landing page takes
over "/", whose JSON twin `/.json` stays Datasette's), templates from this package's
`templates/` and a stylesheet from `static/` (Datasette finds a plugin's folders by
itself), links in Datasette's menu, JSON columns shown as fields in Datasette's own
table and row pages (`render_cell`), and the security headers on every answer
(`asgi_wrapper`). Tables, canned queries and the JSON API are a click away under
"Tables".

    pages     events and feed health; activity: the charts' page; stored: one article
    correcting  the event page's correction buttons, when `web.corrections` is on
    reader    the pages' own read-only connections, apart from visitors' queries
    filters   the events form, read and bounded; chart: SVG drawn on the server
    site      the served config.yaml and display zone, re-read when the file changes

Pages read on connections of their own (`reader`), which open the file `mode=ro` (the
crawler keeps writing, in WAL mode), each page in one read transaction under Datasette's
SQL time limit, and refuses a POST; a correction (`correcting`) writes on a short
connection of its own. The plugin does nothing in a Datasette not configured for it
(`metadata`'s "plugins" → "newsmon" names the database and whether corrections are
on). A page's template extends `newsmon_base.html`; an event's own buttons belong in
the `newsmon_event_actions` block of `newsmon_event.html` and `newsmon_events.html`
(the event page's holds the correction forms, `newsmon_correct.html`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import sqlite_utils
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from crawler import store
from crawler.clock import Clock
from crawler.config import Config
from crawler.report.asked import MAX_NOTE, Corrector
from crawler.report.serve import WEB_PLUGIN as PLUGIN
from crawler.report.web import activity, correcting, filters, pages, reader, site, stored
from crawler.report.web.fields import json_fields
from crawler.report.wording import zone_label

EVENT_PATH = "/-/event/"
ARTICLE_PATH = "/-/article/"
ACTIVITY_PATH = "/-/activity"
FEEDS_PATH = "/-/feeds"
# These pages show text that feeds control. It is escaped; should an escape ever be
# missed, no injected script runs (Datasette's one inline script, which closes open
# menus on an outside click, is the price: its menus still open and close), nothing
# loads from or posts to another site, and no other site can frame the page. Every
# answer of `newsmon serve` carries them, Datasette's own pages and JSON included
# (`asgi_wrapper`).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_HEADER_PAIRS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_HEADER_NAMES = {name for name, _ in _HEADER_PAIRS}

T = TypeVar("T")


def install(name: str, cfg: Config, zone_name: str, corrector: Corrector | None = None) -> None:
    """Register this module with Datasette's plugin manager (once per process), serving
    database `name` with `cfg`, times shown in `zone_name`, corrections (when
    `web.corrections` turns them on) made by `corrector`."""
    from datasette.plugins import pm  # importing it loads Datasette's own plugins

    site.register(name, cfg, zone_name, corrector)
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
    routes = [
        (r"^/$", reading(events_view)),
        (rf"^{EVENT_PATH}(?P<event_id>[0-9]{{1,18}})$", reading(event_view)),
        (rf"^{ARTICLE_PATH}(?P<article_id>[0-9]{{1,18}})$", reading(article_view)),
        (rf"^{ACTIVITY_PATH}$", reading(activity_view)),
        (rf"^{FEEDS_PATH}$", reading(feeds_view)),
    ]
    if corrections_on(datasette):
        action = correcting.ACTION_PATTERN
        path = rf"^{EVENT_PATH}(?P<event_id>[0-9]{{1,18}})/(?P<action>{action})$"
        routes.append((path, correct_view))
    return routes


def reading(view: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A page that only reads: a POST (or any method but GET and HEAD) is refused."""

    async def only_reading(datasette: Any, request: Any) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response.text(
                "This page only reads\n", status=405, headers={"Allow": "GET, HEAD"}
            )
        return await view(datasette, request)

    return only_reading


def corrections_on(datasette: Any) -> bool:
    """`web.corrections` (or `serve --corrections`): the event page's buttons."""
    name = database_name(datasette)
    here = site.current(name) if name else None
    return correcting.enabled(datasette.plugin_config(PLUGIN) or {}, here)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """The security headers on every answer, Datasette's table, row and query pages
    and its JSON included, not only on newsmon's pages."""

    def wrap(app: Any) -> Any:
        async def with_headers(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return

            async def send_with_headers(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    kept = [
                        (k, v)
                        for k, v in message.get("headers") or []
                        if k.lower() not in _HEADER_NAMES
                    ]
                    message = {**message, "headers": [*kept, *_HEADER_PAIRS]}
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Back to the analyst's pages from any Datasette page."""
    if database_name(datasette) is None:
        return []
    return [
        {"href": datasette.urls.path("/"), "label": "Events"},
        {"href": datasette.urls.path(ACTIVITY_PATH), "label": "Activity"},
        {"href": datasette.urls.path(FEEDS_PATH), "label": "Feed health"},
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    if database_name(datasette) is None:
        return []
    return [datasette.urls.static_plugins(__name__, "newsmon.css")]


@hookimpl
def extra_js_urls(datasette: Any) -> list[str]:
    """What Datasette's blocked inline script would have set (`static/newsmon.js`)."""
    if database_name(datasette) is None:
        return []
    return [datasette.urls.static_plugins(__name__, "newsmon.js")]


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


def served(datasette: Any) -> site.Site:
    """The served config and zone (registered by `newsmon serve` before it starts)."""
    found = site.current(database_name(datasette) or "")
    if found is None:
        raise NotFound("newsmon is not configured for this database")
    return found


async def events_view(datasette: Any, request: Any) -> Response:
    """The landing page: events, narrowed by monitor, outlet, dates and words, a page
    at a time, with a chart of them per day."""
    here = served(datasette)
    now = Clock.from_option(None).now()
    wanted = filters.read(request.args)
    configured = pages.configured_urls(here.config)
    page = await read(
        datasette,
        lambda db: pages.latest_events(
            db, now=now, tz=here.zone, filters=wanted, configured=configured
        ),
    )
    return await render(datasette, request, "newsmon_events.html", page, nav="events")


async def event_view(datasette: Any, request: Any) -> Response:
    """One event: when, facts with every reported value, every source."""
    here = served(datasette)
    event_id = int(request.url_vars["event_id"])
    now = Clock.from_option(None).now()
    configured = pages.configured_urls(here.config)
    page = await read(
        datasette,
        lambda db: pages.event_page(db, event_id, now=now, tz=here.zone, configured=configured),
    )
    if page["event"] is None:
        current = await read(datasette, lambda db: store.corrections.resolve(db, event_id))
        if current != event_id:  # merged into another, or rebuilt under another id
            return Response.redirect(f"{EVENT_PATH}{current}")
        raise NotFound(f"No event {event_id}")
    return await render(datasette, request, "newsmon_event.html", page, nav="event")


async def article_view(datasette: Any, request: Any) -> Response:
    """One stored article: where it came from, its events, and the text newsmon read."""
    here = served(datasette)
    article_id = int(request.url_vars["article_id"])
    configured = pages.configured_urls(here.config)
    page = await read(
        datasette,
        lambda db: stored.article_page(db, article_id, tz=here.zone, configured=configured),
    )
    if page["article"] is None:
        raise NotFound(f"No article {article_id}")
    return await render(datasette, request, "newsmon_article.html", page, nav="article")


async def activity_view(datasette: Any, request: Any) -> Response:
    """Events and reports per day, and each outlet's articles per day."""
    here = served(datasette)
    now = Clock.from_option(None).now()
    wanted = filters.read(request.args)
    configured = pages.configured_urls(here.config)
    page = await read(
        datasette,
        lambda db: activity.activity_page(
            db, now=now, tz=here.zone, filters=wanted, configured=configured
        ),
    )
    return await render(datasette, request, "newsmon_activity.html", page, nav="activity")


async def feeds_view(datasette: Any, request: Any) -> Response:
    """Feed health, failing feeds first, judged against config.yaml as it is now."""
    here = served(datasette)
    now = Clock.from_option(None).now()
    page = await read(
        datasette, lambda db: pages.feed_health(db, now=now, tz=here.zone, cfg=here.config)
    )
    return await render(datasette, request, "newsmon_feeds.html", page, nav="feeds")


async def correct_view(datasette: Any, request: Any) -> Response:
    """A correction from the event page's buttons (`correcting`)."""
    path = datasette.get_database(database_name(datasette)).path
    return await correcting.correct_event(datasette, request, served(datasette), path, EVENT_PATH)


async def read(datasette: Any, fn: Callable[[sqlite_utils.Database], T]) -> T:
    """Run `fn` on newsmon's own read-only connection (`reader`), under Datasette's SQL
    time limit."""
    path = datasette.get_database(database_name(datasette)).path
    return await reader.read(path, fn, datasette.setting("sql_time_limit_ms"))


async def render(
    datasette: Any, request: Any, template: str, page: dict[str, Any], *, nav: str
) -> Response:
    here = served(datasette)
    now = Clock.from_option(None).now()
    context = {
        **page,
        "db_name": database_name(datasette),
        "nav": nav,
        "event_path": EVENT_PATH,
        "article_path": ARTICLE_PATH,
        "activity_path": ACTIVITY_PATH,
        "feeds_path": FEEDS_PATH,
        "zone_name": here.zone_name,
        "zone_label": zone_label(now.astimezone(here.zone)),
        "corrections": corrections_on(datasette),
        "by_field": not (datasette.plugin_config(PLUGIN) or {}).get("user_header"),
        "note_max": MAX_NOTE,
    }
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html)  # the security headers: `asgi_wrapper`
