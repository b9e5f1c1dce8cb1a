"""Preloaded by the extraction forkserver only (never by newsmon itself): ties the
forkserver's life to newsmon's, see crawler/orphans.py."""

from crawler.orphans import die_with_parent

die_with_parent()
