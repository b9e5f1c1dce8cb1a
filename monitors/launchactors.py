"""Who launched: the country named nearest to the launch verb, in any language.

Why a rule and not a list of phrases: South Korea's own test mentions North Korea,
China's drill near Taiwan mentions Taiwan, and a Japanese report of a North Korean
launch names Japan's defence ministry. In every language the launcher is the country
named nearest to the verb, on the side where that language names the subject (before
the verb in English, Korean and Japanese alike: "North Korea fired", "북한이 ...
발사했다", "北朝鮮が ... 発射した"). Names come from the lexicon (`monitors.launchrules`),
with the boundaries the script needs ("북" but not "남북", "日本" but not "日本海").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from monitors.launchrules import LaunchLexicon

__all__ = [
    "answered",
    "korea_context",
    "launch_actor",
    "launched_by_another",
    "mentions",
    "reaction_actor",
]

OWNER_CHARS = 3  # a name this close before a launch noun owns it ("South Korea's test of")
SPECULATION_CHARS = 20  # how far before (or after) the verb a word makes it speculation


def launch_actor(
    sentence: str,
    actors: Sequence[str],
    lexicon: LaunchLexicon,
    *,
    context: bool = True,
    responding: bool = False,
) -> str | None:
    """The watched actor a sentence says launched missiles, or None.

    None also when the launch is history or background, speculative, not a launch at all
    (a test that flies nothing, an export), or by someone else: the country named nearest
    to the launch verb decides who launched. `context`: the text is about Korea, so "the
    North" and "North fires" are North Korea. `responding`: the sentence is a reaction
    to a launch, whose words ("a violation of UN resolutions", "발사에 대응해", "発射を
    受け") are not background there: a reaction names the launch it answers.
    """
    lex = lexicon
    cued = sentence
    if responding and lex.response_exempt is not None:
        cued = lex.response_exempt.sub(" ", sentence)
    for cue in (lex.history, lex.background, lex.not_a_launch):
        if cue is not None and cue.search(cued):
            return None
    found = mentions(sentence, actors, lex, context)
    for pattern in lex.patterns:
        for m in pattern.regex.finditer(sentence):
            verb = m.start("verb")
            if _speculative(sentence, m, lex, responding):
                continue
            slot = (
                m.span("slot") if "slot" in pattern.regex.groupindex and m.group("slot") else None
            )
            low, high = slot or (m.start(), verb)
            before = [(verb - end, name) for start, end, name in found if end <= verb]
            after = [(start - m.end(), name) for start, end, name in found if start >= m.end()]
            inside = [(0, name) for start, end, name in found if low <= start < high]
            active = pattern.subject_before
            owner = [(d, name) for d, name in before if d <= OWNER_CHARS]
            if owner and not active:
                ranked = sorted(owner)  # "South Korea's test of ..., KCNA said": its owner's
            else:
                ranked = sorted(inside + before) if active else sorted(inside + before + after)
            if not ranked and active:
                ranked = sorted(after)
            if ranked and ranked[0][1] in actors:
                return ranked[0][1]
    return None


def _speculative(
    sentence: str, m: re.Match[str], lex: LaunchLexicon, responding: bool = False
) -> bool:
    """ "could launch", "발사할 가능성", "発射する可能性": a launch that has not happened.

    A launch that is only the cause of what the sentence says ("発射を受け", "発射に抗議")
    is one in a reaction (`responding`), not elsewhere."""
    verb = m.start("verb")
    if lex.speculation_before is not None and lex.speculation_before.search(
        sentence[max(0, verb - SPECULATION_CHARS) : verb]
    ):
        return True
    end = m.end("verb")
    after = sentence[end : end + SPECULATION_CHARS]
    if responding and lex.response_after is not None and lex.response_after.match(after):
        return False
    return lex.speculation_after is not None and bool(lex.speculation_after.match(after))


def reaction_actor(
    title: str, actors: Sequence[str], lexicon: LaunchLexicon, *, context: bool = True
) -> str | None:
    """The watched actor whose launch a headline reacts to ("Talks After North Korean
    Missiles"), or None."""
    if lexicon.reaction is None:
        return None
    for m in lexicon.reaction.finditer(title):
        named = mentions(m.group("actor"), actors, lexicon, context)
        if named and named[0][0] == 0 and named[0][2] in actors:
            return named[0][2]
    return None


def answered(sentence: str, lexicon: LaunchLexicon) -> bool:
    """Is a launch in the sentence only the cause of what it says ("발사에 日 항의",
    "発射を受け")?"""
    if lexicon.response_after is None:
        return False
    return any(
        lexicon.response_after.match(sentence[m.end("verb") :])
        for pattern in lexicon.patterns
        for m in pattern.regex.finditer(sentence)
    )


def launched_by_another(sentence: str, actor: str, lexicon: LaunchLexicon, context: bool) -> bool:
    """Is some other country the one doing the launching in this sentence?"""
    found = mentions(sentence, (actor,), lexicon, context)
    for pattern in lexicon.patterns:
        if not pattern.subject_before:
            continue
        for m in pattern.regex.finditer(sentence):
            before = [(m.start("verb") - end, name) for _, end, name in found if end <= m.start()]
            if before and min(before)[1] != actor:
                return True
    return False


def korea_context(text: str, lexicon: LaunchLexicon) -> bool:
    return bool(lexicon.korea_context.search(text))


def speaks(text: str, actor: str, lexicon: LaunchLexicon) -> bool:
    """Is the actor itself the one telling ("North Korea says latest tests...")?"""
    if lexicon.speaks is None:
        return False
    return any(
        name == actor and lexicon.speaks.match(text, end)
        for _, end, name in mentions(text, (actor,), lexicon, context=True)
    )


def mentions(
    sentence: str, actors: Sequence[str], lexicon: LaunchLexicon, context: bool
) -> list[tuple[int, int, str]]:
    """(start, end, actor) for every country named in the sentence, longest name first."""
    pattern, lookup, always, extra = _alias_pattern(lexicon, tuple(actors))
    found = [(m.start(), m.end(), lookup[m.group().casefold()]) for m in pattern.finditer(sentence)]
    if always:
        _add(found, sentence, always)
    if context:
        _add(found, sentence, extra)
    if always or context:
        found.sort()
    return found


def _add(
    found: list[tuple[int, int, str]],
    sentence: str,
    patterns: Sequence[tuple[re.Pattern[str], str]],
) -> None:
    """Names found by patterns, where no name found before stands."""
    taken = [(s, e) for s, e, _ in found]
    for regex, actor in patterns:
        for m in regex.finditer(sentence):
            if not any(s <= m.start() < e for s, e in taken):
                found.append((m.start(), m.end(), actor))


@functools.cache
def _alias_pattern(
    lexicon: LaunchLexicon, actors: tuple[str, ...]
) -> tuple[
    re.Pattern[str],
    dict[str, str],
    tuple[tuple[re.Pattern[str], str], ...],
    tuple[tuple[re.Pattern[str], str], ...],
]:
    """Built once per lexicon and set of watched actors: it was most of this monitor's time.

    (names as one pattern with a lookup back to the actor, short forms that always
    count, context forms that count in text about Korea)
    """
    aliases = [(alias, a.name) for a in lexicon.actors.values() for alias in a.names]
    aliases += [(actor, actor) for actor in actors]
    aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    lookup = {alias.casefold(): name for alias, name in reversed(aliases)}
    pattern = "|".join(re.escape(alias) for alias, _ in aliases)
    always = tuple((regex, a.name) for a in lexicon.actors.values() for regex in a.patterns)
    extra = tuple(
        (regex, actor)
        for actor in actors
        if actor in lexicon.actors
        for regex in lexicon.actors[actor].context
    )
    compiled = re.compile(f"{lexicon.alias_before}(?:{pattern}){lexicon.alias_after}")
    return compiled, lookup, always, extra
