"""Missile launch detector: does this article REPORT a launch by a watched actor?

Why lead-only evidence: news about a launch says so in the headline or first paragraphs
("North Korea fired two ballistic missiles early Sunday, the JCS said"; "[속보] 합참
"북, 동해상으로 탄도미사일 발사""; "北朝鮮が弾道ミサイル発射"), while the many articles that
merely mention launches (analysis, sanctions, court cases, anniversaries, exports) do
so further down, in the past tense of history, or with cue words in the headline. So
an article matches when a title or lead sentence

* has a launch phrase ("fired ... missiles", "missile launches", "탄도미사일 발사",
  "ミサイルを発射"),
* whose nearest country mention is a watched actor, as outlets write it ("N Korea",
  "the North", "북", "北朝鮮"), so South Korea's own test is not North Korea's launch
  (`monitors.launchactors`),
* that is not history, background, speculation or no launch at all (an export),
* and is news: the headline, or tied to a recent time or a reporting verb ("said",
  "밝혔다", "発表した").

Analysis cues in the title or first paragraph ("Analysis:", "why", "[밀리터리+]") demand
a lead sentence with both a recent time and a reporting verb.

Languages: the words are data, one lexicon per language
(`monitors/lexicons/missile_launch/<language>.yaml`, read by `monitors.launchrules`);
this engine is the same for all. An article is read with the lexicon of its declared
language when its text is in that script, else of the script it is written in.

What kind of account it is matters for grouping: state media's own account the next day
("North Korea says it tested...", "KCNA said", "조선중앙통신은 ... 보도했다", "Kim
oversaw", "김정은 참관") is a `confirmation`; a headline about what followed ("talks
after North Korean missiles") a `follow-up`. Their time words usually date the account,
not the launch, so the engine lets them join the launch they describe.

A response to the launch (a condemnation, an emergency meeting, an allied command
"aware of" it, a UN Security Council call, a market move, a photo of people watching
the news of it, a chronology) is a `reaction`; a piece on its meaning an `analysis`.
Both are about a launch rather than reports of it: they name the launcher as `actor`,
never open an event (`Match.opens`), and take the days before their publication as
their time, since their own time words date the reaction (`_commentary`, `_answer`).

Facts: `monitors.launchfacts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitors.base import Account, Agreement, ArticleView, EventTime, Identity, Match, MonitorConfig
from monitors.language import period_mentioned, resolve_event_time
from monitors.language.stamps import lead_paragraphs
from monitors.launchactors import (
    answered,
    korea_context,
    launch_actor,
    mentions,
    reaction_actor,
    speaks,
)
from monitors.launchfacts import FACT_SENTENCES, RECENT, about_another_time, extract_facts
from monitors.launchrules import BUILTIN, LaunchLexicon, choose, load_folder
from monitors.lexicon import with_folder

__all__ = ["KIND", "MissileLaunchMonitor", "from_config", "launch_actor", "split_sentences"]

KIND = "missile_launch"
COMMENTARY: tuple[Account, ...] = (
    "reaction",
    "analysis",
)  # accounts about a launch that never open an event
ANSWER_WINDOW = timedelta(days=2)  # a reaction comes within this long after the launch
ANSWER_REACH = timedelta(days=4)  # and its own time words never reach further back
HEADLINE_BREAK = re.compile(r"\s*(?:…|\.\.\.|‥|;|\s[-–—|]\s)\s*")
HEADLINE_TAG = re.compile(r"^(?:\s*[\[【<〈(][^\]】>〉)]{1,12}[\]】>〉)]\s*)+")
SCENE_PARAGRAPHS = 2  # a photo caption says what it shows in its first paragraphs
LED = re.compile(r"^[\W_]*(?:the\s+)?$", re.IGNORECASE)  # what may precede a headline's subject
DEFAULT_ZONE = "Asia/Seoul"
DEFAULT_ACTORS = ("North Korea",)
OPTIONS = frozenset({"zone", "actors", "lexicons"})


# Two reports are one launch when their times agree and they name the same launcher; a
# launcher's own account comes about a day after the launch; "3 missiles" and
# "several" are one count, shown as the larger.
IDENTITY = Identity(
    agree=MappingProxyType({"actor": Agreement("equal")}),
    confirmation_lag=timedelta(days=1),
    one_of=(("count", "count_text"),),
)


def _builtin() -> Mapping[str, LaunchLexicon]:
    return load_folder(BUILTIN)


@dataclass(frozen=True)
class MissileLaunchMonitor:
    """Reports of new missile launches by `actors`; event times read in `zone`; each
    article read with one of `lexicons` (by language code)."""

    name: str
    zone: ZoneInfo
    actors: tuple[str, ...] = DEFAULT_ACTORS
    lexicons: Mapping[str, LaunchLexicon] = field(
        default_factory=_builtin, repr=False, compare=False
    )
    identity: Identity = IDENTITY

    def match(self, article: ArticleView) -> Match | None:
        title = article.title.strip()
        lex = choose(self.lexicons, article.language, title, article.text)
        lead = _lead_paragraphs(article.text, title, lex)
        if not lex.nouns.search(title) and not any(lex.nouns.search(p) for p in lead):
            return None
        evidence = _evidence(title, lead, self.actors, article.published, self.zone, lex)
        if evidence is None or evidence.account == "follow-up":
            evidence = _answer(title, lead, self.actors, article.published, self.zone, lex) or (
                evidence
            )
        if evidence is None:
            return None
        time = self._time(article, lex)
        sentences = [title, *_text_sentences(article.text, title, lex)]
        facts, sources = extract_facts(
            sentences,
            evidence.sentence,
            evidence.actor,
            self.actors,
            time,
            article.published,
            self.zone,
            lex,
        )
        opening = "\n".join([title, evidence.sentence, *lead[:1]])
        account = _commentary(title, article.text, evidence, self.actors, lex) or (
            evidence.account if evidence.account in COMMENTARY else None
        )
        if account is None:
            account = evidence.account
            confirmed = lex.confirmation is not None and lex.confirmation.search(opening)
            if account == "report" and (confirmed or speaks(opening, evidence.actor, lex)):
                account = "confirmation"
        else:
            time = _answer_time(time, article.published)
        return Match(
            kind=KIND,
            time=time,
            facts={"actor": evidence.actor, **facts},
            evidence=evidence.sentence,
            account=account,
            fact_evidence=sources,
            opens=account not in COMMENTARY,
        )

    def _time(self, article: ArticleView, lex: LaunchLexicon) -> EventTime | None:
        """From the body; from the title when the body names no time at all."""
        found = resolve_event_time(article.text, article.published, self.zone, lex.time, lex.event)
        if (found is None or found.precision == "days") and article.title:
            titled = resolve_event_time(
                article.title, article.published, self.zone, lex.time, lex.event
            )
            if titled is not None and titled.precision != "days":
                return titled
        return found


def from_config(config: MonitorConfig) -> MissileLaunchMonitor:
    """Build from a config.yaml block: options `zone` (IANA name), `actors` (names) and
    `lexicons` (a folder of `<language>.yaml` files that add to or replace the built-in
    languages). Every lexicon is validated here: a bad one is a ValueError naming its
    file and key."""
    unknown = set(config.options) - OPTIONS
    if unknown:
        raise ValueError(
            f"unknown option {sorted(unknown)[0]!r} (expected: zone, actors, lexicons)"
        )
    zone_name = config.options.get("zone", DEFAULT_ZONE)
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"option 'zone': unknown time zone {zone_name!r}") from None
    actors = config.options.get("actors", list(DEFAULT_ACTORS))
    if isinstance(actors, str):
        actors = [actors]
    if not actors or not all(isinstance(a, str) and a.strip() for a in actors):
        raise ValueError("option 'actors': expected a non-empty list of names")
    lexicons = with_folder(_builtin(), config.options.get("lexicons"), load_folder)
    return MissileLaunchMonitor(
        config.name, zone, tuple(a.strip() for a in actors), MappingProxyType(lexicons)
    )


@dataclass(frozen=True)
class _Evidence:
    sentence: str
    actor: str
    account: Account = "report"


def _evidence(
    title: str,
    lead: Sequence[str],
    actors: Sequence[str],
    published: datetime | None,
    zone: ZoneInfo,
    lex: LaunchLexicon,
) -> _Evidence | None:
    """The first lead (then title) sentence that reports a launch, under the analysis gate.

    A headline that only reacts to a launch ("talks after North Korean missiles") is a
    follow-up when nothing in the lead reports the launch itself.
    """
    if lex.speculative_title is not None and lex.speculative_title.search(title):
        return None  # "... 시험발사는?": about a launch to come, whatever the lead recalls
    opening = f"{title}\n{lead[0] if lead else ''}"
    strict = lex.analysis is not None and bool(
        lex.analysis.search(title) or lex.analysis.search(opening)
    )
    context = korea_context(opening, lex)
    candidates = [(s, False) for p in lead for s in split_sentences(p, lex)]
    candidates += [(title, True)] if title else []
    for sentence, is_title in candidates:
        actor = launch_actor(sentence, actors, lex, context=context)
        if actor is None or about_another_time(sentence, published, zone, lex):
            continue
        timed = _recent_time(sentence, published, zone, lex)
        reported = lex.reporting is not None and bool(lex.reporting.search(sentence))
        if strict and not (timed and reported and not is_title):
            continue
        if is_title or timed or reported:
            return _Evidence(sentence, actor)
    if title and not strict:
        actor = reaction_actor(title, actors, lex, context=context)
        if actor is not None:
            return _Evidence(title, actor, "follow-up")
    return None


def _answer(
    title: str,
    lead: Sequence[str],
    actors: Sequence[str],
    published: datetime | None,
    zone: ZoneInfo,
    lex: LaunchLexicon,
) -> _Evidence | None:
    """The first lead (then title) sentence that answers a launch: a reaction to it, a
    photo of people watching the news of it, a chronology ending with it.

    Such a sentence names the launch it answers in words a report would not use ("a
    violation of UN resolutions", "発射を受け"), so it is read with those allowed
    (`launch_actor(responding=True)`). The lead's first sentence counts; a later one when
    it is dated or reported, a headline when the lead names a recent time. An analysis
    gets no such allowance: it must show a dated, reported launch.
    """
    if lex.speculative_title is not None and lex.speculative_title.search(title):
        return None
    cues = [c for c in (lex.response, lex.scene, lex.chronology) if c is not None]
    whole = "\n".join([title, *lead])
    if not any(c.search(whole) for c in cues):
        return None  # most articles: one search per cue
    context = korea_context(f"{title}\n{lead[0] if lead else ''}", lex)
    candidates = [(s, False) for p in lead for s in split_sentences(p, lex)]
    candidates += [(title, True)] if title else []
    for index, (sentence, is_title) in enumerate(candidates):
        if not any(c.search(sentence) for c in cues):
            continue
        actor = launch_actor(sentence, actors, lex, context=context, responding=True)
        if actor is None or about_another_time(sentence, published, zone, lex):
            continue
        if index == 0 and not is_title:
            news = True  # the article opens with it
        elif is_title:
            news = not lead or any(_dated_recently(p, published, zone, lex) for p in lead[:2])
        else:
            news = _dated_recently(sentence, published, zone, lex) or bool(
                lex.reporting is not None and lex.reporting.search(sentence)
            )
        if news:
            return _Evidence(sentence, actor, "reaction")
    return None


def _commentary(
    title: str, text: str, evidence: _Evidence, actors: Sequence[str], lex: LaunchLexicon
) -> Literal["reaction", "analysis"] | None:
    """ "reaction" or "analysis" when the article is about a launch rather than a report
    of it; None for a report.

    What the headline is about decides: its first part ("국방부 "北 순항미사일 발사, 평화
    저해"", "Japan condemns North Korea's launch") is a reaction when it has a response
    word and is not led by the launcher's own act ("North Korea fires missile as UN
    Security Council meets" is a report). A headline that reports no launch leaves it to
    the sentence that does. A photo of people watching the news, a chronology, or an
    analysis headline is never a report, whatever its lead.
    """
    head = HEADLINE_BREAK.split(title, maxsplit=1)[0]
    if lex.response is not None:
        if lex.response.search(head) and not _led_by_launch(head, evidence.actor, actors, lex):
            return "reaction"
        if (
            evidence.sentence != title
            and lex.response.search(evidence.sentence)
            and not _head_reports(head, actors, lex)
        ):
            return "reaction"
    if lex.scene is not None:
        paragraphs = [p for p in text.splitlines() if p.strip()][:SCENE_PARAGRAPHS]
        if any(lex.scene.search(p) for p in [evidence.sentence, *paragraphs]):
            return "reaction"
    if lex.chronology is not None and lex.chronology.search(title):
        return "reaction"
    if any(c is not None and c.search(title) for c in (lex.comment, lex.analysis)):
        return "analysis"
    return None


def _led_by_launch(head: str, actor: str, actors: Sequence[str], lex: LaunchLexicon) -> bool:
    """Does the headline open with the launcher launching ("North Korea fires ... as"),
    not with someone answering it or with the launch as a cause ("北 미사일 발사에 日
    항의", "北朝鮮のミサイル発射受け")?"""
    body = HEADLINE_TAG.sub("", head)
    found = mentions(body, actors, lex, context=True)
    if not found or found[0][2] != actor or not LED.match(body[: found[0][0]]):
        return False
    return launch_actor(body, actors, lex) == actor and not answered(body, lex)


def _head_reports(head: str, actors: Sequence[str], lex: LaunchLexicon) -> bool:
    """Does the headline report a launch: by a watched actor, or by nobody named ("나흘
    만에 또 미사일 발사", whose lead names the launcher)?"""
    if launch_actor(head, actors, lex) is not None:
        return True
    launched = any(p.regex.search(head) for p in lex.patterns)
    return launched and not mentions(head, actors, lex, context=True) and not answered(head, lex)


def _answer_time(time: EventTime | None, published: datetime | None) -> EventTime | None:
    """A reaction's time words date the reaction (or another event it links the launch
    to), not the launch: its interval is the days before its publication, reaching back
    to its own time words when they are earlier, at the "days" precision that never
    sets an event's time."""
    if published is None:
        return time
    end = published.astimezone(UTC)
    start, phrase = end - ANSWER_WINDOW, None
    if time is not None and time.precision != "days" and time.start < start:
        start, phrase = max(time.start, end - ANSWER_REACH), time.phrase
    return EventTime(start, end, "days", phrase)


def split_sentences(paragraph: str, lexicon: LaunchLexicon | None = None) -> list[str]:
    """Sentences of one paragraph; abbreviations such as "U.S." and "a.m." do not end one."""
    lex = lexicon or _builtin()["en"]
    return [s.strip() for s in lex.sentence_end.split(paragraph) if s.strip()]


def _text_sentences(text: str, title: str, lex: LaunchLexicon) -> list[str]:
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    return [s for p in paragraphs for s in split_sentences(p, lex)][:FACT_SENTENCES]


def _lead_paragraphs(text: str, title: str, lex: LaunchLexicon) -> list[str]:
    paragraphs = lead_paragraphs(text, lex.time)
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        # headline repeated as line 1
        paragraphs = lead_paragraphs(text.strip()[len(title) :], lex.time)
    return paragraphs


def _dated_recently(
    sentence: str, published: datetime | None, zone: ZoneInfo, lex: LaunchLexicon
) -> bool:
    """A recent time of the launch, or of the reaction itself ("政府は4日、... 抗議した":
    the day of a statement dates a reaction as news)."""
    if _recent_time(sentence, published, zone, lex):
        return True
    period = period_mentioned(sentence, published, zone, lex.time)
    return period is not None and (published is None or period[1] >= published - RECENT)


def _recent_time(
    sentence: str, published: datetime | None, zone: ZoneInfo, lex: LaunchLexicon
) -> bool:
    found = resolve_event_time(sentence, published, zone, lex.time, lex.event)
    if found is None or found.precision == "days":
        return False
    return published is None or found.end >= published - RECENT
