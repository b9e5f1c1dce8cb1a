"""An article's language: what the page or feed declares when the text agrees, else detected.

The monitors read each language with its own lexicon, and an analyst filters by it, so
every stored article carries one. Declarations are often wrong in one direction: a
Korean portal declares `ko` for the Japanese and English wire items it carries, and a
feed's `<language>` covers items in several. So a declaration is kept only when the
text is written in its script; otherwise the script decides (Hangul is Korean, kana is
Japanese), and Latin-script text goes to CLD2 (Chromium's detector: compiled tables, a
few MB per process and 0.02 ms a call; langdetect, tried first, cost 64 MB in every
extraction worker, which broke the daemon's memory budget).
"""

from __future__ import annotations

import re

import pycld2

SAMPLE = 600  # characters read: enough for a reliable answer
MIN_LETTERS = 20  # fewer letters than this: no guess
MIN_PERCENT = 60  # CLD2's share of the text in its top language, below which: no guess
# Scripts that name their language, most specific first (kana before Han: Japanese
# mixes both; Han alone is Chinese).
SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
)
LETTER = re.compile(r"[^\W\d_]")
# ISO 639 codes that name no language: several ("mul", as a feed of many outlets
# declares), undetermined, none, uncoded. Declared, they say nothing.
NO_LANGUAGE = frozenset({"mul", "und", "zxx", "mis"})
# Declared codes that write in a script of their own; the rest write in Latin letters.
OWN_SCRIPT = {code for code, _ in SCRIPTS} | {"uk", "bg", "sr", "fa", "ur", "mr", "ne"}


def language_of(text: str, *declared: str | None) -> str | None:
    """The language of `text`: the first declaration its script agrees with, else the
    script's language, else a detector's answer for Latin text (None when unsure)."""
    sample = text[:SAMPLE]
    letters = len(LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return next((code for d in declared if (code := primary(d))), None)
    script = script_language(sample, letters)
    for code in filter(None, map(primary, declared)):
        if (script is None and code not in OWN_SCRIPT) or code == script:
            return code
        if script == "zh" and code == "ja":  # Japanese text may run without kana
            return code
    return script or _detect(sample)


def primary(tag: str | None) -> str | None:
    """ "en-GB", "ko_KR", " EN " → the primary subtag ("en"); None for no language
    ("mul", "und") or no tag."""
    if not tag or not isinstance(tag, str):
        return None
    code = tag.strip().replace("_", "-").split("-")[0].lower()
    if code in NO_LANGUAGE or not (code.isascii() and code.isalpha()):
        return None
    return code if 2 <= len(code) <= 3 else None


def script_language(sample: str, letters: int | None = None) -> str | None:
    """The language a non-Latin script names, when at least a third of the letters
    are in it; None for Latin-script text."""
    letters = letters if letters is not None else len(LETTER.findall(sample))
    for code, pattern in SCRIPTS:
        if len(pattern.findall(sample)) * 3 >= letters:
            return code
    return None


def _detect(sample: str) -> str | None:
    """CLD2's answer when it calls itself reliable; None otherwise ("un": unknown)."""
    try:
        reliable, _, details = pycld2.detect(sample, isPlainText=True)
    except pycld2.error:  # text it cannot take (lone surrogates): no guess
        return None
    _name, code, percent, _score = details[0]
    if not reliable or percent < MIN_PERCENT:
        return None
    return primary(code)
