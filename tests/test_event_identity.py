"""Grouping by each monitor's declared identity, on a real SQLite file, in-process.

The monitor here reads its facts from bracketed markers in the title or text ("[place: Taiwan /
Hualien County]", "[magnitude: 6.6]", "[at: 2026-03-08T01:05:00Z]"), so each test
states exactly what a report says and the engine's decisions are all that is tested.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import MappingProxyType

import pytest

from crawler import store
from monitors.base import Agreement, ArticleView, EventTime, Identity, Match, Parent
from tests.builders import add_article, outlets_database

MARKER = re.compile(r"\[(\w+)(?::\s*([^\]]+))?\]")
QUAKES = Identity(
    agree=MappingProxyType({"place": Agreement("within"), "magnitude": Agreement("near", 0.4)}),
    min_similarity=0.3,
    merge=MappingProxyType({"place": "most_precise", "deaths": "max"}),
    parent=Parent("aftershock", ("place",), timedelta(days=14), rank="magnitude"),
)


@dataclass(frozen=True)
class MarkerMonitor:
    name: str = "quakes"
    identity: Identity = QUAKES

    def match(self, article: ArticleView) -> Match | None:
        if "quake" not in article.title.casefold():
            return None
        facts: dict = {}
        time = None
        reaction = False
        follow_up = False
        for key, value in MARKER.findall(f"{article.title}\n{article.text}"):
            if key == "place":
                facts["place"] = [part.strip() for part in value.split("/")]
            elif key in ("magnitude", "deaths"):
                facts[key] = float(value) if "." in value else int(value)
            elif key == "aftershock":
                facts["aftershock"] = True
            elif key == "reaction":
                reaction = True
            elif key == "followup":
                follow_up = True
            elif key == "at":
                at = datetime.fromisoformat(value)
                time = EventTime(at - timedelta(minutes=5), at + timedelta(minutes=5), "minute")
        return Match(
            kind="earthquake",
            time=time,
            facts=facts,
            account="follow-up" if reaction or follow_up else "report",
            opens=not reaction,
        )


MONITORS = [MarkerMonitor()]
LIST = "{lead}\xa0\xa0Outlet One{second}\xa0\xa0Outlet Two{third}\xa0\xa0Outlet Three"


@pytest.fixture
def db(tmp_path):
    """A wire (feed 1) and an aggregator (feed 2), as a first crawl leaves them."""
    _, database = outlets_database(tmp_path, "Wire", "Aggregator")
    yield database
    database.close()


def report(db, key: str, title: str, text: str, published: str = "2026-03-08T12:00:00+00:00"):
    return add_article(db, key, title, published, text, MONITORS)


def headline_list(db, key: str, lead: str, published: str = "2026-03-08T12:00:00+00:00"):
    summary = LIST.format(lead=lead, second="Markets rally", third="Election results")
    return add_article(
        db,
        key,
        f"{lead} - News Pool",
        published,
        summary.replace("\xa0\xa0", " "),
        MONITORS,
        feed_id=2,
        summary=summary,
    )


def groups(db) -> dict[str, int]:
    """article URL tail -> event id"""
    return {
        m["url"].rsplit("/", 1)[1]: event["id"]
        for event in store.events.list_events(db, limit=1000)
        for m in store.events.event_members(db, event["id"])
    }


def test_two_quakes_the_same_day_in_different_places_are_two_events(db):
    report(db, "japan", "Strong quake shakes Japan", "[place: Japan / Honshu] [magnitude: 6.0]")
    report(db, "chile", "Strong quake shakes Chile", "[place: Chile] [magnitude: 6.0]")
    found = groups(db)
    assert found["japan"] != found["chile"]


def test_the_same_place_with_far_apart_magnitudes_is_two_shocks(db):
    report(db, "main", "Quake hits Indonesia", "[place: Indonesia] [magnitude: 7.7]")
    report(db, "other", "Quake hits Indonesia", "[place: Indonesia] [magnitude: 6.1]")
    found = groups(db)
    assert found["main"] != found["other"]


def test_a_broader_place_joins_and_the_event_shows_the_most_precise(db):
    report(db, "broad", "Quake jolts Taiwan", "[place: Taiwan] [magnitude: 6.6]")
    report(db, "fine", "Taiwan quake", "[place: Taiwan / Hualien County] [magnitude: 6.7]")
    report(db, "far", "Taiwan quake", "[place: Japan / Okinawa] [magnitude: 6.6]")
    found = groups(db)
    assert found["broad"] == found["fine"] != found["far"]
    event = store.events.get_event(db, found["fine"])
    assert event["facts"]["place"] == ["Taiwan", "Hualien County"]


def test_a_report_that_states_no_place_joins_only_a_headline_alike(db):
    report(db, "first", "Magnitude 6.6 quake strikes off Taiwan", "[place: Taiwan]")
    report(db, "alike", "Quake strikes off Taiwan, magnitude 6.6", "")
    report(db, "unlike", "Quake drill held in schools nationwide", "")
    found = groups(db)
    assert found["alike"] == found["first"]
    assert found["unlike"] != found["first"]


@pytest.mark.parametrize(
    ("first", "second", "when", "joins"),
    [
        # the event knows only the country; the undated report names a magnitude too
        (
            "Rescuers comb rubble after Indonesia quake",
            "Magnitude 6.1 earthquake strikes off Sumatra",
            "",
            False,
        ),
        # the same, the report dated to the minute but the event's time only days
        (
            "Rescuers comb rubble after Indonesia quake",
            "Magnitude 6.1 earthquake strikes off Sumatra",
            "[at: 2026-03-08T09:00:00+00:00]",
            False,
        ),
        # headlines alike: one shock
        ("Strong quake hits Sumatra, Indonesia", "Magnitude 6.1 quake hits Sumatra", "", True),
    ],
)
def test_a_fact_its_event_lacks_needs_a_headline_alike_when_a_time_is_only_days(
    db, first, second, when, joins
):
    place = "[place: Indonesia / Sumatra]" if joins else "[place: Indonesia]"
    report(db, "first", first, place)
    report(
        db,
        "second",
        second,
        f"[place: Indonesia / Sumatra] [magnitude: 6.1] {when}",
        "2026-03-09T06:00:00+00:00",
    )
    found = groups(db)
    assert (found["first"] == found["second"]) is joins
    if not joins:
        assert "names no time" in json.dumps(reason_of(db, found["second"], "second"))


def test_a_dated_report_with_a_fact_its_event_lacks_joins_on_the_facts_it_shares(db):
    at = "[at: 2026-03-08T09:00:00+00:00]"
    report(db, "rescue", "Rescuers comb rubble after Indonesia quake", f"[place: Indonesia] {at}")
    report(
        db, "dated", "Magnitude 6.1 earthquake strikes", f"[place: Indonesia] [magnitude: 6.1] {at}"
    )
    found = groups(db)
    assert found["rescue"] == found["dated"]


def test_an_undated_report_saying_less_than_its_event_joins_it(db):
    report(
        db,
        "main",
        "Magnitude 6.1 earthquake strikes off Sumatra",
        "[place: Indonesia / Sumatra] [magnitude: 6.1]",
    )
    report(
        db,
        "less",
        "Families sleep outdoors after Indonesia quake",
        "[place: Indonesia]",
        "2026-03-09T06:00:00+00:00",
    )
    found = groups(db)
    assert found["main"] == found["less"]


def test_a_monitor_may_let_undated_reports_join_on_the_facts_they_share(tmp_path):
    lenient = MarkerMonitor(identity=replace(QUAKES, undated_checks_facts=False))
    _, database = outlets_database(tmp_path, "Wire", "Aggregator")
    add_article(
        database,
        "rescue",
        "Rescuers comb rubble after Indonesia quake",
        "2026-03-08T12:00:00+00:00",
        "[place: Indonesia]",
        [lenient],
    )
    add_article(
        database,
        "sumatra",
        "Magnitude 6.1 earthquake strikes off Sumatra",
        "2026-03-09T06:00:00+00:00",
        "[place: Indonesia / Sumatra] [magnitude: 6.1]",
        [lenient],
    )
    found = groups(database)
    database.close()
    assert found["rescue"] == found["sumatra"]


def reason_of(db, event_id: int, key: str) -> dict:
    for m in store.events.event_members(db, event_id):
        if m["url"].endswith("/" + key):
            return json.loads(m["reason"]) if isinstance(m["reason"], str) else m["reason"]
    raise AssertionError(f"{key} is not in event {event_id}")


def test_a_count_that_grows_shows_the_largest(db):
    report(db, "early", "Quake kills 3 in Peru", "[place: Peru] [deaths: 3]")
    report(db, "later", "Peru quake toll rises", "[place: Peru] [deaths: 12]")
    report(db, "third", "Peru quake", "[place: Peru] [deaths: 3]")
    event = store.events.list_events(db)[0]
    assert event["facts"]["deaths"] == 12


def test_two_independent_lists_that_agree_open_an_event_and_a_report_joins_it(db):
    headline_list(db, "list-1", "Strong quake hits eastern Taiwan [place: Taiwan]")
    assert store.events.list_events(db) == []  # one list alone opens nothing
    headline_list(db, "list-1-again", "Strong quake hits eastern Taiwan [place: Taiwan]")
    assert store.events.list_events(db) == []  # the same headline again is no new witness
    headline_list(db, "list-2", "Quake: buildings sway [place: Taiwan / Taipei]")
    (event,) = store.events.list_events(db)
    assert event["origin"] == "lists"
    report(db, "direct", "Quake hits Taiwan", "[place: Taiwan / Hualien County]")
    found = groups(db)
    assert found["direct"] == found["list-1"] == found["list-2"] == event["id"]
    roles = {
        m["url"].rsplit("/", 1)[1]: m["role"] for m in store.events.event_members(db, event["id"])
    }
    assert roles["direct"] == "first report"
    assert roles["list-2"] == "listed"


def test_lists_about_different_quakes_open_nothing(db):
    headline_list(db, "list-japan", "Strong quake hits Japan [place: Japan]")
    report(db, "unrelated", "Markets rally", "")
    headline_list(db, "list-peru", "Deadly quake strikes Peru [place: Peru]")
    assert store.events.list_events(db) == []


def test_a_reaction_waits_for_a_report_then_joins(db):
    report(db, "aid", "Quake: allies pledge aid", "[place: Nepal] [reaction]")
    assert store.events.list_events(db) == []
    report(db, "report", "Quake hits Nepal", "[place: Nepal] [magnitude: 7.1]")
    found = groups(db)
    assert found["aid"] == found["report"]


def test_an_aftershock_is_its_own_event_linked_to_its_main_shock(db):
    report(
        db,
        "main",
        "Quake hits Indonesia",
        "[place: Indonesia / Sulawesi] [magnitude: 7.7] [at: 2026-03-08T02:00:00+00:00]",
    )
    report(
        db,
        "after",
        "Aftershock quake rattles Indonesia",
        "[place: Indonesia / Sulawesi] [magnitude: 6.1] [aftershock] "
        "[at: 2026-03-08T09:00:00+00:00]",
        published="2026-03-08T10:00:00+00:00",
    )
    found = groups(db)
    assert found["main"] != found["after"]
    assert store.events.get_event(db, found["after"])["parent_id"] == found["main"]
    assert store.events.get_event(db, found["main"])["parent_id"] is None


def test_an_aftershock_without_a_magnitude_never_joins_its_main_shock(db):
    report(db, "main", "Quake hits Granada", "[place: Spain / Granada] [magnitude: 4.7]")
    report(db, "after", "Aftershock quake rattles Granada", "[place: Spain / Granada] [aftershock]")
    report(db, "more", "Quake: more aftershocks", "[place: Spain / Granada] [aftershock]")
    found = groups(db)
    assert found["main"] != found["after"] == found["more"]
    assert store.events.get_event(db, found["after"])["parent_id"] == found["main"]


def test_one_list_naming_an_aftershock_of_a_known_shock_opens_its_own_event(db):
    headline_list(
        db, "orphan", "Aftershock quake rattles Crete [place: Greece / Crete] [aftershock]"
    )
    assert store.events.list_events(db) == []  # no shock it follows: one list opens nothing
    report(db, "main", "Quake hits Granada", "[place: Spain / Granada] [magnitude: 5.0]")
    headline_list(
        db, "after", "Aftershock quake rattles Granada [place: Spain / Granada] [aftershock]"
    )
    found = groups(db)
    assert "orphan" not in found
    assert found["after"] != found["main"]
    assert store.events.get_event(db, found["after"])["parent_id"] == found["main"]


def test_a_list_naming_an_aftershock_opens_when_its_main_shock_does(db):
    headline_list(
        db, "after", "Aftershock quake rattles Granada [place: Spain / Granada] [aftershock]"
    )
    assert store.events.list_events(db) == []
    report(db, "main", "Quake hits Granada", "[place: Spain / Granada] [magnitude: 5.0]")
    found = groups(db)
    assert found["after"] != found["main"]
    assert store.events.get_event(db, found["after"])["parent_id"] == found["main"]


def test_a_follow_up_reaches_back_to_the_shock_it_follows(tmp_path):
    reaching = MarkerMonitor(identity=replace(QUAKES, follow_up_reach=timedelta(days=14)))
    for monitors, name in (([reaching], "reach"), (MONITORS, "none")):
        (tmp_path / name).mkdir()
        _, database = outlets_database(tmp_path / name, "Wire", "Aggregator")
        at = "[at: 2026-03-08T02:00:00+00:00]"
        add_article(
            database,
            "main",
            "Quake hits Peru",
            "2026-03-08T03:00:00+00:00",
            f"[place: Peru] [magnitude: 7.0] {at}",
            monitors,
        )
        add_article(
            database,
            "losses",
            "Peru quake losses mount",
            "2026-03-17T12:00:00+00:00",
            "[place: Peru] [followup]",
            monitors,
        )
        found = groups(database)
        database.close()
        # ten days later: only a follow-up that reaches back finds the shock
        assert (found["main"] == found["losses"]) is (name == "reach")


def test_time_words_dating_something_after_the_report_do_not_date_the_event(db):
    at = "[at: 2026-03-08T02:00:00+00:00]"
    report(db, "main", "Quake hits Peru", f"[place: Peru] [magnitude: 7.0] {at}")
    later = "[at: 2026-03-09T20:00:00+00:00]"  # after its own publication: what followed
    report(db, "toll", "Peru quake toll", f"[place: Peru] {later}", "2026-03-08T12:00:00+00:00")
    found = groups(db)
    assert found["toll"] == found["main"]


def test_every_member_says_why_it_joined(db):
    report(db, "first", "Quake hits Taiwan", "[place: Taiwan] [magnitude: 6.6]")
    report(db, "second", "Taiwan quake", "[place: Taiwan / Hualien County] [magnitude: 6.5]")
    report(db, "mexico", "Quake hits Mexico", "[place: Mexico] [magnitude: 6.5]")
    reasons = {
        m["url"].rsplit("/", 1)[1]: json.loads(m["reason"])
        for event in store.events.list_events(db, limit=1000)
        for m in store.events.event_members(db, event["id"])
    }
    assert reasons["first"]["decision"] == "opened"
    assert reasons["second"]["decision"] == "joined"
    assert reasons["second"]["agreed"] == {
        "place": ["Taiwan", "Hualien County"],
        "magnitude": 6.5,
    }
    assert reasons["mexico"]["decision"] == "opened"
    (compared,) = reasons["mexico"]["compared"]
    assert compared["conflict"] == "place differs: Taiwan / Hualien County vs Mexico"


def test_a_busy_monitor_still_finds_its_older_events(db):
    """Every event overlapping the report's time is a candidate, however many there are."""
    for n in range(60):
        report(db, f"q{n}", f"Quake {n}", f"[place: Country {n}]")
    report(db, "again", "Quake 0 again", "[place: Country 0]")
    found = groups(db)
    assert found["again"] == found["q0"]


def member(n: int, start: str, end: str, precision: str, published: str = "2026-01-27T12:00:00Z"):
    return {
        "article_id": n,
        "time_start": start,
        "time_end": end,
        "precision": precision,
        "account": "report",
        "role": "report",
        "headline": None,
        "matched_at": published,
        "published_utc": published,
        "fetched_at": published,
    }


TUESDAY_KST = ("2026-01-26T15:00:00Z", "2026-01-27T15:00:00Z", "day")
MONDAY_NIGHT_KST = ("2026-01-26T09:00:00Z", "2026-01-26T15:00:00Z", "part_of_day")
CLOCK = ("2026-01-27T06:39:00Z", "2026-01-27T07:09:00Z", "minute")
UNDATED_EARLY = ("2026-01-25T01:00:00Z", "2026-01-27T01:00:00Z", "days")


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        # a stated clock sets the time over the day words that contain it
        ([TUESDAY_KST, TUESDAY_KST, CLOCK], CLOCK),
        # a lone part of day read in the wrong zone loses to the reports contradicting it
        ([MONDAY_NIGHT_KST, TUESDAY_KST, TUESDAY_KST], TUESDAY_KST),
        ([MONDAY_NIGHT_KST, TUESDAY_KST, CLOCK], CLOCK),
        # a report naming no time (a misdated feed item) contradicts nothing
        ([UNDATED_EARLY, UNDATED_EARLY, UNDATED_EARLY, TUESDAY_KST, CLOCK], CLOCK),
        # with no time named at all, the days before the reports
        ([UNDATED_EARLY], UNDATED_EARLY),
    ],
)
def test_the_event_time_is_the_best_supported_sharp_estimate(reports, expected):
    from crawler.events.summary import event_time, member_roles

    members = [member(n, *r) for n, r in enumerate(reports, 1)]
    start, end, precision, _ = event_time(members, member_roles(members), QUAKES)
    assert (start, end, precision) == expected


def test_the_event_time_improves_as_better_reports_arrive():
    from crawler.events.summary import event_time, member_roles

    members = [member(1, *TUESDAY_KST)]
    assert event_time(members, member_roles(members))[2] == "day"
    members.append(member(2, *CLOCK))
    assert event_time(members, member_roles(members))[:3] == CLOCK


def test_follow_ups_bound_only_the_end_of_an_undated_event():
    from crawler.events.summary import event_time, member_roles

    # accounts of what followed, a week apart: each says the shock came before it
    early = member(
        1, "2026-01-13T12:00:00Z", "2026-01-20T12:00:00Z", "days", "2026-01-20T12:00:00Z"
    )
    late = member(2, "2026-01-20T12:00:00Z", "2026-01-27T12:00:00Z", "days", "2026-01-27T12:00:00Z")
    members = [{**early, "account": "follow-up"}, {**late, "account": "follow-up"}]
    start, end, precision, _ = event_time(members, member_roles(members), QUAKES)
    assert (start, end, precision) == ("2026-01-13T12:00:00Z", "2026-01-20T12:00:00Z", "days")
    # two reports (not follow-ups) a week apart narrow it to what both allow
    start, _, _, _ = event_time([early, late], member_roles([early, late]), QUAKES)
    assert start == "2026-01-20T12:00:00Z"
