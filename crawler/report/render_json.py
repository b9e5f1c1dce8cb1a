"""The digest as one JSON document: the records, stripped of control characters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from crawler import untrusted
from crawler.clock import isoformat

SCHEMA_VERSION = 1


def render_json(
    events: list[dict[str, Any]], *, since: datetime, generated: datetime, more: int = 0
) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated": isoformat(generated),
        "since": isoformat(since),
        "more_events": more,
        "events": events,
    }
    return json.dumps(untrusted.for_output(document), indent=2, ensure_ascii=False)
