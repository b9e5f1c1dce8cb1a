"""Language files: what every monitor reads in one language, whatever the event.

Why a room of its own: the script a language is written in, where its sentences end,
its time words, its number words and its units are the same for a missile launch, an
earthquake or a strike. Each lives once, in `monitors/language/<code>.yaml`, and
every monitor's lexicon names its language by code. Adding a language is adding a
file (keys: docs/languages.md); a mistake in one is a `LexiconError` naming the file
and the key, raised when a monitor is built.

`choose` picks among anything that has a language, a script and `by_language_only`
(a `Language`, or a monitor's lexicon built on one): the declared language when the
text is written in its script, else by script; Latin-script languages other than
English only by their declared language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import yaml

from monitors.language.numbers import NumberWords, number_words
from monitors.language.timerules import TimeRules, time_rules
from monitors.lexicon import LexiconError, Section, read_lexicon

__all__ = [
    "DEFAULT_LANGUAGE",
    "FOLDER",
    "Language",
    "choose",
    "languages",
    "load_language",
    "primary",
    "rules_for",
]

FOLDER = Path(__file__).resolve().parent
COMMON = FOLDER / "common.yaml"  # what every language shares: zone abbreviations
DEFAULT_LANGUAGE = "en"
SAMPLE_CHARS = 600  # the script of a text is judged from its title and this much text
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
TOP_KEYS = frozenset(
    {
        "language",
        "name",
        "script",
        "by_language_only",
        "sentence_end",
        "fragments",
        "time",
        "numbers",
        "units",
        "terms",
    }
)
TERM_KEYS = frozenset({"attached", "substring"})
Pattern = re.Pattern[str]


@dataclass(frozen=True, eq=False)
class Language:
    """One language's general rules, compiled; hashable by identity for caches.

    `attached`: endings a word may carry glued on (Korean particles: 지진이, 지진으로),
    so a term matches with them; `substring`: terms match inside words (CJK, which has
    no spaces between words).
    """

    language: str
    name: str
    script: Pattern
    sentence_end: Pattern
    time: TimeRules
    numbers: NumberWords
    by_language_only: bool = False
    attached: tuple[str, ...] = ()
    substring: bool = False


class Scripted(Hashable, Protocol):
    """What choosing among languages reads (read-only: the lexicons are frozen), and
    hashable, for the cache of the other scripts."""

    @property
    def language(self) -> str: ...
    @property
    def script(self) -> Pattern: ...
    @property
    def by_language_only(self) -> bool: ...


S = TypeVar("S", bound=Scripted)


def load_language(path: Path) -> Language:
    """Read and validate one language file; LexiconError names the file and the key."""
    top = read_lexicon(path)
    top.check_keys(TOP_KEYS, required=("language", "script", "sentence_end", "time"))
    code = top.text("language")
    if not LANGUAGE_CODE.match(code or "") or code != path.stem:
        raise top.error("language", f"expected the file's name ({path.stem!r}), a 2-3 letter code")
    terms = top.section("terms", required=False)
    terms.check_keys(TERM_KEYS)
    return Language(
        language=code,
        name=top.text("name", required=False, default=code) or code,
        script=top.regex("script"),
        sentence_end=top.regex("sentence_end"),
        time=time_rules(top.section("time"), _common_zones()),
        numbers=number_words(
            top.section("numbers", required=False), top.section("units", required=False)
        ),
        by_language_only=top.flag("by_language_only"),
        attached=tuple(sorted(terms.strings("attached"), key=len, reverse=True)),
        substring=terms.flag("substring"),
    )


@functools.cache
def _common_zones() -> Mapping[str, Any]:
    """Zone abbreviations written the same in every language ("KST", "GMT", "ET")."""
    try:
        data = yaml.safe_load(COMMON.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{COMMON}: cannot read: {exc}") from None
    section = Section(data if isinstance(data, Mapping) else {}, str(COMMON))
    section.check_keys({"zones"}, required=("zones",))
    zones = section.data["zones"]
    if not isinstance(zones, Mapping):
        raise section.error("zones", "expected a mapping")
    return MappingProxyType(dict(zones))


@functools.cache
def languages(folder: Path = FOLDER) -> Mapping[str, Language]:
    """Every `<code>.yaml` language file of a folder, by code; read once per folder."""
    found = {
        path.stem: load_language(path)
        for path in sorted(folder.glob("*.yaml"))
        if LANGUAGE_CODE.match(path.stem)
    }
    if not found:
        raise LexiconError(f"{folder}: no <language>.yaml file in it")
    return MappingProxyType(found)


def rules_for(language: str | None, text: str, title: str = "") -> Language:
    """The language to read `text` with: see `choose`."""
    return choose(languages(), language, title, text)


def primary(language: str) -> str:
    """ "ko-KR" → "ko", "en_US" → "en"."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


def choose(options: Mapping[str, S], language: str | None, title: str, text: str) -> S:
    """The option to read a text with.

    The declared language (`<html lang>`, or detected by the crawler) wins when the text
    is written in its script; else the option whose script most of the text is in. A
    Naver page declares `ko` for the Japanese and English Yonhap articles it carries, so
    the declaration alone is not trusted. A language written in another's letters
    (`by_language_only`: French, Spanish in English's) is never chosen by its letters,
    only by the text's language, and then stands where English would.
    """
    sample = f"{title}\n{text[:SAMPLE_CHARS]}"
    declared = options.get(primary(language)) if language else None
    default = options.get(DEFAULT_LANGUAGE)
    if declared is not None and declared.by_language_only:
        default = declared
    pool = tuple(
        o for o in options.values() if not o.by_language_only and o.language != DEFAULT_LANGUAGE
    )
    if default is not None:
        pool = (default, *pool)
    return _by_script(pool, default, declared if declared in pool else None, sample)


def _by_script(pool: Sequence[S], default: S | None, declared: S | None, sample: str) -> S:
    if default is not None and (declared is None or declared is default):
        others = _other_scripts(tuple(pool), default)
        if others is not None and not others.search(sample):
            return default  # most texts: one search, no counting
    present = [o for o in pool if o.script.search(sample)]
    if len(present) > 1:
        counts = {o.language: len(o.script.findall(sample)) for o in present}
        best = max(counts.values())
        if declared is not None and counts.get(declared.language, 0) * 2 >= best:
            return declared
        if default is not None and counts.get(default.language, -1) == best:
            return default
        top = [code for code in sorted(counts) if counts[code] == best]
        return next(o for o in present if o.language == top[0])
    if present:
        return present[0]
    if declared is not None:
        return declared
    return default or pool[0]


@functools.cache
def _other_scripts(pool: tuple[Scripted, ...], default: Scripted) -> Pattern | None:
    """One pattern for the letters of every option of `pool` but `default`, or None."""
    others = [o.script.pattern for o in pool if o is not default]
    try:
        return re.compile("|".join(f"(?:{p})" for p in others)) if others else None
    except re.error:  # a script pattern with flags of its own: count them one by one
        return None
