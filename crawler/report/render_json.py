"""The digest as one JSON document: the records, stripped of control characters.

JSON is for programs: times stay ISO 8601 UTC whatever zone people read the other
formats in, and facts keep their raw keys (docs/output.md, "JSON field names").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler import untrusted
from crawler.clock import isoformat

SCHEMA_VERSION = 1


def render_json(
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    tz: tzinfo = UTC,  # accepted like every renderer's; JSON times stay UTC
) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated": isoformat(generated),
        "since": isoformat(since),
        "more_events": more,
        "events": events,
    }
    return json.dumps(untrusted.for_output(document), indent=2, ensure_ascii=False)
