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

import math
from dataclasses import dataclass

import sqlite_utils

from crawler import store
from crawler.clock import isoformat, parse_instant
from crawler.config import StorySettings
from crawler.stories.minhash import band_keys, estimate, minhash, pack, unpack
from crawler.text import body_words, idf, title_terms

DEFAULTS = StorySettings()


MIN_EXACT_WORDS = 30  # "Markets closed." twice is not syndication


RAREST_TERMS = 4


@dataclass(frozen=True)
class StoryDecision:
    story_id: int
    original_id: int | None  # the article this one copies or follows, if any
    relation: str | None  # exact | near | title
    similarity: float


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
    moment = parse_instant(at)
    since, until = isoformat(moment - settings.window), isoformat(moment + settings.window)
    found = store.stories.lookups(
        db,
        article_id,
        terms=terms,
        text_hash=text_hash if len(tokens) >= MIN_EXACT_WORDS else None,
        band_keys=band_keys(signature) if signature else [],
        since=since,
        until=until,
    )
    weights, rarest = _term_weights(found.df, terms)
    decision = _copy_match(db, found, signature, settings.near_duplicate) or _headline_match(
        db, article_id, weights, rarest, since, until, settings
    )
    created = decision is None
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
    store.stories.add_story_terms(db, decision.story_id, weights, new_story=created)
    keys = band_keys(signature) if signature else []
    store.stories.index_article(db, article_id, at, pack(signature), keys, terms)
    return decision


def _copy_match(
    db: sqlite_utils.Database,
    found: store.stories.Lookups,
    signature: tuple[int, ...] | None,
    threshold: float,
) -> StoryDecision | None:
    """The article this one copies: the same text (a body of `MIN_EXACT_WORDS` or more),
    or nearly (MinHash estimate)."""
    if found.exact is not None:
        return StoryDecision(store.stories.story_of(db, found.exact), found.exact, "exact", 1.0)
    if signature is None:
        return None
    best = None
    for candidate in store.stories.near_candidates(db, found.near):
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
    candidates = store.stories.stories_with_terms(db, rarest, since, until, article_id)
    vectors = store.stories.story_vectors(db, candidates, list(weights))
    for story_id in candidates:
        vector = vectors[story_id]
        if vector.norm2 <= 0:
            continue
        score = sum(w * vector.weights.get(t, 0.0) for t, w in weights.items()) / (
            query_norm * math.sqrt(vector.norm2)
        )
        if score >= settings.headline:
            first = vector.first_article
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


def _term_weights(df: dict[str, int], terms: list[str]) -> tuple[dict[str, float], list[str]]:
    """IDF of each headline term as the archive stands (`df`: `Lookups.df`), and the
    rarest few."""
    if not terms:
        return {}, []
    df = dict(df)
    total = df.pop(store.stories.TOTAL)
    # the rarest terms seen before: a never-seen word cannot lead to a story
    known = [t for t in terms if df.get(t, 0) > 0]
    rarest = sorted(known, key=lambda t: (df[t], t))[:RAREST_TERMS]
    return {t: idf(df.get(t, 0), total) for t in terms}, rarest
