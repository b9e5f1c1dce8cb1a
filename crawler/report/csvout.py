"""Listings for scripts and spreadsheets: CSV and newline-delimited JSON (`--format csv|nl`).

The rows are the same dicts `--format json` prints (docs/output.md, "JSON field names"), so a column
has the same name in every format. Feed text is stripped of controls and bidi overrides
as in JSON; in CSV a text cell that a spreadsheet would run as a formula (starting with
=, +, -, @) gets a leading apostrophe, since a headline is written by a stranger.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from crawler import untrusted

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One CSV cell: nested values as compact JSON, booleans as true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """A header of every key (in order of first appearance), then one line per row;
    nothing at all for no rows."""
    if not rows:
        return ""
    safe = [untrusted.for_output(dict(row)) for row in rows]
    fields = list(dict.fromkeys(key for row in safe for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in safe:
        writer.writerow({key: csv_cell(row.get(key)) for key in fields})
    return buffer.getvalue()


def ndjson_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """One compact JSON object per line (sqlite-utils' `--nl`)."""
    return [
        json.dumps(untrusted.for_output(row), ensure_ascii=False, separators=(",", ":"))
        for row in rows
    ]
