"""The event page's correction buttons (`web.corrections: true`, or `newsmon serve
--corrections`): each form POSTs to `/-/event/ID/ACTION` and is made by the `Corrector`
`newsmon serve` registered (`crawler.correct.attempt`, the path of `newsmon event
dismiss|move|merge|split`), so a refusal reads as the CLI's.

Off (or with no corrector), the route does not exist and no page shows a button. On:

- CSRF: Datasette's asgi-csrf checks a form's `csrftoken` field against its cookie, but
  lets through a POST that carries no cookie at all, which is what a form posted from
  another site sends (the cookie is SameSite=Lax). A correction therefore also needs
  the signed cookie itself, and the field to match it.
- The write opens a read-write connection of its own for the one correction, on one
  thread (two corrections never contend), and closes it; the pages keep reading
  `mode=ro`.
- Every field is bounded: the body (MAX_BODY), ids (digits, within SQLite's integers),
  the note and the name (`crawler.correct.check`). A correction refused, for bad input,
  because it makes no sense or because the database cannot take it now (locked, a
  read-only file), is its one-line reason on the event page.
- The answer is a 303 to the event page, or to the event it became (merged, emptied),
  with what was done as a Datasette message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

import sqlite_utils
from datasette.utils.asgi import Response

from crawler import store
from crawler.clock import Clock
from crawler.errors import UsageError
from crawler.report.asked import MAX_IDS, Asked, Said
from crawler.report.serve import WEB_PLUGIN
from crawler.report.web.site import Site

LOGGER = logging.getLogger(__name__)
# The form's action → the correction's kind.
ACTIONS = {
    "dismiss": "dismiss",
    "dismiss-member": "dismiss_member",
    "move": "move",
    "merge": "merge",
    "split": "split",
}
ACTION_PATTERN = "|".join(ACTIONS)
FALLBACK_WHO = "web"  # no header configured and no name typed
MAX_BODY = 64 * 1024  # bytes: a form of a few ids and a note
MAX_FIELDS = MAX_IDS + 10
ID = re.compile(r"^[0-9]{1,19}$")
CSRF_FIELD = "csrftoken"  # Datasette's asgi-csrf form field
T = TypeVar("T")

_writer = ThreadPoolExecutor(1, thread_name_prefix="newsmon-correct")


class FormError(UsageError, ValueError):
    """A form no correction can come from: too large, or not a form."""


class FieldError(UsageError, ValueError):
    """A field of the form that is no id, or not one id."""


@dataclass(frozen=True)
class Outcome:
    """What the write did, and the event to show now (None: it is gone)."""

    said: Said
    landing: int | None


def enabled(plugin_config: dict[str, Any], here: Site | None) -> bool:
    """Corrections turned on, and a corrector to make them."""
    return (
        bool(plugin_config.get("corrections")) and here is not None and here.corrector is not None
    )


async def correct_event(
    datasette: Any, request: Any, here: Site, path: str, event_path: str
) -> Response:
    """Make the correction a form asked for on event `event_id`'s page, and send the
    browser back to an event page with what was done."""
    if request.method != "POST":
        return Response.text("A correction is a POST\n", status=405, headers={"Allow": "POST"})
    try:
        form = await read_form(request)
    except FormError as exc:
        return Response.text(f"{exc}\n", status=400)
    if not csrf_ok(request, form):
        return Response.text("Refused: the form's CSRF token is missing or wrong\n", status=403)
    event_id = int(request.url_vars["event_id"])
    by = who_of(request, form, (datasette.plugin_config(WEB_PLUGIN) or {}).get("user_header"))
    at = Clock.from_option(None).now()
    corrector = here.corrector
    assert corrector is not None  # the route exists only with one

    def in_db(db: sqlite_utils.Database) -> Outcome:
        try:
            asked = asked_of(request.url_vars["action"], event_id, form, by, at)
        except FieldError as exc:
            return Outcome(Said([f"Not corrected: {exc}"], True), event_id)
        return Outcome(corrector(db, here.config, asked, here.zone), landing(db, event_id))

    try:
        outcome = await write(path, in_db)
    except (store.db.StoreError, store.db.NewerDatabase, sqlite3.OperationalError) as exc:
        said = str(exc) if path in str(exc) else f"{path}: {exc}"
        LOGGER.warning("correction on event %d not made: %s", event_id, said)
        outcome = Outcome(Said([f"Not corrected: {said}"], True), event_id)
    kind = datasette.ERROR if outcome.said.refused else datasette.INFO
    for line in outcome.said.lines:
        datasette.add_message(request, line, kind)
    where = "/" if outcome.landing is None else f"{event_path}{outcome.landing}"
    return Response.redirect(datasette.urls.path(where), status=303)


def asked_of(
    action: str, event_id: int, form: dict[str, list[str]], by: str, at: datetime
) -> Asked:
    """The correction a form asks for, from the page of event `event_id`."""
    kind = ACTIONS[action]
    note = field(form, "note")
    if kind == "dismiss":
        return Asked(kind, event_id, by, at, note)
    if kind == "dismiss_member":
        return Asked(kind, event_id, by, at, note, articles=(one_id(form, "article"),))
    if kind == "move":
        return Asked(kind, one_id(form, "to"), by, at, note, articles=(one_id(form, "article"),))
    if kind == "merge":
        return Asked(kind, one_id(form, "into"), by, at, note, others=(event_id,))
    return Asked(kind, event_id, by, at, note, articles=tuple(all_ids(form, "article")))


def one_id(form: dict[str, list[str]], name: str) -> int:
    found = all_ids(form, name)
    if len(found) != 1:
        raise FieldError(f"give one {name} id")
    return found[0]


def all_ids(form: dict[str, list[str]], name: str) -> list[int]:
    values = [value.strip() for value in form.get(name, []) if value.strip()]
    for value in values:
        if not ID.match(value):
            raise FieldError(f"{name}: {value[:20]!r} is not an id (a whole number)")
    return [int(value) for value in values]


def field(form: dict[str, list[str]], name: str) -> str | None:
    """A text field, stripped; None when empty."""
    values = form.get(name) or [""]
    return values[0].strip() or None


def who_of(request: Any, form: dict[str, list[str]], user_header: str | None) -> str:
    """The configured header's user when a proxy set it, else the form's name (only
    when no header is configured: a proxy's user cannot type another), else "web"."""
    if user_header:
        return request.headers.get(user_header.lower(), "").strip() or FALLBACK_WHO
    return field(form, "by") or FALLBACK_WHO


def csrf_ok(request: Any, form: dict[str, list[str]]) -> bool:
    """The form's token is the one in the browser's signed CSRF cookie. Without that
    cookie (or with a badly signed one) asgi-csrf's token is a fresh secret, which no
    form can carry."""
    token = request.scope["csrftoken"]()
    given = (form.get(CSRF_FIELD) or [""])[0]
    return secrets.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


async def read_form(request: Any) -> dict[str, list[str]]:
    """The url-encoded form, at most MAX_BODY bytes, every repeated field kept."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip()
    if content_type != "application/x-www-form-urlencoded":
        raise FormError("Refused: expected a form (application/x-www-form-urlencoded)")
    body = b""
    more = True
    while more:
        message = await request.receive()
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            raise FormError(f"Refused: a form of more than {MAX_BODY} bytes")
        more = message.get("more_body", False)
    try:
        return parse_qs(body.decode("utf-8"), max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise FormError("Refused: not a form this page sends") from None


def landing(db: sqlite_utils.Database, event_id: int) -> int | None:
    """The event `event_id` stands for now, if it still exists."""
    current = store.corrections.resolve(db, event_id)
    return current if store.corrections.event_exists(db, current) else None


async def write(path: str, fn: Callable[[sqlite_utils.Database], T]) -> T:
    """Run `fn` on a read-write connection of its own, opened and closed for it."""

    def in_thread() -> T:
        db = store.db.open_db(Path(path), create=False)
        try:
            return fn(db)
        finally:
            db.close()

    return await asyncio.get_running_loop().run_in_executor(_writer, in_thread)
