"""The missile_launch lexicons: one YAML file per language, validated into frozen values.

Why: the monitor's engine (`monitors.missile_launch`, `monitors.launchfacts`) is the
same in every language: the nearest country to the launch verb launched, history is
not news, a statement's day is not the launch's day. Only the words differ, so they
live in `monitors/lexicons/missile_launch/<language>.yaml` (en, ko, ja ...), and a
new language is a new file. This module reads those files, checks every key (a
`LexiconError`, a `ValueError`, names the file and key), and picks the lexicon for an
article: its declared language when the text is written in that language's script,
else the lexicon whose script the text is mostly written in (Hangul → ko, Kana →
ja), else English. French and Spanish share English's letters: they are chosen by the
article's language alone (`by_language_only`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from monitors.lexicon import LexiconError, Section, one_of, read_lexicon, whole_number
from monitors.timerules import TimeRules, time_rules

__all__ = [
    "BUILTIN",
    "DEFAULT_LANGUAGE",
    "LaunchLexicon",
    "choose",
    "english_time",
    "load_folder",
    "load_lexicon",
]

BUILTIN = Path(__file__).resolve().parent / "lexicons" / "missile_launch"
DEFAULT_LANGUAGE = "en"
SAMPLE_CHARS = 600  # the script of an article is judged from its title and this much text
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
Pattern = re.Pattern[str]

TOP_KEYS = frozenset(
    {
        "language",
        "name",
        "script",
        "by_language_only",
        "sentence_end",
        "fragments",
        "actors",
        "launch",
        "facts",
        "time",
    }
)
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
    top.check_keys(TOP_KEYS, required=("language", "script", "actors", "launch", "facts", "time"))
    language = top.text("language")
    if not LANGUAGE_CODE.match(language or "") or language != path.stem:
        raise top.error("language", f"expected the file's name ({path.stem!r}), a 2-3 letter code")
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
        language=language,
        name=top.text("name", required=False, default=language) or language,
        script=top.regex("script"),  # type: ignore[arg-type]
        sentence_end=top.regex("sentence_end"),  # type: ignore[arg-type]
        alias_before=actors.text("before", required=False, default="") or "",
        alias_after=actors.text("after", required=False, default="") or "",
        korea_context=actors.regex("korea_context"),  # type: ignore[arg-type]
        actors=_actors(actors.section("names")),
        nouns=launch.regex("nouns"),  # type: ignore[arg-type]
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
        launch_context=facts.regex("launch_context"),  # type: ignore[arg-type]
        time=time_rules(top.section("time")),
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
        by_language_only=top.flag("by_language_only"),
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


def english_time() -> TimeRules:
    """The English time words: what `monitors.timeexpr` reads when given no rules."""
    return load_folder()[DEFAULT_LANGUAGE].time


def choose(
    lexicons: Mapping[str, LaunchLexicon], language: str | None, title: str, text: str
) -> LaunchLexicon:
    """The lexicon to read an article with.

    The declared language (`<html lang>`, or detected by the crawler) wins when the text
    is written in its script; else the lexicon whose script most of the text is in. A
    Naver page declares `ko` for the Japanese and English Yonhap articles it carries, so
    the declaration alone is not trusted. A language written in another's letters
    (`by_language_only`: French, Spanish in English's) is never chosen by its letters,
    only by the article's language, and then stands where English would.
    """
    sample = f"{title}\n{text[:SAMPLE_CHARS]}"
    declared = lexicons.get(_primary(language)) if language else None
    default = lexicons.get(DEFAULT_LANGUAGE)
    if declared is not None and declared.by_language_only:
        default = declared
    pool = tuple(
        lex
        for lex in lexicons.values()
        if not lex.by_language_only and lex.language != DEFAULT_LANGUAGE
    )
    if default is not None:
        pool = (default, *pool)
    return _by_script(pool, default, declared if declared in pool else None, sample)


def _by_script(
    pool: tuple[LaunchLexicon, ...],
    default: LaunchLexicon | None,
    declared: LaunchLexicon | None,
    sample: str,
) -> LaunchLexicon:
    if default is not None and (declared is None or declared is default):
        others = _other_scripts(pool, default)
        if others is not None and not others.search(sample):
            return default  # most articles: one search, no counting
    present = [lex for lex in pool if lex.script.search(sample)]
    if len(present) > 1:
        counts = {lex.language: len(lex.script.findall(sample)) for lex in present}
        best = max(counts.values())
        if declared is not None and counts.get(declared.language, 0) * 2 >= best:
            return declared
        if default is not None and counts.get(default.language, -1) == best:
            return default
        top = [code for code in sorted(counts) if counts[code] == best]
        return next(lex for lex in present if lex.language == top[0])
    if present:
        return present[0]
    if declared is not None:
        return declared
    return default or pool[0]


@functools.cache
def _other_scripts(pool: tuple[LaunchLexicon, ...], default: LaunchLexicon) -> Pattern | None:
    """One pattern for the letters of every language of `pool` but `default`, or None."""
    others = [lex.script.pattern for lex in pool if lex is not default]
    try:
        return re.compile("|".join(f"(?:{p})" for p in others)) if others else None
    except re.error:  # a script pattern with flags of its own: count them one by one
        return None


def _primary(language: str) -> str:
    """ "ko-KR" → "ko", "en_US" → "en"."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


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
        found.append(LaunchPattern(regex, subject == "before"))  # type: ignore[arg-type]
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
