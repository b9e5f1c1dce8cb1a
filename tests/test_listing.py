"""Lists of other articles' headlines (aggregator items) told apart from reports."""

from __future__ import annotations

import pytest

from crawler.parse.listing import is_listing, lead_headline

GOOGLE_FLAT = (
    "North Korea fires cruise missiles\xa0\xa0Reuters"
    "Nuclear submarine arms race heats up\xa0\xa0NK News"
    "Kim oversees test launch\xa0\xa0Al Jazeera"
)
GOOGLE_ONE = "North Korea says it tested long-range cruise missiles\xa0\xa0NBC News" + (
    "View Full Coverage on Google News"
)
HTML_LIST = (
    "<ol>"
    + "".join(
        f'<li><a href="https://news.example/{i}">Headline number {i} about the story</a>'
        f"&nbsp;&nbsp;<font>Outlet {i}</font></li>"
        for i in range(5)
    )
    + "</ol>"
)
REPORT = (
    "North Korea fired two ballistic missiles on Sunday, South Korea's military said.\n"
    "The missiles flew about 450 kilometers before landing in the sea."
)


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("", GOOGLE_FLAT),
        ("", GOOGLE_ONE),
        ("", HTML_LIST),
        ("- Headline one Reuters\n- Headline two BBC\n- Headline three AP\n- Headline four", None),
    ],
)
def test_headline_lists_are_listings(text: str, summary: str | None) -> None:
    assert is_listing(text, summary)


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        (REPORT, None),
        (REPORT, "North Korea fired two missiles.\xa0\xa0The JCS said they flew 450 km."),
        (
            REPORT + "\nRelated:\n- One\n- Two\n- Three\n" + REPORT * 3,
            '<p>North Korea fired two missiles.</p><ul><li><a href="/x">related</a></li></ul>',
        ),
    ],
)
def test_reports_with_a_few_links_or_typographic_spaces_are_not(text: str, summary) -> None:
    assert not is_listing(text, summary)


def test_lead_headline_drops_the_outlet_an_aggregator_names() -> None:
    assert lead_headline("North Korea fires missiles - Reuters") == "North Korea fires missiles"
    assert lead_headline("Sea - Land") == "Sea"
    assert lead_headline("No outlet here") == "No outlet here"
