"""Values from the network, checked where they enter: typed, bounded, normalised.

Feeds and pages are written by strangers. A title may be a JSON object, two
megabytes long, or hold a lone surrogate that no UTF-8 codec (SQLite's
included) will take; a link may be longer than any request can be. Checked
here, at the parser, such a value costs only its own item: the item is kept
with the value cut to size, or refused with a reason that is recorded on it,
and every other item and feed goes on. Nothing further down needs to guess.

Exceptions: `Refused` (a value of the wrong type; the item is recorded as
failed, never fetched).
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

from crawler.errors import NewsmonError

# The longest URL Scrapy requests (its URLLENGTH_LIMIT, which newsmon sets to this):
# a longer link or feed URL is never fetched, so it is refused where it is known.
MAX_URL = 2083
MAX_STORED_URL = 16_384  # longer links are not even kept (the entry is refused)
MAX_KEY = 1_000  # a longer GUID is kept as its hash
MAX_TITLE = 1_000  # characters; a real headline is under 300
MAX_NAME = 500  # authors, site names, feed titles
MAX_DATE = 100  # date text
MAX_SUMMARY = 100_000
MAX_CONTENT = 1_000_000  # feed content and page text: far beyond any article
MAX_ENTRIES = 100_000  # items read from one feed or sitemap body
MAX_NUMBER_DIGITS = 100  # a numeric JSON Feed id longer than this is not an id

_SURROGATE = re.compile("[\ud800-\udfff]")
# What must not reach a reader through JSON either: C0 controls but tab and newline
# (JSON escapes them, `jq -r` writes them back raw), DEL, C1 (U+0085, CSI U+009B...),
# bidi embeddings, overrides, isolates and marks, lone surrogates, U+FFFE and U+FFFF.
_UNSAFE_IN_OUTPUT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
_KINDS = {dict: "an object", list: "a list", bool: "true or false", int: "a number", str: "text"}


class Refused(NewsmonError, ValueError):
    """An item's field has a type newsmon cannot use: the item is recorded, not stored."""


def kind(value: Any) -> str:
    """A JSON value's type in words, for the reason recorded on a refused item."""
    for python_type, words in _KINDS.items():
        if isinstance(value, python_type):
            return words
    return "a number" if isinstance(value, float) else type(value).__name__


def normalise(value: str, limit: int) -> str:
    """`value` cut to `limit` characters, without NULs or lone surrogates.

    A lone surrogate (JSON's "\\ud800", XML's "&#xD800;") cannot be encoded as
    UTF-8, so SQLite refuses the whole statement: it becomes U+FFFD instead.
    """
    value = value[:limit]
    if "\x00" in value:
        value = value.replace("\x00", "")
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def text(value: Any, field: str, limit: int) -> str | None:
    """An optional text field: None, or a string cut to `limit`; any other type is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refused(f"{field} is {kind(value)}, not text")
    return normalise(value, limit)


def lenient_text(value: Any, limit: int) -> str | None:
    """Text where a wrong type is no reason to refuse anything (a feed's own title)."""
    return normalise(value, limit) if isinstance(value, str) else None


def identifier(value: Any, field: str) -> str | None:
    """A JSON Feed id: text, or a number written as text (the spec asks readers to
    coerce); objects, lists and booleans are refused."""
    if value is None or isinstance(value, str):
        return text(value, field, MAX_STORED_URL)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused(f"{field} is {kind(value)}, not text")
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused(f"{field} is not a finite number")
    written = repr(value)
    if len(written) > MAX_NUMBER_DIGITS:
        raise Refused(f"{field} is a number of {len(written)} digits")
    return written


def key(value: str) -> str:
    """An entry key within MAX_KEY: a longer one is kept as its hash (still stable)."""
    if len(value) <= MAX_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def link_problem(url: str) -> str | None:
    """Why `url` cannot be requested, or None: the one length check every request passes."""
    if len(url) > MAX_URL:
        return f"the URL is {len(url):,} characters long, over the {MAX_URL:,} a request may have"
    return None


def for_output(value: Any) -> Any:
    """`value` (JSON-shaped data) with every string stripped of characters that could
    steer a terminal or reorder text: what `--json` and `--format json` print."""
    if isinstance(value, str):
        return _UNSAFE_IN_OUTPUT.sub("", value)
    if isinstance(value, dict):
        return {for_output(k): for_output(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [for_output(item) for item in value]
    return value
