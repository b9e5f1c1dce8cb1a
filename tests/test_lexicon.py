"""Lexicons: loading, validation with clear messages, routing, and a new language as a file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitors.base import ArticleView, MonitorConfig
from monitors.language import FOLDER, load_language
from monitors.launchrules import BUILTIN, choose, load_folder, load_lexicon
from monitors.lexicon import LexiconError
from monitors.missile_launch import from_config

DATA = Path(__file__).resolve().parent / "data" / "lexicons"
ENGLISH = BUILTIN / "en.yaml"


def test_the_builtin_lexicons_load_and_name_their_language() -> None:
    lexicons = load_folder(BUILTIN)
    assert set(lexicons) >= {"en", "ko", "ja"}
    for code, lexicon in lexicons.items():
        assert lexicon.language == code and lexicon.patterns and lexicon.time.dates


def write(tmp_path: Path, language: str, change, source: Path = ENGLISH) -> Path:
    """A copy of the English lexicon under another language code, changed by `change`,
    with a copy of the English language file beside it (`language/<code>.yaml`)."""
    general = yaml.safe_load((FOLDER / "en.yaml").read_text(encoding="utf-8"))
    general["language"] = language
    (tmp_path / "language").mkdir(exist_ok=True)
    (tmp_path / "language" / f"{language}.yaml").write_text(
        yaml.safe_dump(general, allow_unicode=True), encoding="utf-8"
    )
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["language"] = language
    change(data)
    path = tmp_path / f"{language}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["launch"].update(history="(unclosed"), r"launch\.history: invalid regular"),
        (lambda d: d["launch"].pop("patterns"), r"launch\.patterns: missing"),
        (lambda d: d["launch"].update(histroy="x"), r"launch\.histroy: unknown key"),
        (
            lambda d: d["launch"]["patterns"][0].update(pattern="(?i)fired"),
            r"launch\.patterns\[0\]\.pattern: the pattern needs the group\(s\) verb",
        ),
        (lambda d: d["launch"].update(nouns="{nuons}"), r"launch\.nouns: unknown fragment"),
        (lambda d: d["facts"]["numbers"].update(two="2"), r"facts\.numbers\.two: expected"),
        (lambda d: d.update(language="english"), r"language: expected the file's name"),
        (lambda d: d.update(time={}), r"time: unknown key"),  # time words: the language file
        (lambda d: d["event_time"].update(clock="x"), r"event_time\.clock: unknown key"),
    ],
)
def test_a_malformed_lexicon_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, change, message: str
) -> None:
    path = write(tmp_path, "qq", change)
    with pytest.raises(LexiconError, match=message) as refused:
        load_lexicon(path)
    assert str(path) in str(refused.value)
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["time"]["months"].update(jan=13), r"time\.months\.jan: expected a month"),
        (
            lambda d: d["time"]["relative_days"].update(today=[0, "noon", False]),
            r"time\.relative_days\.today: expected",
        ),
        (lambda d: d["time"]["zones"].update(KST="Mars/Olympus"), r"time\.zones\.KST"),
        (lambda d: d["units"].update(km=["m"]), r"units\.km: expected \[base unit, factor\]"),
        (lambda d: d["numbers"].update(decimals="."), r"numbers\.decimals: unknown key"),
        (lambda d: d.pop("script"), r"script: missing"),
        (lambda d: d.update(terms={"particles": []}), r"terms\.particles: unknown key"),
    ],
)
def test_a_malformed_language_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, change, message: str
) -> None:
    data = yaml.safe_load((FOLDER / "en.yaml").read_text(encoding="utf-8"))
    data["language"] = "qq"
    change(data)
    path = tmp_path / "qq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as refused:
        load_language(path)
    assert str(path) in str(refused.value)


def test_a_lexicon_needs_a_file_for_its_language(tmp_path: Path) -> None:
    path = write(tmp_path, "qq", lambda d: None)
    (tmp_path / "language" / "qq.yaml").unlink()
    (tmp_path / "language").rmdir()
    with pytest.raises(LexiconError, match=r"qq\.yaml: language: no language file qq\.yaml"):
        load_lexicon(path)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "qq.yaml"
    path.write_text("language: [unclosed\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"qq\.yaml: not valid YAML"):
        load_lexicon(path)


def test_a_bad_lexicon_folder_fails_when_the_monitor_is_built(tmp_path: Path) -> None:
    write(tmp_path, "qq", lambda d: d["launch"].update(reporting="[a-"))
    options = {"lexicons": str(tmp_path)}
    with pytest.raises(ValueError, match=r"option 'lexicons': .*qq\.yaml: launch\.reporting"):
        from_config(MonitorConfig("m", "missile_launch", options))


def test_a_new_language_is_only_a_yaml_file() -> None:
    """tests/data/lexicons/xx/xx.yaml, a made-up language, read by the same engine."""
    monitor = from_config(MonitorConfig("m", "missile_launch", {"lexicons": str(DATA / "xx")}))
    view = ArticleView(
        url="test:xx",
        title="Nordkoreo pafis misilojn",
        text="Nordkoreo pafis du misilojn en la Orienta Maro dimanĉo je 7h50, Sudkoreo diris. "
        "La misiloj flugis 900 km.",
        published=datetime(2026, 1, 4, 9, 0, tzinfo=UTC),
        language="xx",
    )
    found = monitor.match(view)
    assert found is not None
    assert found.facts == {
        "actor": "North Korea",
        "count": 2,
        "landing_area": "East Sea",
        "distance_km": 900,
    }
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= datetime(2026, 1, 3, 22, 50, tzinfo=UTC) <= found.time.end
    # the same text under the built-in languages only: nothing
    builtin = from_config(MonitorConfig("m", "missile_launch", {}))
    assert builtin.match(view) is None
    # South Korea's launch in that language is not North Korea's
    other = ArticleView(view.url, "Sudkoreo pafis misilon", "", view.published, "xx")
    assert monitor.match(other) is None


@pytest.mark.parametrize(
    ("declared", "title", "language"),
    [
        ("ko", "北, 동해상으로 탄도미사일 발사", "ko"),
        (None, "北, 동해상으로 탄도미사일 발사", "ko"),
        (
            "ko",
            "北朝鮮が弾道ミサイル発射 EEZ外に落下か",
            "ja",
        ),  # Naver says ko for Yonhap's Japanese
        ("ko-KR", "N. Korea fires ballistic missile", "en"),
        ("ja", "北朝鮮　２８日に長距離巡航ミサイル発射", "ja"),
        ("fr", "La Corée du Nord tire des missiles", "fr"),
        ("es-ES", "Corea del Norte lanza misiles", "es"),
        # French and Spanish share English's letters: chosen by the language, never by
        # their accents ("Séoul" in an English text), and not for a Korean text
        (None, "La Corée du Nord tire des missiles", "en"),
        ("en", "N. Korea fires missiles, Séoul says", "en"),
        ("fr", "北, 동해상으로 탄도미사일 발사", "ko"),
        ("de", "Nordkorea feuert Raketen ab", "en"),  # no German lexicon: English
        (None, "", "en"),
    ],
)
def test_the_lexicon_is_the_declared_language_if_the_text_is_in_its_script(
    declared: str | None, title: str, language: str
) -> None:
    assert choose(load_folder(BUILTIN), declared, title, "").language == language


PIECES = [
    "北",
    "북",
    "북한이",
    "北朝鮮が",
    "탄도미사일",
    "弾道ミサイル",
    "발사",
    "発射",
    "했다고",
    "28일",
    "오전 8시께",
    "4日午前7時50分ごろ",
    "1만199초",
    "１万２０３秒",
    "900㎞",
    "約900キロ飛行",
    "수발",
    "数発",
    "동해상",
    "EEZ外",
    "missiles",
    "fired",
    "(",
    "“",
    "」",
    ". ",
    "。",
    "\n",
    "?",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=25),
    st.lists(st.sampled_from(PIECES), max_size=6),
    st.sampled_from([None, "ko", "ja", "en", "fr", "es", "ko-KR", "xx", ""]),
)
def test_the_monitor_never_raises_on_any_text_in_any_language(text, title, language) -> None:
    view = ArticleView(
        "test:any", "".join(title), " ".join(text), datetime(2026, 1, 4, tzinfo=UTC), language
    )
    MONITOR.match(view)  # a Match or None, never an exception


MONITOR = from_config(MonitorConfig("m", "missile_launch", {}))
