"""Story clustering on story-clusters-uci: 6,366 headlines, 87 labelled stories.

Every headline goes, in timestamp order, through the crawler's own
`stories.assign_story` on a real SQLite file (headlines only: no text, so
only the headline test can link them). Scores against the labels, with the
two baselines computed in the same run:

  all singletons         every headline its own story
  identical titles only  headlines grouped when their text is identical

    python -m bench.stories [--threshold 0.5]
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.common import dataset
from crawler import store, stories, text
from crawler.clock import isoformat
from crawler.config import StorySettings


def bcubed(predicted: Sequence[object], truth: Sequence[object]) -> tuple[float, float, float]:
    by_pred: dict[object, list[int]] = defaultdict(list)
    by_true: dict[object, list[int]] = defaultdict(list)
    for i, (p, t) in enumerate(zip(predicted, truth, strict=True)):
        by_pred[p].append(i)
        by_true[t].append(i)
    precision = recall = 0.0
    for p, t in zip(predicted, truth, strict=True):
        same_pred = by_pred[p]
        correct = sum(truth[j] == t for j in same_pred)
        precision += correct / len(same_pred)
        recall += correct / len(by_true[t])
    n = len(truth)
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise(predicted: Sequence[object], truth: Sequence[object]) -> tuple[float, float, float]:
    def pairs(labels: Sequence[object]) -> Counter:
        return Counter(labels)

    joint = Counter(zip(predicted, truth, strict=True))
    both = sum(c * (c - 1) / 2 for c in joint.values())
    pred_pairs = sum(c * (c - 1) / 2 for c in pairs(predicted).values())
    true_pairs = sum(c * (c - 1) / 2 for c in pairs(truth).values())
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cluster(
    rows: list[dict[str, str]], workdir: Path, settings: StorySettings, warm: bool = False
) -> tuple[list[int], float]:
    db = store.db.open_db(workdir / "stories.db")
    db.execute("INSERT INTO outlets (name) VALUES ('uci')")
    if warm:  # term statistics of an archive that has seen such headlines before
        counts = Counter(t for row in rows for t in text.title_terms(row["TITLE"]))
        counts[store.stories.TOTAL] = len(rows)
        with db.atomic():
            db.conn.executemany("INSERT INTO term_df (term, df) VALUES (?, ?)", counts.items())
    ids, started = [], time.perf_counter()
    for row in rows:
        at = isoformat(datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, UTC))
        with db.atomic():
            article_id = db.execute(
                """INSERT INTO articles (url, outlet_id, title, published_utc, text,
                   text_method, text_hash, word_count, fetched_at)
                   VALUES (?, 1, ?, ?, '', 'title', ?, 0, ?)""",
                [row["URL"] + "#" + row["ID"], row["TITLE"], at, "h" + row["ID"], at],
            ).lastrowid
            stories.assign_story(
                db,
                article_id,
                title=row["TITLE"],
                text="",
                text_hash="h" + row["ID"],
                at=at,
                settings=settings,
            )
        ids.append(article_id)
    elapsed = time.perf_counter() - started
    final = dict(db.execute("SELECT id, story_id FROM articles"))  # after any merges
    labels = [final[i] for i in ids]
    db.close()
    return labels, elapsed / len(rows)


def report(name: str, predicted: Sequence[object], truth: Sequence[object]) -> dict:
    b = bcubed(predicted, truth)
    p = pairwise(predicted, truth)
    return {
        "method": name,
        "clusters": len(set(predicted)),
        "bcubed_p": round(b[0], 3),
        "bcubed_r": round(b[1], 3),
        "bcubed_f1": round(b[2], 3),
        "pair_p": round(p[0], 3),
        "pair_r": round(p[1], 3),
        "pair_f1": round(p[2], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=StorySettings.headline)
    parser.add_argument("--merge", type=float, default=StorySettings.headline_merge)
    parser.add_argument(
        "--warm-idf",
        action="store_true",
        help="seed term statistics with all headlines first (an archive's IDF)",
    )
    args = parser.parse_args()
    folder = dataset("story-clusters-uci")
    with (folder / "uci-news-aggregator.first6366.csv").open(encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (int(r["TIMESTAMP"]), int(r["ID"])))
    truth = [row["STORY"] for row in rows]
    settings = StorySettings(headline=args.threshold, headline_merge=args.merge)
    with tempfile.TemporaryDirectory() as tmp:
        predicted, per_article = cluster(rows, Path(tmp), settings, warm=args.warm_idf)
    results = [
        report("all singletons (baseline)", list(range(len(rows))), truth),
        report("identical titles (baseline)", [r["TITLE"].strip().lower() for r in rows], truth),
        report(f"newsmon stories (join {args.threshold}, merge {args.merge})", predicted, truth),
    ]
    for row in results:
        print(json.dumps(row))
    print(
        f"{len(rows)} headlines, {len(set(truth))} labelled stories, "
        f"{per_article * 1000:.2f} ms per headline"
    )


if __name__ == "__main__":
    main()
