"""What in a text is not prose about the event: byline stamps, datelines, photo captions.

Why: a page's own byline or update time ("December 29, 2025 09:41 GMT", "Published On
29 Dec 2025", "입력 2025.12.29. 오전 7:31") and a wire dateline ("SEOUL, Jan 4 (Reuters)
-") say when the text was written, never when the event happened; read as event times
they moved launches by the hours between a launch and its report. Captions repeat the
story beside a photo and are not its lead. The patterns are per language
(`monitors.language.timerules.TimeRules`); without rules, English.
"""

from __future__ import annotations

import re

from monitors.language.rules import languages
from monitors.language.timerules import TimeRules

__all__ = ["LEAD_CHARS", "LEAD_PARAGRAPHS", "is_caption", "lead_paragraphs", "mask_stamps"]

LEAD_PARAGRAPHS = 3
LEAD_CHARS = 1200
WORD = re.compile(r"[^\W\d_]{2,}")
# "[News Today] NK fires ...", "[LEAD]", "[속보]", "[서울경제]": a programme, section or
# source label at a line or sentence start, in any language; its "Today" is no time word.
LABEL = re.compile(r"(?m)(?:^|(?<=[.!?。]))[ \t]*\[[^\]\n]{1,30}\]")


def english_time() -> TimeRules:
    """The English time words: the rules when none are given."""
    return languages()["en"].time


def is_caption(paragraph: str, rules: TimeRules | None = None) -> bool:
    rules = rules or english_time()
    return bool(rules.caption and rules.caption.search(paragraph))


def lead_paragraphs(text: str, rules: TimeRules | None = None) -> list[str]:
    """The lead: the first LEAD_PARAGRAPHS paragraphs, more while under LEAD_CHARS in all.

    Photo captions are skipped; a lead without paragraph breaks is cut at the first
    sentence end after LEAD_CHARS, so one long line does not count as a short lead.
    """
    rules = rules or english_time()
    lead: list[str] = []
    total = 0
    for line in text.splitlines():
        paragraph = line.strip()
        if not paragraph or is_caption(paragraph, rules):
            continue
        if len(lead) >= LEAD_PARAGRAPHS and total + len(paragraph) > LEAD_CHARS:
            break
        lead.append(paragraph)
        total += len(paragraph) + 1
        if total > LEAD_CHARS:
            break
    if lead and total > LEAD_CHARS:
        cut = rules.lead_cut.search(lead[-1], max(0, LEAD_CHARS - (total - len(lead[-1]) - 1)))
        lead[-1] = lead[-1][: cut.start() + 1] if cut is not None else lead[-1]
    return lead


def mask_stamps(text: str, rules: TimeRules | None = None) -> str:
    """`text` with byline stamps, update times, dateline dates and bracketed labels blanked
    out (same length).

    They say when the text was written; read as event times they moved launches by the
    hours between a launch and its report.
    """
    rules = rules or english_time()
    chars = list(text)

    def blank(start: int, end: int) -> None:
        chars[start:end] = " " * (end - start)

    for m in rules.stamps.finditer(text) if rules.stamps else ():
        blank(*m.span())
    for m in LABEL.finditer(text):
        blank(*m.span())
    for m in rules.dateline.finditer(text) if rules.dateline else ():
        blank(*m.span("date"))
    masked = "".join(chars)
    # a line that was nothing but a stamp, a dated byline or a bare date goes altogether
    offset = 0
    for line in masked.split("\n"):
        changed = line != text[offset : offset + len(line)]
        dated = rules.year_date is not None and rules.year_date.search(line)
        if line.strip() and (changed or dated):
            rest = rules.year_date.sub(" ", line) if rules.year_date else line
            rest = rules.stamp_words.sub(" ", rest) if rules.stamp_words else rest
            if len(WORD.findall(rest)) <= (3 if changed else 0):
                blank(offset, offset + len(line))
        offset += len(line) + 1
    return "".join(chars)
