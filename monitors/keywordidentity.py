"""The `identity:`, `min_similarity` and `follows:` options of a keyword monitor, read
into the engine's `Identity`.

Why a module of its own: these options say when two reports are one event, a question
apart from what a report matches; their checks and messages belong together.

    identity: [place, {fact: magnitude, tolerance: 0.5}]   # default: [place]
    min_similarity: 0.2
    follows: {fact: aftershock, within: 14d, rank: magnitude}

`follows` names a `type: flag` fact that marks a follower (an aftershock): a flagged
report is never one event with an unflagged one; its event is linked to the earlier
unflagged event of the same place `within` before it, the one with the largest `rank`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, get_args

from monitors.base import Agreement, Identity, MergeRule, Parent

MERGES: tuple[MergeRule, ...] = get_args(MergeRule)
DEFAULT_MIN_SIMILARITY = 0.2
FOLLOWS_OPTIONS = frozenset({"fact", "within", "rank"})
DEFAULT_FOLLOW_WINDOW = timedelta(days=14)
SPAN = re.compile(r"^\s*(\d{1,4})\s*(d|h)\s*$")


def identity(options: Mapping[str, Any], facts: Mapping[str, str]) -> Identity:
    """`facts`: each declared fact's name and type. ValueError names the bad option."""
    agree = _agree(options.get("identity", ["place"]), facts)
    similarity = options.get("min_similarity", DEFAULT_MIN_SIMILARITY)
    if isinstance(similarity, bool) or not isinstance(similarity, int | float):
        raise ValueError("option 'min_similarity': expected a number from 0 to 1")
    if not 0 <= similarity <= 1:
        raise ValueError("option 'min_similarity': expected a number from 0 to 1")
    merge: dict[str, MergeRule] = {"place": "most_precise"}
    for fact_name, spec in (options.get("facts") or {}).items():
        rule = spec.get("merge") if isinstance(spec, Mapping) else None
        if rule is not None:
            chosen = next((m for m in MERGES if m == rule), None)
            if chosen is None:
                raise ValueError(
                    f"option 'facts.{fact_name}.merge': expected one of {', '.join(MERGES)}"
                )
            merge[fact_name] = chosen
    return Identity(
        agree=MappingProxyType(agree),
        min_similarity=float(similarity),
        merge=MappingProxyType(merge),
        parent=_follows(options.get("follows"), facts),
    )


def _agree(entries: Any, facts: Mapping[str, str]) -> dict[str, Agreement]:
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, list):
        raise ValueError("option 'identity': expected a list of fact names")
    agree: dict[str, Agreement] = {}
    for entry in entries:
        tolerance = None
        if isinstance(entry, Mapping):
            name, tolerance = entry.get("fact"), entry.get("tolerance")
        else:
            name = entry
        if not isinstance(name, str) or (name != "place" and name not in facts):
            raise ValueError(
                f"option 'identity': {name!r} is neither 'place' nor a fact under 'facts'"
            )
        if tolerance is not None:
            if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
                raise ValueError(f"option 'identity': tolerance of {name!r} must be a number")
            agree[name] = Agreement("near", float(tolerance))
        else:
            agree[name] = Agreement("within" if name == "place" else "equal")
    return agree


def _follows(value: Any, facts: Mapping[str, str]) -> Parent | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = {"fact": value}
    if not isinstance(value, Mapping):
        raise ValueError("option 'follows': expected a mapping with 'fact' (and 'within', 'rank')")
    bad = sorted(set(value) - FOLLOWS_OPTIONS)
    if bad:
        expected = ", ".join(sorted(FOLLOWS_OPTIONS))
        raise ValueError(f"option 'follows': unknown key {bad[0]!r} (expected: {expected})")
    flag = value.get("fact")
    if not isinstance(flag, str) or facts.get(flag) != "flag":
        raise ValueError(f"option 'follows.fact': {flag!r} is not a fact of 'type: flag'")
    window = DEFAULT_FOLLOW_WINDOW
    if "within" in value:
        found = SPAN.match(str(value["within"]))
        if not found or int(found.group(1)) == 0:
            raise ValueError(
                f"option 'follows.within': {value['within']!r} is not a span such as 14d or 36h"
            )
        amount = int(found.group(1))
        window = timedelta(days=amount) if found.group(2) == "d" else timedelta(hours=amount)
    rank = value.get("rank")
    if rank is not None and (not isinstance(rank, str) or facts.get(rank) != "number"):
        raise ValueError(f"option 'follows.rank': {rank!r} is not a fact of 'type: number'")
    return Parent(flag, ("place",), window, rank=rank)
