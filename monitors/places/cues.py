"""The words around a place name that say what it is to the event, per language.

A dateline names where the reporter files from; a government or an official speaks for
a place that reacts; a preposition or a postposition ties a place to what happened
("struck off Honshu", "대만 화롄 인근 해역에서", "台湾東部で"). Each language is one entry
of the tables below; a language not listed reads with all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AGENCIES = (
    r"AP|AFP|Reuters|UPI|Xinhua|EFE|dpa|DPA|ANSA|Kyodo|Yonhap|Bloomberg|CNN|"
    r"Europa Press|EP|Notimex|TASS|Anadolu|Bernama|Antara|CNA"
)
# "TOKYO (AP) —", "SEOUL, Dec 28 (Reuters) -", "Tokio, 28 dic (EFE).-", "PARIS —"
LATIN_DATELINE = re.compile(
    rf"^\s*(?:[A-Z]{{2}}[A-Z.'’ -]{{1,40}}"
    rf"|[A-Z][\w.'’ -]{{1,40}}(?=[^—–\n]{{0,30}}\((?:{AGENCIES})\)))"
    rf"(?:,[^—–()\n]{{1,40}})?\s*(?:\((?:{AGENCIES})\))?\s*[.,]?\s*(?:—|–|--|-)+\s*"
)
# "SEOUL, Dec.": a dateline that a sentence splitter cut at its month's full stop
DATELINE_PIECE = re.compile(r"^\s*[A-Z]{2}[A-Z.'’ -]*,\s*[A-Z][a-z]{2,4}\.?\s*$")
# "[도쿄=연합뉴스] 홍길동 특파원 =", "(서울=뉴스1) 기자 =", "【北京共同】", "（ワシントン共同）"
CJK_DATELINE = re.compile(
    r"^\s*(?:[\[(（【][^\]\)）】]{1,24}[\])）】]\s*(?:[^\s=]{1,12}\s+){0,2}(?:기자|특파원)?\s*=?\s*)+"
)


@dataclass(frozen=True)
class Cues:
    """Patterns read just before a name (ending at it) and just after it (from it)."""

    script: re.Pattern[str] = re.compile(r"[^\W\d_]")  # the names they read: Latin, ...
    event_before: re.Pattern[str] | None = None
    event_after: re.Pattern[str] | None = None
    speaker_before: re.Pattern[str] | None = None
    speaker_after: re.Pattern[str] | None = None
    echo_before: re.Pattern[str] | None = None  # where the event is only felt or heard
    echo_after: re.Pattern[str] | None = None
    actor_after: re.Pattern[str] | None = None  # a country as the one who acts
    # one-character names a language abbreviates countries to (北 in "北, 미사일 발사")
    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviation: re.Pattern[str] | None = None


_I = re.IGNORECASE
OFFICIALS_EN = (
    r"government|(?:foreign|defen[cs]e|interior)\s+ministry|ministry|state\s+department|"
    r"pentagon|military|army|navy|officials?|authorities|president|prime\s+minister|"
    r"foreign\s+minister|leader|embassy|cabinet|spokes(?:man|woman|person)|joint\s+chiefs"
)
SAYS_EN = (
    r"said|says|condemned|condemns|warned|warns|protested|protests|urged|urges|"
    r"denounced|critici[sz]ed|vowed|announced|accused|demanded|responded|reacted"
)

LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
KOREAN = re.compile(r"[\uac00-\ud7af\u3400-\u9fff]")  # Hangul, and the hanja of 北
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
KOREAN_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "北": ("North Korea",),
    "美": ("United States",),
    "中": ("China",),
    "日": ("Japan",),
    "韓": ("South Korea",),
    "英": ("United Kingdom",),
    "佛": ("France",),
    "獨": ("Germany",),
    "露": ("Russia",),
    "臺": ("Taiwan",),
    "印": ("India",),
}

CUES: dict[str, Cues] = {
    "en": Cues(
        script=LATIN,
        event_before=re.compile(
            r"\b(?:in|near|off|on|at|across|into|over|toward|towards|hit|hits|hitting|"
            r"struck|strikes|striking|rocked|rocks|jolted|jolts|shook|shakes|battered|"
            r"lashed|flooded|devastated)\b[\w\s,'-]{0,28}$"
            # "east of", "coast of": not "residents of"
            r"|\b(?:coast|shores?|(?:north|south)?(?:east|west)|north|south|km|kilometers|"
            r"kilometres|miles|island|province|prefecture|region|state|outskirts)\s+of\s+"
            r"(?:the\s+)?$",
            _I,
        ),
        speaker_before=re.compile(rf"\b(?:{OFFICIALS_EN})\s+(?:of|in|for)\s+(?:the\s+)?$", _I),
        speaker_after=re.compile(
            rf"^(?:['’]s)?\s+(?:(?:{OFFICIALS_EN})\b|(?:has\s+|have\s+)?(?:{SAYS_EN})\b)", _I
        ),
        actor_after=re.compile(
            r"^\s+(?:has\s+|have\s+|had\s+)?(?:again\s+)?(?:fired|fires|launched|launches|"
            r"test-fired|tested|tests|conducted|conducts|sent|sends|struck|strikes|attacked|"
            r"attacks|bombed|shelled|shot|shoots|seized|deployed)\b",
            _I,
        ),
        echo_before=re.compile(
            r"\b(?:felt|heard|sensed)\s+(?:as\s+far\s+(?:away\s+)?as|in|across)\s+[\w\s,'-]{0,20}$",
            _I,
        ),
    ),
    "fr": Cues(
        script=LATIN,
        event_before=re.compile(
            r"\b(?:en|au|aux|à|dans|près|proche|large|vers|sur|frappe|frappé|secoue|"
            r"secoué|touche|touché|ravage|ravagé)\b[\w\s,'’-]{0,28}$",
            _I,
        ),
        speaker_before=re.compile(
            r"\b(?:gouvernement|ministère|minist[eè]re\s+des\s+affaires\s+étrangères|"
            r"autorités|président|armée|diplomatie)\s+(?:de\s+la\s+|de\s+l['’]|du\s+|des\s+|de\s+|d['’])?$",
            _I,
        ),
        actor_after=re.compile(
            r"^\s+(?:a|ont)\s+(?:tiré|lancé|frappé|bombardé|attaqué|testé)\b", _I
        ),
        speaker_after=re.compile(
            r"^\s+(?:a|ont)\s+(?:condamné|dénoncé|déclaré|averti|affirmé|protesté)\b", _I
        ),
        echo_before=re.compile(r"\bressentie?s?\s+(?:jusqu['’]|à|en|au)\s*[\w\s,'-]{0,20}$", _I),
    ),
    "es": Cues(
        script=LATIN,
        event_before=re.compile(
            r"\b(?:en|cerca|frente|hacia|sobre|sacude|sacudió|azota|azotó|golpea|golpeó|"
            r"estremece|estremeció|sacudido|inunda|inundó)\b[\w\s,'-]{0,28}$",
            _I,
        ),
        speaker_before=re.compile(
            r"\b(?:gobierno|ministerio|cancillería|autoridades|presidente|ejército|ministro|"
            r"portavoz)\s+(?:de\s+la\s+|del\s+|de\s+los\s+|de\s+)?$",
            _I,
        ),
        actor_after=re.compile(
            r"^\s+(?:ha\s+|han\s+)?(?:disparó|lanzó|atacó|bombardeó|probó|dispara|lanza)\b", _I
        ),
        speaker_after=re.compile(
            r"^\s+(?:ha\s+)?(?:condenó|condena|denunció|advirtió|afirmó|dijo|declaró|protestó)\b",
            _I,
        ),
        echo_before=re.compile(r"\bsenti(?:do|ó)\s+(?:en|hasta)\s+[\w\s,'-]{0,20}$", _I),
    ),
    "ko": Cues(
        script=KOREAN,
        abbreviations=KOREAN_ABBREVIATIONS,
        # a lone hanja after a space or punctuation: 北, 美 in "北, 美 본토 겨냥", not 27日
        abbreviation=re.compile(
            rf"(?<![\u3040-\u30ff\u3400-\u9fff\w])[{''.join(KOREAN_ABBREVIATIONS)}]"
            r"(?![\u3040-\u30ff\u3400-\u9fff\d])"
        ),
        event_after=re.compile(
            r"^[^\s,.]{0,4}?(?:에서|인근|앞바다|해역|근해|연안|일대|상으로|쪽으로|으로|로|"
            r"동부|서부|남부|북부|중부|남동|북동|남서|북서|동쪽|서쪽|남쪽|북쪽)"
            r"|^\s+(?:인근|앞바다|해역|근해|연안|일대|동부|서부|남부|북부|중부|남동|북동|남서|북서)"
        ),
        # the subject: "북한이 발사했다", and a headline's "北, 서해상 미사일 발사"
        actor_after=re.compile(r"^(?:(?:이|가|은|는)\s|,)"),
        speaker_after=re.compile(
            r"^\s*(?:정부|외교부|국방부|통일부|당국|대통령|총리|외무성|방위성|합참|국무부|대사관)"
        ),
        echo_after=re.compile(r"^[^\s,.]{0,3}?에서도"),
    ),
    "ja": Cues(
        script=JAPANESE,
        event_after=re.compile(
            r"^[^\s、。]{0,4}?(?:で|沖|近海|付近|周辺|東部|西部|南部|北部|中部|南東|北東|南西|北西|地方|方面)"
        ),
        speaker_after=re.compile(
            r"^\s*(?:政府|外務省|防衛省|国防省|国務省|当局|大統領|首相|大使館)"
        ),
        echo_after=re.compile(r"^[^\s、。]{0,3}?でも"),
    ),
}


def cues_for(language: str | None) -> tuple[Cues, ...]:
    """The cue tables to read a text in: its language's, or all of them."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    if code in CUES:
        return (CUES[code],)
    return tuple(CUES.values())


def dateline_end(text: str) -> int:
    """Where a leading dateline ends (0 when the text has none)."""
    if DATELINE_PIECE.match(text):
        return len(text)
    for pattern in (CJK_DATELINE, LATIN_DATELINE):
        found = pattern.match(text)
        if found and found.end() < len(text):
            return found.end()
    return 0
