"""Correcting events in the browser: the event page's buttons of `newsmon serve`.

A real `newsmon serve` process on loopback serves a real SQLite file holding two
launches (`tests.test_corrections.desk`: the 8 March one reported by Wire, its copy and
Tokyo Desk; the 15 March one). A browser-like client keeps Datasette's cookies, reads
the forms and their CSRF token from the page and posts them. What a correction did is
read back through the CLI (`newsmon event ID --json`) and the corrections table; what
the page refuses, `newsmon event dismiss|move|merge|split` refuses in the same words.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
import yaml

from crawler import config
from crawler.report import asked
from crawler.report.web import SECURITY_HEADERS
from tests import test_corrections
from tests.conftest import newsmon
from tests.test_corrections import run, sources
from tests.test_serve import stop
from tests.test_web import Node, TreeBuilder, start_serve

ACTIONS = ("dismiss", "dismiss-member", "move", "merge", "split")
USER_HEADER = "X-Forwarded-User"
desk = test_corrections.desk  # the two launches, a fresh database for each test


@dataclass
class Answer:
    status: int
    headers: Message  # names in any case
    html: str

    def root(self) -> Node:
        builder = TreeBuilder()
        builder.feed(self.html)
        return builder.root

    def forms(self) -> dict[str, Node]:
        """The page's POST forms by action, the last part of their URL."""
        found = self.root().find_all("form")
        return {
            f.attrs["action"].rsplit("/", 1)[-1]: f
            for f in found
            if f.attrs.get("method") == "post"
        }

    def messages(self) -> list[str]:
        return [node.text() for node in self.root().find_all("p", "message-info")] + [
            node.text() for node in self.root().find_all("p", "message-error")
        ]


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Keeps cookies like a browser; follows no redirect by itself."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, request: Request) -> Answer:
        try:
            with self.opener.open(request, timeout=15) as answer:
                return Answer(answer.status, answer.headers, answer.read().decode())
        except HTTPError as error:
            return Answer(error.code, error.headers, error.read().decode())

    def get(self, path: str) -> Answer:
        return self.open(Request(f"{self.base}{path}"))

    def post(
        self, path: str, fields: list[tuple[str, str]], headers: dict[str, str] | None = None
    ) -> Answer:
        body = urlencode(fields).encode()
        request = Request(f"{self.base}{path}", data=body, method="POST", headers=headers or {})
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self.open(request)

    def submit(
        self, event_id: int, action: str, headers: dict[str, str] | None = None, **fields: Any
    ) -> Answer:
        """Post the event page's form for `action` with its CSRF token and `fields`
        (a list value: one field per item), as a browser would."""
        form = self.get(f"/-/event/{event_id}").forms()[action]
        token = next(i for i in form.find_all("input") if i.attrs.get("name") == "csrftoken")
        pairs = [("csrftoken", token.attrs["value"])]
        for name, value in fields.items():
            values = value if isinstance(value, list) else [value]
            pairs += [(name, str(v)) for v in values]
        return self.post(form.attrs["action"], pairs, headers)


@contextmanager
def serving(cfg: Path, web: dict[str, Any] | None = None, *args: str) -> Iterator[Browser]:
    """`newsmon serve` on `cfg` with `web:` settings added, and a browser for it."""
    document = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    if web is not None:
        document["web"] = web
    cfg.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    proc, base = start_serve(cfg.parent, cfg, *args)
    try:
        yield Browser(base)
    finally:
        stop(proc)


def recorded(cfg: Path) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(cfg.parent / "newsmon.db")) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM corrections ORDER BY id")]


def shown_event(cfg: Path, event_id: int) -> dict[str, Any]:
    return json.loads(run(cfg, "event", str(event_id), "--json"))


def landed(browser: Browser, answer: Answer, event_id: int) -> Answer:
    """A correction's answer: a 303 to `event_id`'s page, which shows what was done."""
    assert answer.status == 303, answer.html
    assert answer.headers["location"] == f"/-/event/{event_id}"
    secured(answer)
    page = browser.get(answer.headers["location"])
    assert page.status == 200
    return page


def secured(answer: Answer) -> None:
    """The security headers stay on, whatever the answer."""
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value, name


def test_with_corrections_off_no_page_shows_a_button_and_no_route_takes_a_post(desk):
    cfg, ids = desk
    event = ids["march-8"]
    with serving(cfg) as browser:
        page = browser.get(f"/-/event/{event}")
        assert page.status == 200 and not page.forms()
        assert "csrftoken" not in page.html and "Correct this event" not in page.html
        assert not browser.get("/").forms()
        for action in ACTIONS:
            assert browser.post(f"/-/event/{event}/{action}", []).status == 404  # no such route
        for path in ("/", f"/-/event/{event}", "/-/feeds", "/-/activity"):
            refused = browser.post(path, [("x", "1")])
            assert refused.status == 405, path
            secured(refused)
    assert recorded(cfg) == []


def test_dismissing_an_event_from_its_page_is_recorded_with_who_and_shown(desk):
    cfg, ids = desk
    event = ids["march-8"]
    with serving(cfg, {"corrections": True}) as browser:
        page = browser.get(f"/-/event/{event}")
        assert set(page.forms()) == set(ACTIONS)
        secured(page)
        answer = browser.submit(event, "dismiss", by="kim", note="a drill, not a launch")
        after = landed(browser, answer, event)
        secured(after)
        (message,) = after.messages()
        assert message.startswith(f"event {event}: Corrected: dismissed as a false event, by kim")
        assert message.endswith("(correction 1)")
        assert "dismissed" in after.root().find_all("p", "newsmon-dismissed")[0].text()
        assert "dismiss" not in after.forms()  # once is enough
        assert browser.get(f"/-/event/{event}").messages() == []  # shown once
    (row,) = recorded(cfg)
    assert (row["kind"], row["event_id"], row["by"], row["note"]) == (
        "dismiss",
        event,
        "kim",
        "a drill, not a launch",
    )
    assert shown_event(cfg, event)["dismissed"] is True


def test_taking_out_moving_splitting_and_merging_from_the_page(desk):
    cfg, ids = desk
    march_8, march_15 = ids["march-8"], ids["march-15"]
    with serving(cfg, None, "--corrections") as browser:
        page = landed(browser, browser.submit(march_8, "split", article=[ids["tokyo"]]), march_8)
        (message,) = page.messages()
        new = shown_event(cfg, march_8)["corrections"][-1]["to_event"]
        assert message.startswith(f"event {new}: Corrected: split off from event {march_8}")
        assert ", by web," in message
        assert sources(cfg, new) == {ids["tokyo"]}

        answer = browser.submit(march_8, "move", article=ids["wire-copy"], to=march_15)
        landed(browser, answer, march_8)
        assert sources(cfg, march_8) == {ids["wire"]}
        assert sources(cfg, march_15) == {ids["next-week"], ids["wire-copy"]}

        answer = browser.submit(march_15, "dismiss-member", article=ids["next-week"], by="ana")
        assert "taken out, by ana" in landed(browser, answer, march_15).messages()[0]
        assert sources(cfg, march_15) == {ids["wire-copy"]}

        # merged into the 15 March event, the new event's page leads there
        page = landed(browser, browser.submit(new, "merge", into=march_15), march_15)
        assert f"event {new} merged into this one" in " ".join(page.messages())
        assert sources(cfg, march_15) == {ids["wire-copy"], ids["tokyo"]}
        corrections = [s.text() for s in page.root().find_all("ul", "newsmon-corrections")]
        assert f"event {new} merged into this one" in corrections[0]
    rows = recorded(cfg)
    assert [(r["kind"], r["by"]) for r in rows] == [
        ("split", "web"),
        ("move", "web"),
        ("dismiss_member", "ana"),
        ("merge", "web"),
    ]
    assert (rows[-1]["event_id"], rows[-1]["target_id"]) == (new, march_15)


def test_who_comes_from_the_configured_header_and_no_form_can_say_otherwise(desk):
    cfg, ids = desk
    event = ids["march-8"]
    with serving(cfg, {"corrections": True, "user_header": USER_HEADER}) as browser:
        page = browser.get(f"/-/event/{event}")
        assert not [i for i in page.root().find_all("input") if i.attrs.get("name") == "by"]
        proxied = {USER_HEADER: "ana"}
        answer = browser.submit(event, "dismiss-member", proxied, article=ids["tokyo"], by="eve")
        assert "by ana" in landed(browser, answer, event).messages()[0]
        landed(browser, browser.submit(event, "dismiss"), event)  # not through the proxy
    assert [r["by"] for r in recorded(cfg)] == ["ana", "web"]


def test_a_post_without_the_csrf_token_and_cookie_is_refused(desk):
    cfg, ids = desk
    event = ids["march-8"]
    with serving(cfg, {"corrections": True}) as browser:
        path = f"/-/event/{event}/dismiss"
        assert Browser(browser.base).post(path, []).status == 403  # another site's form
        token = browser.get(f"/-/event/{event}").forms()["dismiss"].find_all("input")[-1]
        assert token.attrs["name"] == "csrftoken"
        stranger = Browser(browser.base)  # the token, but not the cookie it belongs to
        assert stranger.post(path, [("csrftoken", token.attrs["value"])]).status == 403
        assert browser.post(path, [("csrftoken", "forged")]).status == 403
        assert browser.post(path, []).status == 403
        assert browser.get(path).status == 405
    assert recorded(cfg) == []


# What cannot be made, and what the page says: names in capitals are the desk's ids.
REFUSED = [
    ("move", {"article": "WIRE", "to": 999999}, "no event with id 999999"),
    ("move", {"article": "WIRE", "to": "abc"}, "to: 'abc' is not an id"),
    ("move", {"article": "WIRE", "to": 10**30}, "is not an id"),
    ("merge", {"into": 2**63}, f"no event with id {2**63}"),
    ("merge", {"into": "EVENT"}, "is event EVENT itself"),
    ("dismiss-member", {"article": "NEXT"}, "article NEXT is not a source of event EVENT"),
    ("split", {"article": ["WIRE", "TOKYO", "COPY"]}, "leaves event EVENT empty"),
    ("split", {}, "name at least one article to split off"),
    ("dismiss", {"note": "x" * (asked.MAX_NOTE + 1)}, "a note of at most"),
    ("dismiss", {"by": "x" * (asked.MAX_BY + 1)}, "a name of 1 to"),
]


def test_a_correction_that_cannot_be_made_is_a_message_on_the_page(desk):
    cfg, ids = desk
    event = ids["march-8"]
    names = {"WIRE": "wire", "TOKYO": "tokyo", "COPY": "wire-copy", "NEXT": "next-week"}
    real = {key: ids[name] for key, name in names.items()} | {"EVENT": event}

    def value(given: Any) -> Any:
        if isinstance(given, list):
            return [value(v) for v in given]
        return real.get(given, given) if isinstance(given, str) else given

    with serving(cfg, {"corrections": True}) as browser:
        for action, fields, said in REFUSED:
            for key, number in real.items():
                said = said.replace(key, str(number))
            answer = browser.submit(event, action, **{k: value(v) for k, v in fields.items()})
            page = landed(browser, answer, event)
            (message,) = page.messages()
            assert message.startswith("Not corrected: ") and said in message, (action, fields)
            assert page.root().find_all("p", "message-error")
            assert "Traceback" not in page.html
    assert recorded(cfg) == []


def test_a_form_too_large_to_be_a_correction_is_refused(desk):
    cfg, ids = desk
    event = ids["march-8"]
    with serving(cfg, {"corrections": True}) as browser:
        answer = browser.submit(event, "dismiss", note="x" * 70_000)
        assert answer.status == 400 and "more than" in answer.html
    assert recorded(cfg) == []


def test_the_web_settings_are_checked_with_their_key(desk):
    cfg, _ = desk
    document = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    loaded = config.load(cfg, check_targets=False).web
    assert (loaded.corrections, loaded.user_header) == (False, None)  # off unless turned on
    for web, said in [
        ({"corrections": "yes"}, "web.corrections: expected true or false"),
        ({"user_header": "X User"}, "web.user_header: 'X User' is not a header name"),
        ({"user_header": ""}, "web.user_header: expected a non-empty string"),
    ]:
        cfg.write_text(yaml.safe_dump({**document, "web": web}), encoding="utf-8")
        with pytest.raises(config.ConfigError, match=re.escape(said)):
            config.load(cfg, check_targets=False)
    cfg.write_text(yaml.safe_dump({**document, "web": {"user_header": USER_HEADER}}))
    assert config.load(cfg, check_targets=False).web.user_header == USER_HEADER


def test_the_cli_refuses_what_the_page_refuses_in_the_same_words(desk):
    cfg, ids = desk
    event = str(ids["march-8"])
    long_note = "x" * (asked.MAX_NOTE + 1)
    for args, said in [
        (["dismiss", event, "--note", long_note], "a note of at most"),
        (["dismiss", str(2**63)], f"no event with id {2**63}"),
        (["merge", event, event], f"event {event} is event {event} itself"),
    ]:
        result = newsmon("event", *args, config=cfg)
        assert result.returncode == 1 and f"Error: {said}" in result.stderr, result.stderr
    assert recorded(cfg) == []
