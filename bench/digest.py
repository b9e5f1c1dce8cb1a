"""Digest speed: CPU time of `newsmon digest --format json` over a large archive.

The issue's target: over 100k articles and 5k events the digest returns in
under 1 s of CPU, through indexes, with no full scans. The archive is built
through newsmon's own code (`store.db.open_db` migrations, `ingest.add_article`
with keyword monitors configured in code), from real sentences and headlines
as in bench/growth.py, and cached: building 100k articles takes minutes.

Articles are spread over DAYS days (about 555 a day for 100k). Events are
clusters of 1-60 reports of one keyword each, a few minutes to 3 hours after
the event, whose lead names the day and a clock time, so a cluster is one
event and two of a monitor's events never meet (they lie EVENT_GAP apart);
enough monitors are configured for that. Events are uniform in time, so the
digest's default window (the last day) holds about events / DAYS of them.

Measured, each as a `newsmon digest --format json` subprocess: CPU (user+sys
of the child) and wall time, median of --repeat runs after one warm-up, with
bytecode cached as an installed newsmon has it (PYTHONPYCACHEPREFIX keeps the
.pyc files in the cache directory). Cases: the default window; every event
(`--since` before the first; the digest shows at most 500); a reader's first
digest; a reader one day behind; `--monitor` with the default window and with
a reader. The start-up floor (`import crawler.cli`, `newsmon --help`) is
measured in the same run. Then every SQL statement the digest runs is traced
in-process and shown with its query plan; full scans of large tables, and
sorts of every matching row before a LIMIT, are flagged.

    python -m bench.digest [--articles 100000] [--events 5000] [--repeat 5] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bench.common import ROOT
from bench.growth import Corpus, add_synthetic
from crawler import config, store
from crawler.clock import isoformat, parse_instant
from crawler.report import digest, records
from monitors import build

BUILD_VERSION = 1  # bump when the generated archive changes, so caches are rebuilt
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 180
OUTLETS = 8
# Two events of one monitor must not overlap once widened by events.TIME_TOLERANCE
# (3 h each side); 8 h apart, less 10% jitter, keeps them apart.
EVENT_GAP = timedelta(hours=8)
LATEST_REPORT = timedelta(hours=3)  # reports of an event come this soon after it, at most
MAX_EVENT_SIZE = 60
KEYWORDS = (
    "earthquake",
    "typhoon",
    "wildfire",
    "landslide",
    "tsunami",
    "eruption",
    "derailment",
    "blackout",
    "cyberattack",
    "avalanche",
    "heatwave",
    "hailstorm",
    "sinkhole",
    "mudslide",
    "tornado",
    "blizzard",
)
TARGET_CPU_S = 1.0
SHOWN_AT_MOST = 500  # records.select's limit; the CLI has no option for it
CACHE = Path(os.environ.get("NEWSMON_BENCH_CACHE", Path.home() / ".cache" / "newsmon-bench"))
LARGE_TABLES = frozenset(
    {
        "articles",
        "articles_fts",
        "article_urls",
        "article_links",
        "article_features",
        "entries",
        "events",
        "event_articles",
        "fetches",
        "minhash_bands",
        "stories",
        "story_terms",
        "term_df",
        "title_terms",
        "outbox",
    }
)


# -- the archive -------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """One article to ingest: background (monitor None) or one report of an event."""

    at: datetime
    monitor: int | None = None
    event: int | None = None
    event_at: datetime | None = None
    copy: bool = False  # an exact copy of the event's first report (a syndicated wire)


def monitor_count(events: int, days: int) -> int:
    """Enough monitors that each one's events lie EVENT_GAP apart."""
    needed = max(1, math.ceil(events * EVENT_GAP / timedelta(days=days)))
    if needed > len(KEYWORDS):
        raise SystemExit(f"{events} events in {days} days need {needed} monitors: raise --days")
    return needed


def plan(rng: random.Random, articles: int, events: int, days: int) -> list[Report]:
    """Every article's time and role, in time order (the order they are ingested)."""
    span = timedelta(days=days)
    monitors = monitor_count(events, days)
    reports: list[Report] = []
    for event in range(events):
        monitor, slot = event % monitors, event // monitors
        per_monitor = len(range(monitor, events, monitors))
        spacing = span / per_monitor
        at = START + spacing * (slot + 0.5 + rng.uniform(-0.1, 0.1))
        size = 1 + min(MAX_EVENT_SIZE - 1, int(rng.expovariate(1 / 2.5)))
        offsets = sorted(rng.uniform(300, LATEST_REPORT.total_seconds()) for _ in range(size))
        for i, offset in enumerate(offsets):
            copy = i > 0 and rng.random() < 0.4
            reports.append(Report(at + timedelta(seconds=offset), monitor, event, at, copy))
    background = articles - len(reports)
    if background < 0:
        raise SystemExit(f"{events} events need {len(reports)} reports: raise --articles")
    reports += [Report(START + span * rng.random()) for _ in range(background)]
    reports.sort(key=lambda report: report.at)
    return reports


class Writer:
    """Turns planned reports into titles and texts from real sentences and headlines."""

    def __init__(self, rng: random.Random, keywords: tuple[str, ...]):
        corpus = Corpus(rng)
        pattern = re.compile(rf"\b({'|'.join(KEYWORDS)})\b", re.IGNORECASE)
        self.sentences = [s for s in corpus.sentences if not pattern.search(s)]
        self.titles = [t for t in corpus.titles if not pattern.search(t)]
        self.keywords = keywords
        self.rng = rng
        self.first_text: dict[int, str] = {}

    def body(self) -> str:
        return " ".join(self.rng.sample(self.sentences, self.rng.randint(8, 16)))

    def write(self, report: Report, n: int) -> tuple[str, str]:
        """(title, text): a background article, or a report whose lead names the event."""
        headline = f"{self.rng.choice(self.titles)} ({n})"
        if report.monitor is None or report.event_at is None or report.event is None:
            return headline, self.body()
        keyword = self.keywords[report.monitor]
        title = f"{keyword.capitalize()} reported: {headline}"
        if report.copy and report.event in self.first_text:
            return title, self.first_text[report.event]
        at = report.event_at
        lead = f"On {at:%A}, a {keyword} was reported at {at:%H:%M} GMT, officials said."
        text = f"{lead}\n{self.body()}"
        self.first_text.setdefault(report.event, text)
        return title, text


def seed_outlets(db: sqlite_utils.Database) -> None:
    for o in range(1, OUTLETS + 1):
        db.execute("INSERT INTO outlets (name) VALUES (?)", [f"Bench Outlet {o}"])
        db.execute(
            "INSERT INTO feeds (outlet_id, config_url, url, kind, interval_s, next_due)"
            " VALUES (?, ?, ?, 'feed', 900, ?)",
            [o, f"https://outlet{o}.example/rss", f"https://outlet{o}.example/rss", START],
        )


def ingest_one(
    db: sqlite_utils.Database, monitors: list[Any], n: int, at: datetime, title: str, text: str
) -> None:
    """One article through the crawler's per-article path, as bench/growth.py does it."""
    feed_id = 1 + n % OUTLETS
    add_synthetic(db, monitors, feed_id, n, f"https://outlet{feed_id}.example/{n}", title, text, at)


def keyword_monitors(count: int) -> list[config.MonitorConfig]:
    return [
        config.MonitorConfig(f"bench-{kw}", "keywords", {"include": [kw]})
        for kw in KEYWORDS[:count]
    ]


def build_archive(path: Path, articles: int, events: int, days: int, seed: int) -> float:
    """Build the database at `path` through newsmon's own ingest; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    reports = plan(rng, articles, events, days)
    count = monitor_count(events, days)
    writer = Writer(rng, KEYWORDS[:count])
    monitors = [build(m) for m in keyword_monitors(count)]
    db = store.db.open_db(path)
    seed_outlets(db)
    step = max(1, len(reports) // 20)
    for n, report in enumerate(reports):
        title, text = writer.write(report, n)
        ingest_one(db, monitors, n, report.at, title, text)
        if (n + 1) % step == 0:
            elapsed = time.perf_counter() - started
            print(f"  built {n + 1:,}/{len(reports):,} ({elapsed:.0f} s)", file=sys.stderr)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return time.perf_counter() - started


def cached_archive(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached database for these sizes, built (atomically) when absent or stale."""
    name = f"digest-{args.articles}-{args.events}"
    path, sidecar = args.cache / f"{name}.db", args.cache / f"{name}.json"
    wanted = {"version": BUILD_VERSION, "days": args.days, "seed": args.seed}
    if path.exists() and sidecar.exists() and not args.rebuild:
        info = json.loads(sidecar.read_text())
        if all(info.get(key) == value for key, value in wanted.items()):
            return path, info
    args.cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.db")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), path):
        stale.unlink(missing_ok=True)
    print(f"building {path} (once; --rebuild to redo) ...", file=sys.stderr)
    seconds = build_archive(partial, args.articles, args.events, args.days, args.seed)
    partial.rename(path)
    info = {**wanted, "build_s": round(seconds, 1), "built": isoformat(datetime.now(UTC))}
    sidecar.write_text(json.dumps(info))
    return path, info


# -- measuring ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    args: Callable[[int], list[str]]  # digest options for repeat i
    setup: Callable[[int], None] = lambda i: None


@dataclass(frozen=True)
class Timing:
    cpu: list[float]
    wall: list[float]
    shown: int | None


def child_env(bytecode: bool = True) -> dict[str, str]:
    """The children's environment: with bytecode cached (outside the repository), as an
    installed newsmon has it, even where PYTHONDONTWRITEBYTECODE is set; or without."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def child_run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(CPU s of the child, wall s, stdout): CPU is the RUSAGE_CHILDREN delta."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=ROOT, env=env or child_env()
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, wall, done.stdout


def measure(
    command: Callable[[int], list[str]],
    repeat: int,
    setup: Callable[[int], None] = lambda i: None,
    env: dict[str, str] | None = None,
) -> Timing:
    """One warm-up run (page cache, .pyc files), then `repeat` measured ones."""
    cpu, wall, shown = [], [], None
    for i in range(repeat + 1):
        setup(i)
        seconds, elapsed, out = child_run(command(i), env)
        if i == 0:
            continue
        cpu.append(seconds)
        wall.append(elapsed)
        if out.lstrip().startswith("{"):
            shown = len(json.loads(out)["events"])
    return Timing(cpu, wall, shown)


def write_config(folder: Path, database: Path, monitors: int) -> Path:
    """A config.yaml for the cached database, with the monitors that built it."""
    lines = [f"database: {json.dumps(str(database))}", "outlets:"]
    for o in range(1, OUTLETS + 1):
        lines += [f"  - name: Bench Outlet {o}", f"    feeds: [https://outlet{o}.example/rss]"]
    lines.append("monitors:")
    for monitor in keyword_monitors(monitors):
        lines += [
            f"  - name: {monitor.name}",
            "    type: keywords",
            f"    include: {json.dumps(list(monitor.options['include']))}",
        ]
    path = folder / "config.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def archive_now(db: sqlite_utils.Database) -> datetime:
    """The archive's "now": the last article's fetch time (through articles_fetched)."""
    return parse_instant(db.execute("SELECT max(fetched_at) FROM articles").fetchone()[0])


def behind_cursor(db: sqlite_utils.Database, now: datetime) -> int:
    """The change sequence as it stood one day before `now`."""
    row = db.execute(
        "SELECT max(change_seq) FROM events WHERE last_updated < ?",
        [isoformat(now - timedelta(days=1))],
    ).fetchone()
    return row[0] or 0


def cases(db: sqlite_utils.Database, now: datetime, token: str) -> list[Case]:
    """The digests measured; reader names are fresh per run, so each run reads the same."""
    behind = behind_cursor(db, now)
    everything = isoformat(START - timedelta(days=1))
    monitor = ["--monitor", keyword_monitors(1)[0].name]

    def reader(tag: str) -> Callable[[int], list[str]]:
        return lambda i: ["--reader", f"{token}-{tag}-{i}"]

    def fall_behind(tag: str) -> Callable[[int], None]:
        return lambda i: store.readers.save_reader_cursor(
            db, f"{token}-{tag}-{i}", behind, isoformat(now)
        )

    return [
        Case("default window (24 h)", lambda i: []),
        Case("all events (--since)", lambda i: ["--since", everything]),
        Case("--reader, first read", reader("first")),
        Case("--reader, 1 day behind", reader("behind"), fall_behind("behind")),
        Case("--monitor, 24 h", lambda i: monitor),
        Case(
            "--monitor, reader behind",
            lambda i: monitor + reader("mbehind")(i),
            fall_behind("mbehind"),
        ),
    ]


def in_process(db: sqlite_utils.Database, now: datetime, options: list[str]) -> dict[str, float]:
    """What `digest --format json` does after start-up, timed in parts (CPU s)."""
    given = dict(zip(options[::2], options[1::2], strict=True))
    since = parse_instant(given["--since"]) if "--since" in given else None
    started = time.process_time()
    selection = records.select(
        db, now=now, reader=given.get("--reader"), since=since, monitor=given.get("--monitor")
    )
    selected = time.process_time()
    digest.render("json", selection.events, since=selection.since, generated=now)
    rendered = time.process_time()
    return {"select": selected - started, "render": rendered - selected}


# -- query plans -------------------------------------------------------------------

LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
IN_LIST = re.compile(r"IN \((?:\?, ?)*\?\)")
NOT_ALIAS = "ON|WHERE|JOIN|LEFT|INNER|ORDER|GROUP|LIMIT|SET|VALUES"
ALIAS = re.compile(
    rf"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!(?:{NOT_ALIAS})\b)(\w+))?", re.IGNORECASE
)
PLANNED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE")


def normalise(sql: str) -> str:
    """The statement with literals as `?`: one key per statement shape."""
    text = " ".join(sql.split())
    return IN_LIST.sub("IN (...)", LITERAL.sub("?", text))


@dataclass
class Traced:
    sql: str  # the first expanded instance, used for EXPLAIN
    count: int = 0


def trace(db: sqlite_utils.Database, run: Callable[[], Any]) -> dict[str, Traced]:
    """Every statement `run` executes on `db`, grouped by shape, in first-seen order."""
    seen: dict[str, Traced] = {}

    def record(sql: str) -> None:
        key = normalise(sql)
        seen.setdefault(key, Traced(sql)).count += 1

    db.conn.set_trace_callback(record)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    return seen


def plan_rows(db: sqlite_utils.Database, sql: str) -> list[str]:
    return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]


def scan_flags(sql: str, details: list[str]) -> list[str]:
    """Plan lines that read a large table in full, or every matching row before a LIMIT."""
    aliases = {}
    for table, alias in ALIAS.findall(sql):
        aliases[table] = table
        if alias:
            aliases[alias] = table
    limited = re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None
    sorted_in_temp = any("TEMP B-TREE FOR ORDER BY" in detail for detail in details)
    flags = []
    for detail in details:
        m = re.match(r"SCAN (\w+)(?: USING (COVERING )?INDEX (\w+))?", detail)
        if not m or m.group(2):
            continue
        table = aliases.get(m.group(1), m.group(1))
        if table in LARGE_TABLES and not (m.group(3) and limited and not sorted_in_temp):
            flags.append(f"full scan of {table}" + (f" via {m.group(3)}" if m.group(3) else ""))
    if limited and sorted_in_temp:
        flags.append("every matching row is read and sorted before the LIMIT")
    return flags


def print_plans(db: sqlite_utils.Database, statements: dict[str, Traced]) -> int:
    """EXPLAIN QUERY PLAN of each distinct statement; returns the number flagged."""
    flagged = 0
    for key, traced in statements.items():
        if not key.lstrip("( ").upper().startswith(PLANNED):
            continue
        details = plan_rows(db, traced.sql)
        flags = scan_flags(traced.sql, details)
        flagged += bool(flags)
        print(f"\n  [{traced.count}x] {key[:300]}")
        for detail in details:
            print(f"      {detail}")
        for flag in flags:
            print(f"      !! {flag}")
    return flagged


def explain_all(db: sqlite_utils.Database, now: datetime, every: list[Case], token: str) -> int:
    """Trace one in-process digest per case (plus the open's migrations check)."""
    statements = trace(db, lambda: store.schema.MIGRATIONS.apply(db))
    for case in every:
        case.setup(-1)
        options = case.args(-1)
        for key, traced in trace(db, lambda o=options: in_process(db, now, o)).items():
            seen = statements.setdefault(key, Traced(traced.sql))
            seen.count += traced.count
    # what the CLI does after a reader's digest
    statements.update(trace(db, lambda: store.readers.save_reader_cursor(db, token, 1, "x")))
    return print_plans(db, statements)


# -- report ------------------------------------------------------------------------


def sizes(db: sqlite_utils.Database, path: Path, now: datetime) -> dict[str, Any]:
    counts = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("articles", "events", "event_articles", "article_links", "stories")
    }
    day = isoformat(now - timedelta(days=1))
    counts["events_last_day"] = db.execute(
        "SELECT count(*) FROM events WHERE last_updated >= ?", [day]
    ).fetchone()[0]
    counts["db_mb"] = round(path.stat().st_size / 2**20, 1)
    return counts


def summary_line(name: str, timing: Timing, extra: str = "") -> str:
    cpu = statistics.median(timing.cpu)
    wall = statistics.median(timing.wall)
    shown = "" if timing.shown is None else f"{timing.shown:>4} events  "
    return (
        f"  {name:<26} {shown:<13}cpu {cpu:6.3f} s (min {min(timing.cpu):.3f})  "
        f"wall {wall:6.3f} s  {cpu / TARGET_CPU_S:5.2f}x target{extra}"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=DAYS, help="span of article times")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per case")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built databases live")
    parser.add_argument("--no-plans", action="store_true", help="skip the query plans")
    parser.add_argument(
        "--database", type=Path, help="measure this database (e.g. a copy with an index) as is"
    )
    return parser.parse_args()


def floor_cases(cfg: Path, repeat: int) -> Iterator[tuple[str, Timing]]:
    """The start-up floor: what any newsmon command costs before it does anything."""
    python = sys.executable
    imports = [python, "-c", "import crawler.cli"]
    yield "python -c pass", measure(lambda i: [python, "-c", "pass"], repeat)
    yield "import crawler.cli", measure(lambda i: imports, repeat)
    yield "  the same, no .pyc", measure(lambda i: imports, repeat, env=child_env(False))
    cmd = [python, "-m", "crawler", "--config", str(cfg), "--help"]
    yield "newsmon --help", measure(lambda i: cmd, repeat)


def main() -> None:
    args = parse_args()
    path, info = (args.database, {"build_s": "?"}) if args.database else cached_archive(args)
    db = store.db.open_db(path)
    now = archive_now(db)
    token = f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        cfg = write_config(Path(tmp), path, monitor_count(args.events, args.days))
        facts = sizes(db, path, now)
        print(f"database {path}: {json.dumps(facts)}; built in {info['build_s']} s")
        print(f"now {isoformat(now)}; target {TARGET_CPU_S} s CPU; median of {args.repeat} runs\n")
        base = [sys.executable, "-m", "crawler", "--config", str(cfg), "digest"]
        base += ["--format", "json", "--now", isoformat(now)]
        floors = list(floor_cases(cfg, args.repeat))
        for name, timing in floors:
            print(summary_line(name, timing), flush=True)
        floor = statistics.median(dict(floors)["import crawler.cli"].cpu)
        every = cases(db, now, token)
        for case in every:
            timing = measure(lambda i, c=case: base + c.args(i), args.repeat, case.setup)
            case.setup(-1)  # in-process runs never move a cursor: one prepared reader serves
            parts = [in_process(db, now, case.args(-1)) for _ in range(args.repeat)]
            select = statistics.median(p["select"] for p in parts)
            render = statistics.median(p["render"] for p in parts)
            extra = f"  | above floor {statistics.median(timing.cpu) - floor:.3f}"
            extra += f"; in-process select {select:.3f} render {render:.3f}"
            print(summary_line(case.name, timing, extra), flush=True)
        if not args.no_plans:
            print("\nStatements one digest of each case runs, with their query plans:")
            flagged = explain_all(db, now, every, token)
            print(f"\n{flagged} statement(s) flagged")
        with db.atomic():  # the bench's readers leave the cached database as they found it
            db.execute("DELETE FROM readers WHERE name LIKE ?", [f"{token}%"])


if __name__ == "__main__":
    main()
