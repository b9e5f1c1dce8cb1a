"""Is a stored article a list of other articles' headlines rather than a report?

Aggregators (Google News "full coverage" items, section fronts, newsletters) publish
entries whose page or summary is a list of other outlets' headlines. Read as prose,
the one listed headline about a launch made a false event, and a list led by a story
about a submarine joined a launch. Such a page is not a report: the events step lets
it join an event only through its own lead headline, and never open one.

The test reads what is stored (the article's text, its feed entry's summary and
content), so `newsmon reprocess` applies it to old articles too. Three shapes:

* an HTML list in the feed's summary or content whose text is mostly link text;
* Google News' flattened form: "Headline\\xa0\\xa0OutletHeadline2\\xa0\\xa0Outlet2...";
* extracted text whose characters are mostly in bulleted lines ("- Headline Outlet").
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

MIN_ITEMS = 3  # list entries before a text counts as a list of headlines
LINK_SHARE = 0.6  # of the fragment's text inside <a>
BULLET_SHARE = 0.6  # of the text's characters on bulleted lines
NBSP_PAIR = "\xa0\xa0"  # Google News: headline, two no-break spaces, outlet
MAX_FRAGMENT = 200_000  # characters of a summary worth parsing
BULLET = re.compile(r"^\s*(?:[-•*·▪►–]|\d{1,2}[.)])\s+\S")
OUTLET_SUFFIX = re.compile(r"\s+[-–—|]\s+[^-–—|]{2,60}$")


def is_listing(text: str, summary: str | None = None, content: str | None = None) -> bool:
    """True when the article is a list of other articles' headlines (see module doc)."""
    for fragment in (summary, content):
        if fragment and (_flattened_headlines(fragment) or _html_link_list(fragment)):
            return True
    return _bulleted(text)


def lead_headline(title: str) -> str:
    """An aggregator item's own headline without the outlet it names ("... - Reuters")."""
    return OUTLET_SUFFIX.sub("", title.strip()) or title.strip()


def _flattened_headlines(fragment: str) -> bool:
    """Pairs of "headline\\xa0\\xa0outlet": two or more, or one followed by no more than an
    outlet's name. A headline does not end with a full stop; a sentence typeset with two
    no-break spaces after it does."""
    parts = fragment.replace("&nbsp;", "\xa0").split(NBSP_PAIR)
    if len(parts) < 2 or parts[0].rstrip().endswith((".", "!", "?")) or "<p" in parts[0]:
        return False
    return len(parts) >= 3 or len(parts[1].split()) <= 8


def _html_link_list(fragment: str) -> bool:
    if "<li" not in fragment.lower() or len(fragment) > MAX_FRAGMENT:
        return False
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return False
    items = [li for li in root.iter("li") if li.find(".//a") is not None]
    if len(items) < MIN_ITEMS:
        return False
    total = len(" ".join(root.text_content().split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in root.iter("a"))
    return total > 0 and linked / total >= LINK_SHARE


def _bulleted(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    bullets = [line for line in lines if BULLET.match(line)]
    if len(bullets) < MIN_ITEMS:
        return False
    return sum(map(len, bullets)) / max(1, sum(map(len, lines))) >= BULLET_SHARE
