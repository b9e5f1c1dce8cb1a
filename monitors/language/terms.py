"""Finding a monitor's terms in text, by script: "quake", "地震", "지진" each as its writers do.

Why: whole-word matching is right for Latin letters ("quake" but not "earthquakes'"
stem games: "Quake" in any case, "New  Zealand" across any whitespace) and wrong for
the rest: Chinese and Japanese have no spaces between words, so 地震 sits inside
"大地震が発生" and must match as a substring; Korean glues particles to nouns (지진이,
지진으로, 지진에), so a term matches with any ending the language file lists as
`terms.attached`, but not inside another word (여진 is not in 대여진행). Which rule
applies is read from the term's own letters, so one include list can mix languages.
"""

from __future__ import annotations

import functools
import re

from monitors.language.rules import Language, languages

__all__ = ["find_term", "term_pattern"]

HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_PLURAL = "(?:s|es)?"  # the plural endings of the Latin-script languages read here


@functools.cache
def term_pattern(term: str, language: str | None = None) -> re.Pattern[str]:
    """The pattern that finds `term`: whole words (any case, any whitespace between
    words, a plural ending allowed) in Latin and other spaced scripts, a substring in
    Chinese and Japanese, a word with its attached endings in Korean. `language` names
    the file whose `terms:` rules a Hangul or unspaced term follows (default: by the
    term's letters)."""
    words = term.split()
    if not words:
        raise ValueError("an empty term")
    body = r"\s*".join(re.escape(w) for w in words)
    spaced = r"\s+".join(re.escape(w) for w in words)
    rules = _rules(term, language)
    if (rules is not None and rules.substring) or (rules is None and HAN_KANA.search(term)):
        return re.compile(body, re.IGNORECASE)
    if HANGUL.search(term):
        endings = "|".join(re.escape(e) for e in rules.attached) if rules else ""
        tail = rf"(?:{endings})?(?![가-힣])" if endings else ""
        return re.compile(rf"(?<![가-힣]){body}{tail}", re.IGNORECASE)
    # a Latin term matches its plural too ("quake": "quakes"; "séisme": "séismes")
    return re.compile(rf"(?<!\w){spaced}{LATIN_PLURAL}(?!\w)", re.IGNORECASE)


def _rules(term: str, language: str | None) -> Language | None:
    known = languages()
    if language is not None:
        return known.get(language)
    if HANGUL.search(term):
        return known.get("ko")
    if HAN_KANA.search(term):
        return known.get("ja")
    return None


def find_term(term: str, text: str, language: str | None = None) -> re.Match[str] | None:
    """The first place `term` occurs in `text`, by `term_pattern`'s rules, or None."""
    return term_pattern(term, language).search(text)
