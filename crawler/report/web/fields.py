"""Facts as fields a reader can scan: labelled, with units, never a JSON blob.

Events keep their facts as JSON (`facts`, `fact_sources`, `fact_evidence`); an analyst
reading "Distance: 900 km" should not have to parse `{"distance_km": 900}`. The
same words (`crawler.report.labels`, as in the digests and alerts) serve the event
pages and Datasette's own table cells (`render_cell`), so a fact reads alike wherever
it is shown. Values are cleaned (`wording.clean`) but not
escaped: the templates' autoescape and `markupsafe` do that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crawler.report.labels import fact_label, fact_text
from crawler.report.wording import clean

# Where each JSON column holds what: facts (value per key), every value with its
# articles, or the sentence a fact came from. Keyed by column name: the same column
# means the same thing in every table that has it.
JSON_COLUMNS = ("facts", "fact_sources", "fact_evidence")


@dataclass(frozen=True)
class Field:
    """One labelled value: what the pages and table cells show for a fact."""

    key: str
    label: str
    value: str


def fact_fields(facts: Any) -> list[Field]:
    """The event's facts as fields, in the monitor's order, empty values left out."""
    if not isinstance(facts, dict):
        return []
    fields = [Field(clean(k), fact_label(k), fact_text(k, v)) for k, v in facts.items()]
    return [field for field in fields if field.key and field.value]


def json_fields(column: str, raw: Any) -> list[Field] | None:
    """A JSON column's value as fields, or None when it is no JSON object (then the
    cell is shown as Datasette would show it)."""
    if column not in JSON_COLUMNS or not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if column == "facts":
        return fact_fields(data)
    if column == "fact_sources":
        return [Field(clean(k), fact_label(k), reported_values(k, v)) for k, v in data.items()]
    return [Field(clean(k), fact_label(k), evidence_text(v)) for k, v in data.items()]


def reported_values(key: Any, options: Any) -> str:
    """ "sea (articles 5, 3); Pyongyang (article 6)": every value with who gave it."""
    if not isinstance(options, list):
        return fact_text(key, options)
    parts = []
    for option in options:
        if not isinstance(option, dict):
            continue
        ids = [clean(a) for a in option.get("articles") or [] if clean(a)]
        noun = "article" if len(ids) == 1 else "articles"
        parts.append(f"{fact_text(key, option.get('value'))} ({noun} {', '.join(ids)})")
    return "; ".join(parts)


def evidence_text(value: Any) -> str:
    """A fact's sentence: stored as text, or as {"sentence": ...} in some rows."""
    if isinstance(value, dict):
        value = value.get("sentence")
    return clean(value)
