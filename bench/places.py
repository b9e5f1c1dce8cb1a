"""The place reader's budgets on real text: build time, memory, and cost per article.

Build: the time and the resident memory that importing the place reader, loading the
gazetteer and building the matcher add, measured in this fresh process before anything
else is imported.
Per article: `event_place` on the title and the first three sentences of every article
of korean-news-dec2025 (528 Naver articles) and extraction-benchmark (181 pages; its
ground truth has no headline, so the first sentence stands for one), best of N rounds.
`--show` prints each article's place, to read the answers by eye.

    python -m bench.places [--rounds N] [--show]
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


_RSS0 = _rss_mb()

from monitors.places import event_place  # noqa: E402
from monitors.places.gazetteer import load as load_gazetteer  # noqa: E402
from monitors.places.matcher import automaton  # noqa: E402

_T1, _RSS1 = time.perf_counter(), _rss_mb()

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
from collections import Counter  # noqa: E402

SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
EVENT_WORDS = re.compile(r"지진|미사일|발사|earthquake|quake|missile|flood|地震", re.IGNORECASE)


def build_cost() -> tuple[float, float]:
    """Seconds and megabytes that the first use of the place reader costs."""
    rss, start = _rss_mb(), time.perf_counter()
    load_gazetteer()
    automaton()
    return time.perf_counter() - start, _rss_mb() - rss


def korean(datasets) -> list[tuple[str, list[str], str]]:
    from bench.monitor_korean import load

    folder = dataset_path(datasets, "korean-news-dec2025")
    return [(a.title, _lead(a.view.text, a.title), "ko") for a in load(folder)]


def english(datasets) -> list[tuple[str, list[str], str]]:
    folder = dataset_path(datasets, "extraction-benchmark")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    found = []
    for item in truth.values():
        sentences = _lead(item["articleBody"], "", count=4)
        if sentences:
            found.append((sentences[0], sentences[1:], "en"))
    return found


def dataset_path(_datasets, name):
    from bench.common import dataset

    return dataset(name)


def _lead(text: str, title: str, count: int = 3) -> list[str]:
    sentences = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
    if sentences and title and sentences[0].casefold() == title.casefold():
        sentences = sentences[1:]
    return sentences[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    seconds, megabytes = build_cost()
    print(f"import monitors.places: {_T1 - _T0:.3f} s, +{_RSS1 - _RSS0:.1f} MB resident")
    print(
        f"first use (tables and matcher): {seconds:.3f} s, +{megabytes:.1f} MB resident; "
        f"+{_RSS1 - _RSS0 + megabytes:.1f} MB in all, from {_RSS0:.1f} MB"
    )
    for name, articles in (("korean-news-dec2025", korean(None)), ("extraction", english(None))):
        timings = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            places = [event_place(t, s, lang, EVENT_WORDS) for t, s, lang in articles]
            timings.append((time.perf_counter() - start) / len(articles))
        named = Counter(p[0] for p in places if p)
        print(
            f"{name}: {len(articles)} articles, {1e3 * min(timings):.3f} ms per article "
            f"(median of rounds {1e3 * statistics.median(timings):.3f} ms); "
            f"{sum(1 for p in places if p)} with a place; most named: {named.most_common(6)}"
        )
        if args.show:
            for (title, _, _), place in zip(articles, places, strict=True):
                print(f"  {' > '.join(place) if place else '-':45.45} {title[:70]}")


if __name__ == "__main__":
    main()
