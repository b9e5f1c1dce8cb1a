"""Stories: the same report under many URLs and headlines, found incrementally.

Four tests, cheapest first, each a few indexed lookups:

1. URL identity (`urls.identity`, checked before a page is even fetched);
2. exact text: the same normalised body (`articles.text_hash`);
3. near-duplicate text: MinHash (one-permutation hashing, 64 bins, 16 bands
   of 4) over word 5-shingles; the bands live in SQLite, so candidates come
   from an index, not a scan; a candidate is kept when the estimated Jaccard
   similarity reaches `stories.near_duplicate`: wire copies and light edits;
4. headline: IDF-weighted cosine of title terms, candidates drawn from the
   postings of the title's rarest terms.

Tests 3 and 4 look only within `stories.window` of the article's own time, so two
launches worded almost identically weeks apart stay separate stories. An
article joins the story of its best match (and records which article it is a
copy of); otherwise it starts a story of its own.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlite_utils

from crawler import store
from crawler.clock import isoformat, parse_instant
from crawler.config import StorySettings

DEFAULTS = StorySettings()

SHINGLE = 5
BINS = 64
BAND_ROWS = 4
MIN_SKETCH_WORDS = 25  # shorter texts are left to the headline test
MIN_EXACT_WORDS = 30  # "Markets closed." twice is not syndication
RAREST_TERMS = 4
# A headline's terms are looked up in one statement each (`IN (...)`): a title of
# thousands of distinct words once exceeded SQLite's variable limit. Real ones have < 30.
MAX_TITLE_TERMS = 64
_MASK = (1 << 63) - 1
_BIN_RANGE = (_MASK + 1) // BINS  # values within a bin stay below this
_WORD = re.compile(r"\w+")
# " - Reuters" after a headline of some length; "Iran - US talks" keeps its words
_PUBLISHER_SUFFIX = re.compile(r"(?<=.{20})\s+[-|–—]\s+[^-|–—]{2,40}$")
# Chinese and Japanese are written without spaces: their runs become character bigrams.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
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


@dataclass(frozen=True)
class StoryDecision:
    story_id: int
    original_id: int | None  # the article this one copies or follows, if any
    relation: str | None  # exact | near | title
    similarity: float


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


def _hash64(data: str) -> int:
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big") & _MASK


def minhash(tokens: Sequence[str]) -> tuple[int, ...] | None:
    """One-permutation MinHash with rotation densification (Shrivastava & Li, 2014).

    One hash per shingle instead of one per shingle per permutation: pure
    Python stays around a millisecond for a long article.
    """
    if len(tokens) < MIN_SKETCH_WORDS:
        return None
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes  # `_hash64` inlined: the hot loop
    bins: list[int | None] = [None] * BINS
    for i in range(len(tokens) - SHINGLE + 1):
        shingle = " ".join(tokens[i : i + SHINGLE]).encode()
        value = from_bytes(blake2b(shingle, digest_size=8).digest(), "big") & _MASK
        slot, rest = value % BINS, value // BINS
        current = bins[slot]
        if current is None or rest < current:
            bins[slot] = rest
    result = []
    for i in range(BINS):  # an empty bin borrows the next filled one, marked by the distance
        distance = 0
        while bins[(i + distance) % BINS] is None:
            distance += 1
        result.append(bins[(i + distance) % BINS] + distance * _BIN_RANGE)
    return tuple(result)


def band_keys(signature: tuple[int, ...]) -> list[int]:
    keys = []
    for band in range(BINS // BAND_ROWS):
        rows = signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        keys.append(_hash64(f"{band}:" + ",".join(map(str, rows))) - (1 << 62))
    return keys


def estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / BINS


def pack(signature: tuple[int, ...] | None) -> bytes | None:
    return None if signature is None else struct.pack(f"<{BINS}q", *signature)


def unpack(blob: bytes | None) -> tuple[int, ...] | None:
    return None if blob is None else struct.unpack(f"<{BINS}q", blob)


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


def story_time(published_utc: str | None, fetched_at: str) -> str:
    """The article's own time: published, unless missing or after it was fetched."""
    if published_utc and published_utc <= fetched_at:
        return published_utc
    return fetched_at


def assign_story(
    db: sqlite_utils.Database,
    article_id: int,
    *,
    title: str | None,
    text: str,
    text_hash: str,
    at: str,
    settings: StorySettings = DEFAULTS,
) -> StoryDecision:
    """Put one stored article into a story and index it; call inside its transaction."""
    tokens = body_words(title, text)
    signature = minhash(tokens)
    terms = title_terms(title)
    weights, rarest = _term_weights(db, terms)
    moment = parse_instant(at)
    since, until = isoformat(moment - settings.window), isoformat(moment + settings.window)
    decision = _copy_match(
        db, article_id, tokens, text_hash, signature, since, until, settings.near_duplicate
    ) or _headline_match(db, article_id, weights, rarest, since, until, settings)
    if decision is None:
        story_id = store.stories.new_story(db, article_id, title, at)
        decision = StoryDecision(story_id, None, None, 0.0)
    else:
        store.stories.join_story(
            db,
            article_id,
            decision.story_id,
            at,
            decision.original_id or 0,
            decision.relation or "",
            decision.similarity,
        )
    store.stories.add_story_terms(db, decision.story_id, weights)
    keys = band_keys(signature) if signature else []
    store.stories.index_article(db, article_id, at, pack(signature), keys, terms)
    return decision


def _copy_match(
    db: sqlite_utils.Database,
    article_id: int,
    tokens: list[str],
    text_hash: str,
    signature: tuple[int, ...] | None,
    since: str,
    until: str,
    threshold: float,
) -> StoryDecision | None:
    """The article this one copies: the same text, or nearly (MinHash estimate)."""
    if len(tokens) >= MIN_EXACT_WORDS:
        original = store.stories.exact_duplicate(db, text_hash, article_id)
        if original is not None:
            return StoryDecision(store.stories.story_of(db, original), original, "exact", 1.0)
    if signature is None:
        return None
    best = None
    keys = band_keys(signature)
    for candidate in store.stories.band_candidates(db, keys, since, until, article_id):
        other = unpack(candidate.minhash)
        score = estimate(signature, other) if other else 0.0
        if score >= threshold and (best is None or score > best.similarity):
            best = StoryDecision(candidate.story_id, candidate.article_id, "near", score)
    return best


def _headline_match(
    db: sqlite_utils.Database,
    article_id: int,
    weights: dict[str, float],
    rarest: list[str],
    since: str,
    until: str,
    settings: StorySettings,
) -> StoryDecision | None:
    """The story whose headline vector (centroid) is closest to this headline.

    Comparing with a whole story rather than single headlines is what lets
    "Snowden speaks at SXSW" and "NSA leaker tells festival he has no regrets"
    meet: the story has gathered both vocabularies (single-pass clustering).
    """
    if not weights:
        return None
    query_norm = math.sqrt(sum(w * w for w in weights.values()))
    scored = []
    for story_id in store.stories.stories_with_terms(db, rarest, since, until, article_id):
        in_story, norm2, first = store.stories.story_vector(db, story_id, list(weights))
        if norm2 <= 0:
            continue
        score = sum(w * in_story.get(t, 0.0) for t, w in weights.items()) / (
            query_norm * math.sqrt(norm2)
        )
        if score >= settings.headline:
            scored.append((score, -first, story_id, first))
    if not scored:
        return None
    scored.sort(reverse=True)
    score, _, story_id, first = scored[0]
    # A headline that fits two stories shows they were one story told two ways.
    for other_score, _, other, _ in scored[1:]:
        if other_score >= settings.headline_merge:
            store.stories.merge_stories(db, story_id, other)
    return StoryDecision(story_id, first, "title", score)


def _term_weights(
    db: sqlite_utils.Database, terms: list[str]
) -> tuple[dict[str, float], list[str]]:
    """IDF of each headline term as the archive stands, and the rarest few."""
    if not terms:
        return {}, []
    df = store.stories.document_frequencies(db, terms)
    total = df.pop(store.stories.TOTAL)
    # the rarest terms seen before: a never-seen word cannot lead to a story
    known = [t for t in terms if df.get(t, 0) > 0]
    rarest = sorted(known, key=lambda t: (df[t], t))[:RAREST_TERMS]
    return {t: idf(df.get(t, 0), total) for t in terms}, rarest
