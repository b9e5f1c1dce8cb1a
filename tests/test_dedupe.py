"""Story assignment on a real SQLite file, and the sketching functions under it."""

from __future__ import annotations

import pytest

from crawler import store, stories, text
from crawler.events import merge_facts
from crawler.stories import minhash
from crawler.text import text_hash
from crawler.urls import identity
from monitors.missile_launch import IDENTITY as LAUNCH
from tests.builders import story

WIRE = " ".join(story("wire")[2])


@pytest.fixture
def db(tmp_path):
    database = store.db.open_db(tmp_path / "t.db")
    database.execute("INSERT INTO outlets (name) VALUES ('t')")
    yield database
    database.close()


def add(db, title: str, text: str, at: str) -> stories.StoryDecision:
    with db.atomic():
        article_id = db.execute(
            """INSERT INTO articles (url, outlet_id, title, text, text_method, text_hash,
               word_count, fetched_at) VALUES (?, 1, ?, ?, 't', ?, 0, ?)""",
            [f"https://x.example/{title}", title, text, text_hash(text), at],
        ).lastrowid
        return stories.assign_story(
            db, article_id, title=title, text=text, text_hash=text_hash(text), at=at
        )


def test_exact_near_and_separate(db):
    first = add(db, "Launch", WIRE, "2026-03-07T22:40:00Z")
    assert first.relation is None
    same = add(db, "Copy", WIRE, "2026-03-07T23:15:00Z")
    assert (same.story_id, same.relation, same.original_id) == (first.story_id, "exact", 1)
    edited = WIRE.replace("third weapons test", "third such test").replace("Friday", "Thursday")
    near = add(db, "Edited", edited + " Updated with reaction.", "2026-03-08T01:00:00Z")
    assert (near.story_id, near.relation) == (first.story_id, "near")
    assert near.similarity >= stories.DEFAULTS.near_duplicate
    late = add(db, "Late", edited, "2026-03-20T00:00:00Z")  # outside the story window
    assert late.story_id != first.story_id
    other = add(db, "Markets", " ".join(story("unrelated")[2]), "2026-03-08T02:00:00Z")
    assert other.story_id not in (first.story_id, late.story_id)


def test_headlines_group_by_their_rare_words(db):
    a = add(db, "Snowden tells SXSW he has no regrets over NSA leaks", "", "2014-03-10T16:00:00Z")
    add(db, "Stocks fall as China data disappoints", "", "2014-03-10T16:05:00Z")
    b = add(db, "NSA leaker Snowden says leaks sparked needed debate", "", "2014-03-10T17:00:00Z")
    c = add(db, "Bieber deposition video released", "", "2014-03-10T18:00:00Z")
    assert b.story_id == a.story_id and b.relation == "title"
    assert c.story_id != a.story_id


def test_minhash_estimates_jaccard():
    words = text.words(WIRE)
    assert minhash.estimate(minhash.minhash(words), minhash.minhash(words)) == 1.0
    half = words[: len(words) // 2] + text.words(" ".join(story("analysis")[2]))
    estimate = minhash.estimate(minhash.minhash(words), minhash.minhash(half))
    assert 0.1 < estimate < 0.7
    assert minhash.minhash(words[:10]) is None  # too short to sketch
    signature = minhash.minhash(words)
    assert minhash.unpack(minhash.pack(signature)) == signature
    assert len(minhash.band_keys(signature)) == minhash.BINS // minhash.BAND_ROWS


def test_body_words_drop_a_leading_headline():
    assert text.body_words("Big News", "Big news\nThe text.") == ["the", "text"]
    assert text.body_words("Other", "Big news") == ["big", "news"]


def test_title_terms_fold_plurals_and_drop_stopwords():
    assert text.title_terms("North Korea's missiles: launches and LAUNCH") == [
        "north",
        "korea",
        "missile",
        "launch",
    ]


@pytest.mark.parametrize(
    "variant",
    [
        "https://m.example.com/news/a",
        "http://www.example.com/news/a/",
        "https://example.com/news/a/amp",
        "https://amp.example.com/news/a?amp=1",
        "https://example.com/amp/news/a",
        "https://example.com/news/a.amp?utm_source=x#top",
    ],
)
def test_url_identity_folds_mobile_amp_and_tracking_variants(variant):
    assert identity(variant) == identity("https://example.com/news/a") == "example.com/news/a"


def test_url_identity_keeps_what_distinguishes_articles():
    assert identity("https://example.com/story?id=1") != identity("https://example.com/story?id=2")
    assert identity("https://example.com/a") != identity("https://example.org/a")


def test_disagreeing_facts_are_kept_with_their_sources():
    merged, detail = merge_facts(
        [
            (1, {"count": 2, "missile_types": ["ballistic"], "distance_km": 450}),
            (2, {"count": 2, "distance_km": 430, "launch_area": "Sinpo"}),
            (3, {"count": 3, "missile_types": ["Hwasong-11"], "launch_area": "Wonsan"}),
            (4, {"launch_area": "Wonsan"}),
        ],
        LAUNCH,
    )
    assert merged["launch_area"] == "Wonsan"  # two sources against one
    assert merged["count"] == 3  # counts grow as a launch is tracked: the largest stated
    assert merged["distance_km"] == 450  # a tie goes to the earliest report
    assert merged["missile_types"] == ["Hwasong-11", "ballistic"]  # lists are unions
    assert detail["count"] == [{"value": 2, "articles": [1, 2]}, {"value": 3, "articles": [3]}]
    assert {d["value"] for d in detail["distance_km"]} == {450, 430}


def test_a_tie_goes_to_the_earliest_report_whatever_its_id():
    """Ids follow fetch order, which concurrent fetches shuffle; reports come in
    publication order."""
    merged, _ = merge_facts(
        [(7, {"launch_area": "area around Pyongyang"}), (3, {"launch_area": "Pyongyang area"})],
        LAUNCH,
    )
    assert merged["launch_area"] == "area around Pyongyang"


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        # "several" beside a state-media "a hypersonic missile": one count, the vague one
        (
            [{"count_text": "several"}, {"count_text": "several"}, {"count": 1}],
            {"count_text": "several"},
        ),
        # a number of two or more says what "several" says, more precisely
        ([{"count_text": "several"}, {"count": 2}], {"count": 2}),
        # Japan's first "a missile" against the JCS's later "more than 10"
        (
            [{"count": 1}, {"count": 1}, {"count": 1}, {"count_text": "more than 10"}],
            {"count_text": "more than 10"},
        ),
        ([{"count": 10}, {"count_text": "more than 10"}], {"count_text": "more than 10"}),
    ],
)
def test_an_event_shows_one_count_never_a_number_beside_several(reports, expected):
    merged, detail = merge_facts(list(enumerate(reports, 1)), LAUNCH)
    assert {k: v for k, v in merged.items() if k.startswith("count")} == expected
    assert sum(len(d["articles"]) for k in ("count", "count_text") for d in detail.get(k, [])) == (
        len(reports)
    )  # every stated count stays in the detail


def test_signatures_and_band_keys_are_stable_across_versions():
    """Band keys are stored: a change of hashing would silently stop new articles from
    matching the archive's. Pinned values; change them only with a migration."""
    sample = (
        "North Korea fired several ballistic missiles toward the sea on Sunday, the South "
        "Korean military said, days after leader Kim Jong Un called for more weapons. "
    ) * 2
    signature = minhash.minhash(text.words(sample))
    assert signature[:3] == (56927053177594791, 36874248868249717, 3770869506226115)
    assert minhash.band_keys(signature)[:2] == [-4111697614961272824, 2840317668772726729]
