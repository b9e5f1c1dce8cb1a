"""kill -9 at random moments: the database stays whole and the end result is the same.

The long soak (25 kills of each kind) is `python -m bench.soak`; these are short.
"""

import pytest

from bench.soak import compare


@pytest.mark.parametrize(("mode", "kills", "seed"), [("run", 4, 1), ("daemon", 3, 2)])
def test_kill_9_loses_and_doubles_nothing(tmp_path, mode, kills, seed):
    reference, soaked = compare(kills, mode, seed, tmp_path)
    assert soaked.integrity_failures == 0
    assert soaked.articles == reference.articles and len(reference.articles) == 31
    assert soaked.events == reference.events and len(reference.events) == 2
