"""Every SQL statement newsmon runs, one module per entity, and the schema's migrations.

The database is the shared state of cron runs and the daemon. A unit of work (one
feed's answer, one article with its story and events) is one transaction, so a kill at
any moment leaves either the whole unit or none of it, and the next run continues from
what is committed. Nothing outside this package writes SQL.

    store.db        opening, the newer-database check, what a database failure is
    store.schema    migrations; store.derived: what reprocess rebuilds
    store.feeds     outlets and feeds; store.entries: entries and revisions
    store.articles  stored articles; store.fetches, store.robots, store.runs, store.daemon
    store.monitor_failures  monitors that raised while reading an article
    store.stories   stories and the similarity index; store.events: events and members
    store.corrections  analysts' corrections and moved event ids; store.event_ids:
                    event ids kept through reprocess
    store.readers   the change sequence and digest cursors; store.outbox: alerts
    store.leases    hosts leased to one poller at a time (several daemons, one database)
    store.prune     retention: old articles out, what events stand on kept
    store.lookups   one article with its story, copies and events (`newsmon article`)
    store.browse    the web view's event search and per-day counts
    store.canned    the SQL of Datasette's canned queries (`newsmon serve`)
"""

from crawler.store import (
    articles,
    browse,
    canned,
    corrections,
    daemon,
    db,
    derived,
    entries,
    event_ids,
    events,
    feeds,
    fetches,
    leases,
    lookups,
    monitor_failures,
    outbox,
    prune,
    readers,
    robots,
    runs,
    schema,
    stories,
)

__all__ = [
    "articles",
    "browse",
    "canned",
    "corrections",
    "daemon",
    "db",
    "derived",
    "entries",
    "event_ids",
    "events",
    "feeds",
    "fetches",
    "leases",
    "lookups",
    "monitor_failures",
    "outbox",
    "prune",
    "readers",
    "robots",
    "runs",
    "schema",
    "stories",
]
