"""Fetching: Scrapy, in-process on the asyncio reactor, and only glue around it.

`settings` builds every Scrapy setting, `reactor` runs the loop and installs the guarded
resolver, `spider` turns answers into values for `crawler.refresh`, `answers` does the
turning, `middlewares` adds politeness Scrapy lacks, `netguard` keeps private networks out.
"""
