"""docs/reference/config.md is the generator's output, so the page cannot drift from the
dataclasses it describes; regenerate it with `python -m crawler.config.reference`."""

from __future__ import annotations

import dataclasses

from crawler.config import model
from crawler.config.reference import SKIPPED, reference
from tests.conftest import ROOT


def test_the_checked_in_page_is_the_generators_output():
    page = (ROOT / "docs" / "reference" / "config.md").read_text(encoding="utf-8")
    assert page == reference(), "run: python -m crawler.config.reference > docs/reference/config.md"


def test_every_setting_is_on_the_page_with_its_default():
    page = reference()
    for cls in (model.FetchSettings, model.DisplaySettings, model.WebSettings):
        for field in dataclasses.fields(cls):
            if (cls.__name__, field.name) not in SKIPPED:
                assert f"| `{field.name}` |" in page, field.name
    assert "| `timeout` | duration | `30s` |" in page
    assert "| `max_bytes` | size | `10MiB` |" in page
    assert "| `interval` | duration | `15m` |" in page
