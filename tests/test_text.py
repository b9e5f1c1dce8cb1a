"""Counts said to people: one rule for every "1 feed", "2 entries", "13 listed"."""

from __future__ import annotations

import pytest

from crawler.model import PollReport
from crawler.text import plural


@pytest.mark.parametrize(
    ("count", "noun", "said"),
    [
        (1, "feed", "1 feed"),
        (0, "feed", "0 feeds"),
        (1, "new event", "1 new event"),
        (2, "new event", "2 new events"),
        (2, "new entry", "2 new entries"),
        (13, "listed", "13 listed"),
        (3, "copy", "3 copies"),
        (None, "article", "0 articles"),
    ],
)
def test_plural(count, noun, said):
    assert plural(count, noun) == said


def test_a_poll_summary_says_one_in_the_singular():
    summary = PollReport(feeds_polled=1, new_entries=1, new_articles=1, new_events=1).summary()
    assert summary.startswith("polled 1 feed: ")
    assert "1 new entry, 1 new article, 1 new event, 0 feed errors" in summary
