"""The missile_launch lexicons: one YAML file per language, validated into frozen values.

Why: the monitor's engine (`monitors.missile_launch`, `monitors.launchfacts`) is the
same in every language: the nearest country to the launch verb launched, history is
not news, a statement's day is not the launch's day. Only the words differ, so they
live in `monitors/lexicons/missile_launch/<language>.yaml` (en, ko, ja ...), and a
new language is a new file. A lexicon holds launch words only; what is not about
launches (script, sentence ends, time words) comes from the language file its
`language` code names (`monitors.language`). This module reads the lexicons, checks
every key (a `LexiconError`, a `ValueError`, names the file and key), and picks the
lexicon for an article the way `monitors.language.choose` picks a language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from monitors.language import EventWords, Language, TimeRules, languages
from monitors.language import choose as choose_language
from monitors.lexicon import LexiconError, Section, one_of, read_lexicon, whole_number

__all__ = [
    "BUILTIN",
    "DEFAULT_LANGUAGE",
    "LaunchLexicon",
    "choose",
    "load_folder",
    "load_lexicon",
]

BUILTIN = Path(__file__).resolve().parent / "lexicons" / "missile_launch"
DEFAULT_LANGUAGE = "en"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
Pattern = re.Pattern[str]

TOP_KEYS = frozenset(
    {
        "language",
        "fragments",
        "actors",
        "launch",
        "facts",
        "event_time",
    }
)
EVENT_TIME_KEYS = frozenset({"clause", "verb_after", "body_clock"})
ACTOR_KEYS = frozenset({"before", "after", "korea_context", "names"})
LAUNCH_KEYS = frozenset(
    {
        "nouns",
        "patterns",
        "reaction",
        "speculation_before",
        "speculation_after",
        "history",
        "background",
        "not_a_launch",
        "capability",
        "analysis",
        "reporting",
        "confirmation",
        "speaks",
        "speculative_title",
        "response",
        "response_exempt",
        "response_after",
        "scene",
        "chronology",
        "comment",
    }
)
FACT_KEYS = frozenset(
    {
        "numbers",
        "vague_counts",
        "number_units",
        "count",
        "definite",
        "missile_types",
        "distance",
        "apogee",
        "flight_time",
        "launch_area",
        "landing_areas",
        "this_launch",
        "launch_context",
    }
)


@dataclass(frozen=True)
class Actor:
    """How one actor is written: `names` as whole words, `patterns` anywhere (a short form
    with the boundary it needs: "북" but not "남북"), `context` only in text about Korea
    and only for a watched actor ("the North")."""

    name: str
    names: tuple[str, ...]
    patterns: tuple[Pattern, ...] = ()
    context: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class LaunchPattern:
    """A launch phrase with a `verb` group; `subject_before`: the launcher is named before
    the verb (English "North Korea fired", Korean "북한이 ... 발사"). A `slot` group, if
    any, is where a name counts as the launcher's whatever its distance ("발사한 중국군
    미사일")."""

    regex: Pattern
    subject_before: bool


@dataclass(frozen=True)
class Labelled:
    """A pattern and the canonical value it stands for; None keeps the text as written."""

    regex: Pattern
    label: str | None


@dataclass(frozen=True, eq=False)
class LaunchLexicon:
    """One language's words for the missile_launch monitor, compiled. Optional cues are
    None; hashable by identity so per-lexicon work can be cached."""

    language: str
    name: str
    script: Pattern
    sentence_end: Pattern
    alias_before: str
    alias_after: str
    korea_context: Pattern
    actors: Mapping[str, Actor]
    nouns: Pattern
    patterns: tuple[LaunchPattern, ...]
    numbers: Mapping[str, int]
    vague_counts: Mapping[str, str]
    number_units: Mapping[str, int]
    count: tuple[Pattern, ...]
    missile_types: tuple[Labelled, ...]
    distance: tuple[Pattern, ...]
    apogee: tuple[Pattern, ...]
    flight_time: tuple[Pattern, ...]
    launch_area: tuple[Pattern, ...]
    landing_areas: tuple[Labelled, ...]
    launch_context: Pattern
    time: TimeRules
    event: EventWords  # the launch's words, for the resolver of event times
    reaction: Pattern | None = None
    speculation_before: Pattern | None = None
    speculation_after: Pattern | None = None
    history: Pattern | None = None
    background: Pattern | None = None
    not_a_launch: Pattern | None = None
    capability: Pattern | None = None
    analysis: Pattern | None = None
    reporting: Pattern | None = None
    confirmation: Pattern | None = None
    speaks: Pattern | None = None
    speculative_title: Pattern | None = None
    response: Pattern | None = None
    response_exempt: Pattern | None = None
    response_after: Pattern | None = None
    scene: Pattern | None = None
    chronology: Pattern | None = None
    comment: Pattern | None = None
    definite: Pattern | None = None
    this_launch: Pattern | None = None
    by_language_only: bool = False  # French, Spanish: English letters, so never by script


def load_lexicon(path: Path) -> LaunchLexicon:
    """Read and validate one lexicon file; LexiconError names the file and the key."""
    top = read_lexicon(path)
    top.check_keys(TOP_KEYS, required=("language", "actors", "launch", "facts"))
    language = top.text("language")
    if not LANGUAGE_CODE.match(language or "") or language != path.stem:
        raise top.error("language", f"expected the file's name ({path.stem!r}), a 2-3 letter code")
    general = _languages_beside(path.parent).get(language)
    if general is None:
        raise top.error(
            "language",
            f"no language file {language}.yaml in monitors/language/ or {path.parent / 'language'}",
        )
    event_time = top.section("event_time", required=False)
    event_time.check_keys(EVENT_TIME_KEYS)
    facts = top.section("facts")
    facts.check_keys(FACT_KEYS, required=("count", "launch_context"))
    numbers = facts.table("numbers", whole_number(0), "a whole number")
    vague = facts.table("vague_counts", one_of(), "a text")
    quantities = "|".join(re.escape(q) for q in sorted([*numbers, *vague], key=len, reverse=True))
    facts = facts.with_fragments({"quantities": quantities or "(?!)"})
    launch = top.section("launch")
    launch.check_keys(LAUNCH_KEYS, required=("nouns", "patterns"))
    actors = top.section("actors")
    actors.check_keys(ACTOR_KEYS, required=("names", "korea_context"))

    def cue(key: str, groups: tuple[str, ...] = ()) -> Pattern | None:
        return launch.regex(key, required=False, groups=groups)

    return LaunchLexicon(
        language=general.language,
        name=general.name,
        script=general.script,
        sentence_end=general.sentence_end,
        alias_before=actors.text("before", required=False, default="") or "",
        alias_after=actors.text("after", required=False, default="") or "",
        korea_context=actors.regex("korea_context"),
        actors=_actors(actors.section("names")),
        nouns=launch.regex("nouns"),
        patterns=_launch_patterns(launch),
        numbers=numbers,
        vague_counts=vague,
        number_units=facts.table("number_units", whole_number(1), "a whole number"),
        count=facts.ordered("count", ("q",), required=True),
        missile_types=_labelled(facts, "missile_types", group="1"),
        distance=facts.ordered("distance", ("n", "u")),
        apogee=facts.ordered("apogee", ("n", "u")),
        flight_time=facts.ordered("flight_time"),
        launch_area=facts.ordered("launch_area", ("x",)),
        landing_areas=_labelled(facts, "landing_areas", group="x"),
        launch_context=facts.regex("launch_context"),
        time=general.time,
        event=_event_words(event_time),
        reaction=cue("reaction", ("actor",)),
        speculation_before=cue("speculation_before"),
        speculation_after=cue("speculation_after"),
        history=cue("history"),
        background=cue("background"),
        not_a_launch=cue("not_a_launch"),
        capability=cue("capability"),
        analysis=cue("analysis"),
        reporting=cue("reporting"),
        confirmation=cue("confirmation"),
        speaks=cue("speaks"),
        speculative_title=cue("speculative_title"),
        response=cue("response"),
        response_exempt=cue("response_exempt"),
        response_after=cue("response_after"),
        scene=cue("scene"),
        chronology=cue("chronology"),
        comment=cue("comment"),
        definite=facts.regex("definite", required=False),
        this_launch=facts.regex("this_launch", required=False),
        by_language_only=general.by_language_only,
    )


def _event_words(section: Section) -> EventWords:
    return EventWords(
        clause=section.regex("clause", required=False),
        verb_after=section.regex("verb_after", required=False),
        body_clock=section.regex("body_clock", required=False),
    )


@functools.cache
def load_folder(folder: Path = BUILTIN) -> Mapping[str, LaunchLexicon]:
    """Every `<language>.yaml` of a folder, by language code; read once per folder."""
    if not folder.is_dir():
        raise LexiconError(f"{folder}: not a folder of lexicons")
    found = {path.stem: load_lexicon(path) for path in sorted(folder.glob("*.yaml"))}
    if not found:
        raise LexiconError(f"{folder}: no <language>.yaml lexicon in it")
    return MappingProxyType(found)


def _languages_beside(folder: Path) -> Mapping[str, Language]:
    """The built-in languages, and those of a `language/` folder beside the lexicons
    (a language newsmon does not ship), which win."""
    extra = folder / "language"
    if not extra.is_dir():
        return languages()
    return {**languages(), **languages(extra)}


def choose(
    lexicons: Mapping[str, LaunchLexicon], language: str | None, title: str, text: str
) -> LaunchLexicon:
    """The lexicon to read an article with, picked as `monitors.language.choose` picks."""
    return choose_language(lexicons, language, title, text)


def _actors(names: Section) -> Mapping[str, Actor]:
    found = {}
    for name in names.data:
        entry = names.section(str(name))
        entry.check_keys({"names", "patterns", "context"})
        found[str(name)] = Actor(
            name=str(name),
            names=entry.strings("names"),
            patterns=tuple(
                entry.compile(entry.expand(p, "patterns"), "patterns")
                for p in entry.strings("patterns")
            ),
            context=tuple(
                entry.compile(entry.expand(p, "context"), "context")
                for p in entry.strings("context")
            ),
        )
    if not found:
        raise names.error(None, "no actors")
    return found


def _launch_patterns(launch: Section) -> tuple[LaunchPattern, ...]:
    found = []
    for item in launch.items("patterns", required=True):
        item.check_keys({"pattern", "subject"}, required=("pattern", "subject"))
        subject = item.text("subject")
        if subject not in ("before", "either"):
            raise item.error("subject", "expected before or either")
        regex = item.regex("pattern", groups=("verb",))
        found.append(LaunchPattern(regex, subject == "before"))
    if not found:
        raise launch.error("patterns", "expected at least one launch pattern")
    return tuple(found)


def _labelled(facts: Section, key: str, *, group: str) -> tuple[Labelled, ...]:
    """`- pattern: ..., label: ...`; without a label the pattern must have `group`."""
    found = []
    for item in facts.items(key):
        item.check_keys({"pattern", "label"}, required=("pattern",))
        label = item.text("label", required=False)
        regex = item.regex("pattern")
        assert regex is not None
        if (
            label is None
            and group not in regex.groupindex
            and not (group.isdigit() and regex.groups >= int(group))
        ):
            raise item.error("pattern", f"without a label the pattern needs group {group}")
        if label is not None and "{1}" in label and regex.groups < 1:
            raise item.error("label", "{1} names group 1, which the pattern does not have")
        found.append(Labelled(regex, label))
    return tuple(found)
