"""Extraction quality and speed on the 181 real pages of extraction-benchmark.

Compares, in the same run and on the same pages:
  baseline  trafilatura.extract(html) with default settings (the dataset's reference)
  newsmon   crawler.extract.extract_page(html, url), what the crawler stores

Score: per page, word 4-grams of the extracted text against `articleBody`
(precision, recall, F1), averaged over pages. Speed: pages per CPU second
(process time, which other load on a shared machine disturbs less than wall
time), median of --repeat runs.

    python -m bench.extraction [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections.abc import Callable

import trafilatura

from bench.common import dataset, median
from crawler.parse.extract import extract_page

WORD = re.compile(r"\w+")


def ngrams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def score(extracted: str, truth: str) -> tuple[float, float, float]:
    got, want = ngrams(extracted), ngrams(truth)
    if not got or not want:
        return 0.0, 0.0, 0.0
    common = len(got & want)
    precision, recall = common / len(got), common / len(want)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def evaluate(name: str, extract: Callable[[bytes, str], str], pages, repeat: int) -> dict:
    timings, texts = [], []
    for _ in range(repeat):
        start = time.process_time()
        texts = [extract(html, url) for html, url, _ in pages]
        timings.append(time.process_time() - start)
    scores = [score(text, truth) for text, (_, _, truth) in zip(texts, pages, strict=True)]
    n = len(scores)
    return {
        "method": name,
        "pages": n,
        "precision": round(sum(s[0] for s in scores) / n, 3),
        "recall": round(sum(s[1] for s in scores) / n, 3),
        "f1": round(sum(s[2] for s in scores) / n, 3),
        "pages_per_s": round(n / median(timings), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = dataset("extraction-benchmark")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (
            gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()),
            item["url"],
            item["articleBody"],
        )
        for key, item in sorted(truth.items())
    ]
    results = [
        evaluate(
            "trafilatura.extract (baseline)",
            lambda html, url: trafilatura.extract(html, url=url) or "",
            pages,
            args.repeat,
        ),
        evaluate(
            "newsmon extract_page",
            lambda html, url: extract_page(html, url).text,
            pages,
            args.repeat,
        ),
    ]
    for row in results:
        print(json.dumps(row))
    base, ours = results
    print(
        f"F1 {ours['f1']} vs baseline {base['f1']}; speed ratio "
        f"{ours['pages_per_s'] / base['pages_per_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
