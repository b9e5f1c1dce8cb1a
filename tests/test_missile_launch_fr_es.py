"""The missile-launch monitor on French and Spanish reports: wire-style headlines and leads
written for these tests (Reuters' French and Spanish services carried the 20 August 2026
launch in feed-replay-aug2026), and the articles about something else that name the same
countries or weapons.

French and Spanish share English's letters, so their lexicons are chosen by the
article's language (declared, or detected by the crawler), never by their accents.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitors.base import ArticleView, Match, MonitorConfig
from monitors.missile_launch import from_config
from tests.test_missile_launch import launch as any_launch

MONITOR = from_config(MonitorConfig("missiles", "missile_launch", {}))
PUBLISHED = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
LAUNCH_20_AUG = datetime(2026, 8, 20, 8, 4, tzinfo=UTC)  # 17:04 KST

FR_LEAD = (
    "SÉOUL, 20 août (Reuters) - La Corée du Nord a tiré jeudi vers 17h04 (heure de Séoul) "
    "plus de dix missiles balistiques à courte portée depuis la région de Pyongyang, qui ont "
    "parcouru environ 300 km avant de s'abîmer en mer du Japon, a annoncé l'état-major "
    "sud-coréen."
)
ES_LEAD = (
    "SEÚL, 20 ago (Reuters) - Corea del Norte disparó el jueves a las 17.04 hora local más "
    "de diez misiles balísticos de corto alcance desde la zona de Pyongyang que volaron unos "
    "300 kilómetros, informó el Estado Mayor Conjunto de Corea del Sur."
)


def view(language: str, title: str, text: str = "") -> ArticleView:
    return ArticleView(f"test:{language}", title, text, PUBLISHED, language)


def launch(article: ArticleView) -> Match:
    found = any_launch(article, MONITOR)
    assert found.facts["actor"] == "North Korea"
    return found


@pytest.mark.parametrize(
    ("language", "title"),
    [
        (
            "fr",
            "La Corée du nord tire 10 missiles balistiques alors que les exercices entre "
            "Washington et Séoul touchent à leur fin",
        ),
        (
            "es",
            "Corea del Norte lanza 10 misiles balísticos durante los ejercicios de Corea del Sur "
            "y EEUU",
        ),
    ],
)
def test_the_reuters_headlines_of_the_20_august_launch(language: str, title: str) -> None:
    """The two items of feed-replay-aug2026 that only the French and Spanish lexicons read."""
    found = launch(view(language, title))
    assert found.account == "report"
    assert found.facts["count"] == 10
    assert found.facts["missile_types"] == ["ballistic"]
    assert found.time is not None and found.time.precision == "days"  # no time word
    assert found.time.start <= LAUNCH_20_AUG <= found.time.end


@pytest.mark.parametrize(
    ("language", "title", "lead", "phrase"),
    [
        ("fr", "Tir de missiles nord-coréen", FR_LEAD, "jeudi; 17h04 (heure de Séoul)"),
        ("es", "Corea del Norte dispara misiles", ES_LEAD, "jueves; 17.04 hora local"),
    ],
)
def test_a_wire_lead_gives_the_minute_and_the_facts_in_english_labels(
    language: str, title: str, lead: str, phrase: str
) -> None:
    found = launch(view(language, title, lead))
    assert found.time is not None and found.time.precision == "minute"
    assert found.time.start <= LAUNCH_20_AUG <= found.time.end
    assert found.time.phrase == phrase  # the dateline's "20 août" dates the text, not the launch
    assert found.facts["count_text"] == "more than 10"
    assert found.facts["distance_km"] == 300
    assert found.facts["launch_area"] == "Pyongyang"
    assert found.facts["missile_types"] == ["ballistic", "short-range ballistic"]


def test_state_media_in_french_is_a_confirmation_dated_to_the_launch_not_the_statement() -> None:
    found = launch(
        view(
            "fr",
            "Kim Jong-un a supervisé un essai de missile hypersonique",
            "L'agence officielle KCNA a annoncé vendredi que la Corée du Nord avait testé "
            "jeudi un nouveau missile hypersonique.",
        )
    )
    assert found.account == "confirmation"
    assert found.facts["missile_types"] == ["hypersonic"]
    assert found.time is not None and found.time.phrase == "jeudi"  # not "annoncé vendredi"
    assert found.time.start <= LAUNCH_20_AUG <= found.time.end


@pytest.mark.parametrize(
    ("language", "title"),
    [
        (
            "fr",
            "Ukraine-Une attaque de missiles balistiques dans la région de Kyiv fait au moins "
            "16 morts",
        ),
        (
            "fr",
            'La Russie et la Corée du Nord oeuvrent à un ordre mondial "nouveau et juste" - Lavrov',
        ),
        ("fr", "Pourquoi la Corée du Nord multiplie les tirs de missiles"),
        ("fr", "La Corée du Nord pourrait tirer un missile intercontinental, selon Séoul"),
        ("fr", "La Corée du Sud a testé un missile balistique Hyunmoo"),
        ("fr", "La Corée du Nord a tiré des missiles en 2017, un précédent qui inquiète"),
        (
            "es",
            "Emiratos Árabes Unidos dice que dos misiles detectados anteriormente fueron "
            "lanzados desde Irán",
        ),
        ("es", "EEUU y Corea del Sur reducirán sus ejercicios militares tras la orden de Trump"),
        ("es", "Corea del Norte podría lanzar un misil intercontinental, advierte Seúl"),
        ("es", "Rusia lanza misiles contra Kiev"),
        (
            "es",
            "Nuevas sanciones de la ONU tras el lanzamiento de misiles de Corea del Norte en 2022",
        ),
    ],
)
def test_french_and_spanish_articles_that_are_not_north_korean_launch_reports(
    language: str, title: str
) -> None:
    assert MONITOR.match(view(language, title)) is None


def test_an_english_text_with_accents_is_read_as_english() -> None:
    """ "Séoul" in English copy must not send it to the French lexicon."""
    found = launch(view("en", "North Korea fires two ballistic missiles, Séoul says"))
    assert found.facts["count"] == 2
