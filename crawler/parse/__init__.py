"""Parsing what was fetched: feeds and sitemaps into entries, pages into text.

One adapter per feed format over one model (`items`), trafilatura for pages
(`extract`), what to store for an entry (`articles`), headline lists (`listing`), and the
process pool the CPU-heavy work runs on (`pool`, `orphans`).
"""
