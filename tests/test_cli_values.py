"""Absurd values at the edge: each is a one-line usage error (exit 2), never a
traceback, and durations are written in ASCII digits with a unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import config, store
from crawler.clock import format_span, parse_duration
from crawler.config import ConfigError
from tests.conftest import newsmon, write_config

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><body>
<outline type="rss" text="Wire" xmlUrl="https://wire.example.org/rss.xml"/>
</body></opml>"""


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = write_config(tmp_path, [{"name": "Wire", "feeds": ["http://127.0.0.1:9/rss.xml"]}])
    store.db.open_db(tmp_path / "newsmon.db").close()
    (tmp_path / "feeds.opml").write_bytes(OPML)
    return path


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["prune", "--older-than", "10000000d"], "longer than the maximum 36500d"),
        (["opml", "import", "feeds.opml", "--interval", "99999999999999999999d"], "longer"),
        (["prune", "--older-than", "2d", "--now", "0001-01-01T00:00:00Z"], "outside the years"),
        (["run", "--all", "--now", "9999-12-31T23:59:59Z"], "outside the years"),
        (["digest", "--now", "0001-01-01T00:00:00Z", "--since", "7d"], "outside the years"),
        (["prune", "--older-than", "\u0661\u0668\u0660d"], "is not a duration"),  # Arabic-Indic
        (["prune", "--older-than", "\uff11\uff18\uff10d"], "is not a duration"),  # full-width
        (["opml", "import", "feeds.opml", "--interval", "\uff11\uff15m"], "is not a duration"),
        (["digest", "--since", "\u0667d"], "neither a span"),
    ],
)
def test_an_absurd_value_is_a_one_line_usage_error(cfg: Path, args: list[str], says: str) -> None:
    result = newsmon(*args, config=cfg)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "feed errors" not in result.stdout
    assert not (cfg.parent / "outlets.yaml").exists()


def test_a_too_short_value_names_the_minimum_as_users_write_it(cfg: Path) -> None:
    result = newsmon("prune", "--older-than", "180", config=cfg)
    assert result.returncode == 2 and "shorter than 1d" in result.stderr
    assert "0:00" not in result.stderr


def write(tmp_path: Path, interval: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "database: newsmon.db\noutlets:\n  - name: Wire\n"
        f"    feeds: [https://wire.example.org/rss.xml]\n    interval: {interval}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("interval", "says"),
    [
        ("15", "'15' has no unit: write 15m for minutes or 15s"),
        ("10s", "'10s' is shorter than the minimum 1m"),
        ("\uff11\uff15m", "is not a duration"),
        ("100000000d", "longer than the maximum 36500d"),
    ],
)
def test_config_durations_need_a_unit_and_ascii_digits(tmp_path, interval, says) -> None:
    with pytest.raises(ConfigError, match=says) as caught:
        config.load(write(tmp_path, interval))
    assert "0:0" not in str(caught.value)


def test_spans_print_as_users_write_them() -> None:
    assert [format_span(parse_duration(t)) for t in ("1d", "15m", "90s", "2h", "2w", "1.5s")] == [
        "1d",
        "15m",
        "90s",
        "2h",
        "2w",
        "1.5s",
    ]
