"""Words, headline terms, hashes and plain text: the shared leaf under stories and events.

The exact-copy hash, the MinHash shingles and the headline similarity that both stories
and events use must cut text into words the same way; so they all come from here.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

import lxml.etree
import lxml.html

# A headline's terms are looked up in one statement each (`IN (...)`): a title of
# thousands of distinct words once exceeded SQLite's variable limit. Real ones have < 30.
MAX_TITLE_TERMS = 64


_WORD = re.compile(r"\w+")


# " - Reuters" after a headline of some length; "Iran - US talks" keeps its words
_PUBLISHER_SUFFIX = re.compile(r"(?<=.{20})\s+[-|–—]\s+[^-|–—]{2,40}$")


# Chinese and Japanese are written without spaces, and Korean words carry their particles
# (북한이, 북한은): runs of these scripts become character bigrams, so copies and headlines
# of one report match whatever particle or spacing each publisher chose.
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+"
)


_STOPWORD_TEXT = """
a an and are as at be by for from has have he her his in into is it its of on or our over
says said say she that the their they this to up was were will with after before new news
how why what who when video watch live update updates photos
report reports review reviews exclusive exclusively first look get gets got can could would
should might just now not no more most than about out off all your you we us i me my do
does did been being then there here which while also still back again it's one two three
monday tuesday wednesday thursday friday saturday sunday today tonight yesterday week
weekend january february march april june july august september october november december
year years day days time times big top best latest breaking ahead amid via vs photo pic
pics picture pictures videos clip see looks make makes made take takes
"""


STOPWORDS = frozenset(_STOPWORD_TEXT.split())


_WS = re.compile(r"\s+")


_NOT_ALNUM = re.compile(r"[\W_]+")


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}


# Nouns whose plural is not the noun plus "s"; "listed" (an aggregator's headline role)
# is a participle and stays as it is: "13 listed".
IRREGULAR_PLURALS = {"copy": "copies", "entry": "entries", "story": "stories", "listed": "listed"}


def plural(count: object, noun: str) -> str:
    """ "1 outlet", "3 outlets", "0 entries": every count shown to people is said here.

    A multi-word noun is pluralised on its last word ("1 new event", "2 new events")."""
    number = count if isinstance(count, int) else 0
    if number == 1:
        return f"{number} {noun}"
    head, _, last = noun.rpartition(" ")
    many = IRREGULAR_PLURALS.get(last, f"{last}s")
    return f"{number} {head} {many}" if head else f"{number} {many}"


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    tokens: list[str] = []
    for word in _WORD.findall(folded):
        if not _CJK.search(word):
            tokens.append(word)
            continue
        for part in re.split(f"({_CJK.pattern})", word):
            if not part:
                continue
            if _CJK.fullmatch(part):
                tokens.extend(part[i : i + 2] for i in range(max(len(part) - 1, 1)))
            else:
                tokens.append(part)
    return tokens


def body_words(title: str | None, text: str) -> list[str]:
    """The text's words without a leading headline (extractors often include it)."""
    tokens = words(text)
    head = words(title or "")
    if head and tokens[: len(head)] == head:
        tokens = tokens[len(head) :]
    return tokens


def title_terms(title: str | None) -> list[str]:
    """Distinct content words of a headline, lightly stemmed, in order.

    Aggregators append the publisher ("... - Reuters", "... | Bloomberg.com");
    that names the outlet, not the story, so it is dropped first.
    """
    seen: dict[str, None] = {}
    for word in words(_PUBLISHER_SUFFIX.sub("", title or "")):
        if word in STOPWORDS or len(word) < 2 or word.isdigit():
            continue
        seen.setdefault(_stem(word), None)
        if len(seen) == MAX_TITLE_TERMS:
            break
    return list(seen)


def _stem(word: str) -> str:
    for suffix in ("'s", "’s"):
        word = word.removesuffix(suffix)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def idf(df: int, total: int) -> float:
    return math.log((total + 1) / (df + 1)) + 1.0


def title_similarity(a: Sequence[str], b: Sequence[str], weights: Mapping[str, float]) -> float:
    """Cosine of binary term vectors weighted by IDF."""
    if not a or not b:
        return 0.0
    shared = set(a) & set(b)
    if not shared:
        return 0.0
    norm_a = math.sqrt(sum(weights.get(t, 1.0) ** 2 for t in a))
    norm_b = math.sqrt(sum(weights.get(t, 1.0) ** 2 for t in b))
    return sum(weights.get(t, 1.0) ** 2 for t in shared) / (norm_a * norm_b)


def text_hash(text: str) -> str:
    """Hash of the text with case, width, punctuation and whitespace folded away."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # [\W_] is exactly "not str.isalnum()" (checked over every code point), at C speed
    return hashlib.sha256(_NOT_ALNUM.sub(" ", folded).strip().encode()).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment from a feed (content:encoded, summary)."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _WS.sub(" ", fragment).strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag in _BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
