"""The digest as one self-contained HTML page: inline CSS, no scripts, no outside
resources, a restrictive Content-Security-Policy, every value escaped."""

from __future__ import annotations

import html
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler.report.corrections import correction_sentences
from crawler.report.labels import fact_lines
from crawler.report.wording import (
    DIGEST_TITLE,
    STATUS_HEADINGS,
    STATUSES,
    UNTITLED,
    by_status,
    clean,
    describe_event,
    format_moment,
    format_published,
    ordered_sources,
    role_note,
    safe_url,
    summary_line,
)

HTML_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       background: #fafafa; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
header p, .when { color: #555; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
article { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px;
          padding: .6rem 1rem; margin: 1rem 0; }
article.updated { border-left: 4px solid #d08c00; }
article.new { border-left: 4px solid #2a7ae2; }
h3 { font-size: 1.1rem; margin: .3rem 0; }
.eid { color: #888; font-weight: normal; }
table.facts { border-collapse: collapse; margin: .4rem 0; }
table.facts th, table.facts td { text-align: left; padding: .15rem .6rem .15rem 0;
                                 vertical-align: top; border-bottom: 1px solid #eee; }
table.facts th { color: #555; font-weight: 600; }
.differ { color: #8a5a00; font-size: .9em; }
ul.sources { padding-left: 1.2rem; margin: .4rem 0; }
.meta { color: #666; font-size: .9em; }
a { color: #1a5fb4; }
""".strip()


def h(value: Any) -> str:
    """Cleaned text escaped for HTML element content and quoted attributes."""
    return html.escape(clean(value), quote=True)


def html_source(
    article: dict[str, Any], event: dict[str, Any] | None = None, tz: tzinfo = UTC
) -> str:
    """One source list item; only http(s) URLs become links, and they leak no opener."""
    title = h(article.get("title")) or UNTITLED
    url = safe_url(article.get("url"))
    if url is not None:
        title = f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
    else:
        raw = clean(article.get("url"))
        if raw:
            title += f' <span class="meta">(unlinked: {h(raw)})</span>'
    details = [h(article.get("outlet")) or "unknown outlet"]
    if article.get("published"):
        details.append(h(format_published(article["published"], tz)))
    note = role_note(article, event)
    if note:
        details.append(h(note.strip(" ()")))
    copy = ' <span class="meta">(copy)</span>' if article.get("copy_of") is not None else ""
    return f"<li>{title} — {', '.join(details)}{copy}</li>"


def html_event_body(event: dict[str, Any], tz: tzinfo = UTC) -> list[str]:
    """Facts table and source list: shared by the HTML page and the Atom content."""
    parts = [f'<p class="when">{h(describe_event(event, tz))}</p>']
    facts = fact_lines(event)
    if facts:
        parts.append('<table class="facts">')
        for fact in facts:
            differ = (
                f'<div class="differ">reports differ: {h(fact.differ_text())}</div>'
                if fact.differ
                else ""
            )
            parts.append(f"<tr><th>{h(fact.label)}</th><td>{h(fact.value)}{differ}</td></tr>")
        parts.append("</table>")
    parts += [f'<p class="corrected">{h(line)}</p>' for line in correction_sentences(event, tz)]
    sources = ordered_sources(event)
    if sources:
        parts.append('<ul class="sources">')
        parts += [html_source(article, event, tz) for article in sources]
        parts.append("</ul>")
    return parts


def render_html(
    events: list[dict[str, Any]],
    *,
    since: datetime,
    generated: datetime,
    more: int = 0,
    tz: tzinfo = UTC,
) -> str:
    """One self-contained HTML5 page: inline CSS, no scripts, no external resources.

    The Content-Security-Policy forbids scripts and remote loads as a second line of
    defence should an escaping bug ever let markup through.
    """
    groups = by_status(events)
    title = f"{DIGEST_TITLE} since {format_moment(since, tz)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{h(title)}</title>",
        f"<style>\n{HTML_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{h(DIGEST_TITLE)}</h1>",
        f"<p>{h(summary_line(groups, since, more, tz))} "
        f"(generated {h(format_moment(generated, tz))})</p>",
        "</header>",
    ]
    if not events:
        parts.append("<p>No new or updated events.</p>")
    for status in STATUSES:
        if not groups[status]:
            continue
        parts += [
            f'<section class="{status}">',
            f"<h2>{h(STATUS_HEADINGS[status])} ({len(groups[status])})</h2>",
        ]
        for event in groups[status]:
            parts += [
                f'<article class="{status}">',
                f'<h3><span class="eid">[{h(event.get("id"))}]</span> '
                f"{h(event.get('title')) or UNTITLED}</h3>",
                *html_event_body(event, tz),
                "</article>",
            ]
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
