"""The missile-launch monitor on the demo outlets and on small hand-written texts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.parse.extract import extract_page
from monitors import build
from monitors.base import ArticleView, Match, MonitorConfig
from monitors.missile_launch import MissileLaunchMonitor, from_config

DEMO = Path(__file__).resolve().parent.parent / "crawler" / "demo" / "data"
FIXTURES = Path(__file__).resolve().parent / "data" / "monitors"
BASE = "http://127.0.0.1:8000"
LAUNCH_4_JAN = datetime(2026, 1, 3, 22, 50, tzinfo=UTC)  # 07:50 KST Sunday 4 Jan
MONITOR = from_config(MonitorConfig("missiles", "missile_launch", {}))

SAME_EVENT = [
    "harbor/2026/01/04/north-korea-fires-ballistic-missiles-toward-sea.html",
    "eastbridge/world/2026/01/04/north-korea-launches-missiles-seaward.html",
    "ledger/news/20260104/north-korea-missiles-pyongyang-900km.html",
    "tokyo/news/2026/01/04/japan-north-korea-missiles-outside-eez.html",
    "ledger/news/20260105/north-korea-says-it-tested-hypersonic-missile.html",
]
NOT_REPORTS = [
    "pacific/2026/01/14/analysis-north-korea-missiles-party-congress.html",
    "pacific/2026/01/20/typhoon-kalen-alon-islands.html",
    "harbor/2026/01/03/riverside-united-beat-northgate-to-go-top.html",
    "harbor/internal/embargoed-story.html",
    "eastbridge/business/2026/01/03/bank-of-caldera-holds-rates.html",
    "eastbridge/culture/2026/01/02/harbour-lights-film-festival-opens.html",
    "ledger/news/20260103/hanul-electronics-unveils-rollable-laptop.html",
    "tokyo/news/2026/01/04/heavy-snow-halts-trains-northern-japan.html",
    "tokyo/news/2026/01/05/minato-museum-of-light-reopens.html",
    "tokyo/news/2026/01/06/kawabe-fc-signs-striker.html",
]


def demo_article(path: str) -> ArticleView:
    html = (DEMO / path).read_text(encoding="utf-8").replace("{{BASE}}", BASE)
    page = extract_page(html.encode(), f"{BASE}/{path}")
    published = datetime.fromisoformat(page.published) if page.published else None
    return ArticleView(
        url=f"{BASE}/{path}", title=page.title or "", text=page.text, published=published
    )


def fixture_article(name: str) -> ArticleView:
    """tests/data/monitors/NAME.txt: `published:` and `title:` (and `language:`) lines, a
    blank line, the body."""
    head, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return ArticleView(
        url=f"test:{name}",
        title=meta["title"],
        text=body,
        published=datetime.fromisoformat(meta["published"]),
        language=meta.get("language"),
    )


def article(
    text: str, title: str = "", published: str = "2026-01-04T09:00:00+09:00"
) -> ArticleView:
    return ArticleView(
        url="test:", title=title, text=text, published=datetime.fromisoformat(published)
    )


def launch(view: ArticleView, monitor: MissileLaunchMonitor = MONITOR) -> Match:
    found = monitor.match(view)
    assert found is not None, view.url
    assert found.kind == "missile_launch"
    assert found.evidence
    return found


@pytest.mark.parametrize("path", SAME_EVENT)
def test_reports_of_the_4_january_launch_match_with_overlapping_times(path: str) -> None:
    found = launch(demo_article(path))
    assert found.time is not None
    assert found.time.start <= LAUNCH_4_JAN <= found.time.end
    assert found.facts["actor"] == "North Korea"


def test_wire_report_facts() -> None:
    found = launch(demo_article(SAME_EVENT[0]))
    assert dict(found.facts) == {
        "actor": "North Korea",
        "count_text": "several",
        "missile_types": ["ballistic"],
        "distance_km": 900,
        "launch_area": "area around Pyongyang",
        "landing_area": "sea",
    }
    assert found.time is not None and found.time.precision == "minute"
    assert "fired several ballistic missiles" in (found.evidence or "")


def test_verbatim_copy_gives_the_same_match_as_the_original() -> None:
    original, copy = (launch(demo_article(p)) for p in SAME_EVENT[:2])
    assert (copy.time, copy.facts, copy.evidence) == (
        original.time,
        original.facts,
        original.evidence,
    )


def test_reworded_report_and_japanese_angle_facts() -> None:
    ledger = launch(demo_article(SAME_EVENT[2]))
    assert ledger.facts["launch_area"] == "Pyongyang area"
    assert ledger.facts["landing_area"] == "waters off its coast"
    tokyo = launch(demo_article(SAME_EVENT[3]))
    assert tokyo.facts["landing_area"] == "outside Japan's exclusive economic zone"
    assert tokyo.facts["distance_km"] == 900


def test_state_media_follow_up_is_a_report_of_the_same_launch() -> None:
    found = launch(demo_article(SAME_EVENT[4]))
    assert "hypersonic" in found.facts["missile_types"]
    assert found.facts["count"] == 1


def test_the_27_january_launch_is_dated_27_january() -> None:
    found = launch(
        demo_article("pacific/2026/01/27/north-korea-fires-ballistic-missiles-east-sea.html")
    )
    assert found.time is not None
    local = found.time.start.astimezone(MONITOR.zone)
    assert (local.month, local.day, local.hour, local.minute) == (
        1,
        27,
        15,
        35,
    )  # "at about 3:50 p.m.": ±15 min
    assert found.time.end < datetime(2026, 1, 27, 7, 25, tzinfo=UTC)
    assert found.facts["distance_km"] == 350
    assert found.facts["landing_area"] == "East Sea"


@pytest.mark.parametrize("path", NOT_REPORTS)
def test_analysis_and_unrelated_stories_do_not_match(path: str) -> None:
    assert MONITOR.match(demo_article(path)) is None


def test_paraphrased_seed_article_matches() -> None:
    found = launch(fixture_article("seed-paraphrase"))
    assert found.time is not None and found.time.start <= LAUNCH_4_JAN <= found.time.end
    assert found.facts["distance_km"] == 900
    assert found.facts["count_text"] == "several"


@pytest.mark.parametrize("name", ["court-case", "sanctions", "explainer"])
def test_articles_that_only_mention_launches_do_not_match(name: str) -> None:
    assert MONITOR.match(fixture_article(name)) is None


def test_south_korean_test_is_not_a_north_korean_launch() -> None:
    """Decision: the monitor watches launches BY its actors. South Korea's own test
    mentions North Korea but is South Korea's; it matches only when South Korea is
    configured as an actor."""
    view = fixture_article("south-korea-test")
    assert MONITOR.match(view) is None
    seoul = from_config(MonitorConfig("rok", "missile_launch", {"actors": ["South Korea"]}))
    found = launch(view, seoul)
    assert found.facts["actor"] == "South Korea"
    assert found.facts["missile_types"] == ["Hyunmoo-5", "ballistic"]


def test_cruise_missiles_with_count_distance_and_launch_site() -> None:
    found = launch(fixture_article("cruise-missiles"))
    assert found.facts["count"] == 2
    assert found.facts["missile_types"] == ["cruise"]
    assert found.facts["distance_km"] == 1500
    assert found.facts["launch_area"] == "Nampo"
    assert found.facts["landing_area"] == "Yellow Sea"
    assert found.time is not None and found.time.precision == "minute"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "North Korea fired two short-range ballistic missiles on Sunday, Seoul said.",
            {"count": 2, "missile_types": ["ballistic", "short-range ballistic"]},
        ),
        (
            "North Korea launched a ballistic missile toward the sea on Sunday, the JCS said.",
            {"count": 1, "missile_types": ["ballistic"], "landing_area": "sea"},
        ),
        (
            "North Korea fired multiple missiles into the East Sea on Sunday, officials said.",
            {"count_text": "several", "landing_area": "East Sea"},
        ),
        (
            "North Korea fired a missile on Sunday that flew about 370 miles, officials said.",
            {"count": 1, "distance_km": 595},
        ),
        (
            "North Korea test-fired an ICBM on Sunday, Japan said. It reached an altitude of "
            "6,000 kilometers and flew 1,000 km before landing off its east coast.",
            {
                "count": 1,
                "missile_types": ["ICBM"],
                "apogee_km": 6000,
                "distance_km": 1000,
                "landing_area": "off its east coast",
            },
        ),
        (
            "Pyongyang fired three Hwasong-11 missiles from near Wonsan early Sunday, Seoul said.",
            {"count": 3, "missile_types": ["Hwasong-11"], "launch_area": "Wonsan"},
        ),
    ],
)
def test_facts_from_short_reports(text: str, expected: dict) -> None:
    found = launch(article(text))
    assert {k: v for k, v in found.facts.items() if k != "actor"} == expected


@pytest.mark.parametrize(
    "text",
    [
        "North Korea could launch an ICBM within weeks, U.S. officials warned on Sunday.",
        "North Korea is expected to test-fire missiles ahead of the party congress.",
        "North Korea has fired more than 100 missiles since 2022, according to a new study.",
        "Japan launched a spy satellite on Sunday, the space agency said.",
        "The film festival's launch party was held on Sunday, organisers said.",
        "Analysts said on Sunday that North Korea launched missiles in 2017 to pressure the U.S.",
    ],
)
def test_non_reports_in_short_texts(text: str) -> None:
    assert MONITOR.match(article(text)) is None


def test_analysis_headline_needs_a_dated_reported_launch_in_the_lead() -> None:
    title = "Analysis: Why North Korea keeps firing missiles"
    background = "North Korea fired missiles again, a reminder of its growing arsenal."
    assert MONITOR.match(article(background, title)) is None
    news = "North Korea fired two ballistic missiles early Sunday, South Korea's military said."
    assert launch(article(news, title)).facts["count"] == 2


def test_headline_alone_can_report_a_launch() -> None:
    found = launch(
        article("Officials gave no further details.", "N. Korea fires ballistic missile")
    )
    assert found.evidence == "N. Korea fires ballistic missile"
    assert found.time is not None and found.time.precision == "days"


def test_from_config_and_registry() -> None:
    built = build(MonitorConfig("m", "missile_launch", {"zone": "Asia/Tokyo"}))
    assert isinstance(built, MissileLaunchMonitor)
    assert str(built.zone) == "Asia/Tokyo" and built.actors == ("North Korea",)
    with pytest.raises(ValueError, match="zone"):
        from_config(MonitorConfig("m", "missile_launch", {"zone": "Mars/Olympus"}))
    with pytest.raises(ValueError, match="actors"):
        from_config(MonitorConfig("m", "missile_launch", {"actors": []}))
    with pytest.raises(ValueError, match="unknown option 'actor'"):
        from_config(MonitorConfig("m", "missile_launch", {"actor": "North Korea"}))


# -- real headline shapes ----------------------------------------------------------

MONDAY_29_DEC = "2025-12-29T18:41:00+09:00"


@pytest.mark.parametrize(
    ("title", "lead", "account"),
    [
        # house styles name the actor
        (
            "N Korea's Kim oversees hypersonic missile tests, cites geopolitical crisis",
            "",
            "confirmation",
        ),
        (
            "Lee begins China visit after North fires missiles",
            "South Korea's president arrived in Beijing hours after the launch.",
            "report",
        ),
        (
            "North Korea's Kim Jong Un oversees cruise missile launches - Reuters",
            "",
            "confirmation",
        ),
        (
            "North Korea’s Kim oversees test launch of long-range cruise missiles",
            "",
            "confirmation",
        ),
        (
            "North Korea test-launches hypersonic missile system in front of Kim, nation says",
            "",
            "confirmation",
        ),
        ("North Korea says latest missile tests involved hypersonic weapons", "", "confirmation"),
        ("North Korea conducts hypersonic missile test", "", "report"),
        ("North Korea test-fires cruise missiles off west coast", "", "report"),
        ("N.Korea fires two unidentified projectiles toward sea", "", "report"),
        ("Japan on high alert after North Korea's ballistic missile launch", "", "report"),
        # a headline about what followed the launch
        ("US, Japan, South Korea Hold Talks After North Korean Missiles", "", "follow-up"),
    ],
)
def test_real_headline_shapes_are_reports(title: str, lead: str, account: str) -> None:
    found = launch(article(lead, title, MONDAY_29_DEC))
    assert found.facts["actor"] == "North Korea"
    assert found.account == account


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        ("North Korea unveils nuclear submarine that can launch ballistic missiles", ""),
        ("North Korea’s First Nuclear Powered Missile Submarine is Revealed - navalnews.com", ""),
        ("North Korea shows off new submarine-launched ballistic missile at parade", ""),
        ("Kim Jong Un opens party congress, vows more nuclear-capable missiles", ""),
        ("Kim tours weapons exhibition featuring new ICBMs and hypersonic missiles", ""),
        ("UN panel says sanctions fail to curb North Korea's missile launches", ""),
        ("North Korea conducts ground test of new ICBM engine, KCNA says", ""),
        ("North Korea debuts new launcher for nuclear missiles aimed at South Korea", ""),
        ("China fires rockets towards Taiwan in war games", ""),
        (
            "Kim Jong Un visits munitions factory",
            "North Korea has fired more than 100 missiles since 2022, analysts said.",
        ),
    ],
)
def test_stories_about_submarines_congresses_shows_and_sanctions_are_not_launches(
    title: str, lead: str
) -> None:
    assert MONITOR.match(article(lead, title, MONDAY_29_DEC)) is None


def test_facts_come_from_the_whole_text_with_their_sentences() -> None:
    text = "\n".join(
        [
            "North Korea fired ballistic missiles toward the sea on Sunday, officials said.",
            "The launch came hours before South Korea's president left for China.",
            "Officials met in emergency session and urged calm.",
            "South Korea's Joint Chiefs of Staff said the two missiles flew about 900 "
            "kilometers after being launched from near Pyongyang around 7:50 a.m.",
        ]
    )
    found = launch(article(text, "North Korea fires missiles", "2026-01-04T12:00:00+09:00"))
    assert found.facts["count"] == 2
    assert found.facts["distance_km"] == 900
    assert found.facts["launch_area"] == "Pyongyang"
    assert "flew about 900" in found.fact_evidence["distance_km"]
    assert "flew about 900" in found.fact_evidence["count"]


def test_background_sentences_give_no_facts() -> None:
    """The 27 January short-range launch is not cruise nor hypersonic: those were earlier."""
    text = "\n".join(
        [
            "North Korea fired two short-range ballistic missiles into the sea on Tuesday, "
            "South Korea's military said.",
            "In December, the country tested cruise missiles off its west coast.",
            "It was the first launch since the hypersonic test in early January.",
            "Cruise missiles are harder to detect than ICBMs, experts say.",
        ]
    )
    found = launch(article(text, "North Korea fires missiles", "2026-01-27T18:00:00+09:00"))
    assert found.facts["missile_types"] == ["ballistic", "short-range ballistic"]
    assert found.facts["count"] == 2


def test_a_clock_time_is_not_a_count_and_a_count_is_one_fact() -> None:
    found = launch(article("North Korea fired missiles at 07:41 on Sunday, the JCS said."))
    assert "count" not in found.facts
    both = (
        "North Korea test-fired two strategic cruise missiles on Sunday, state media said.\n"
        "The JCS said it had detected the launch of multiple cruise missiles."
    )
    found = launch(article(both))
    assert found.facts["count"] == 2 and "count_text" not in found.facts


def test_a_byline_stamp_is_not_the_launch_time() -> None:
    text = (
        "December 29, 2025 09:41 GMT\n"
        "North Korea test-fired two strategic cruise missiles, according to state media."
    )
    found = launch(article(text, "North Korea fires cruise missiles", "2025-12-29T09:41:00Z"))
    assert found.time is not None and found.time.precision == "days"
