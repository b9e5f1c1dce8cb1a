"""The one base of every error newsmon raises, and the exit code each one means.

An error is raised where it is detected, with the key, file or URL that caused it in its
one line; the CLI reports it once (`crawler.cli.common`) and exits with its `exit_code`.
Every class keeps the built-in base it had (ValueError, RuntimeError), so a caller that
catches those still does. `monitors/` imports nothing from here: its errors derive from
`monitors.base.MonitorError`, which carries an exit code the same way.

    NewsmonError                      1  runtime failure (I/O, a port, a file)
    ├── config.ConfigError            2  invalid configuration
    ├── clock.ClockError              2  an unreadable --now / NEWSMON_NOW
    ├── demo.DemoError                2  --dir names a folder the demo must not touch
    ├── check.NoSuchEntry             2  `check --entry N` past the feed's last entry
    ├── urls.URLError                 2  not an http(s) URL
    ├── lock.LockBusy                 3  another newsmon process holds the poll lock
    ├── store.db.NewerDatabase        4  the database belongs to a newer newsmon
    ├── store.db.MissingDatabase      5  a reading command, and no database
    ├── fetch.reactor.Interrupted   130  Ctrl-C or SIGTERM: stopped between transactions
    └── exit code 1:
        store.db.StoreError, lock.LockUnavailable, metrics.MetricsError,
        report.serve.ServeError, report.digest.DigestError, opml.OpmlError,
        config.outlets_file.WriteError, events.corrections.CorrectionError,
        check.CheckFailed, discover.TooSlow, untrusted.Refused, parse.items.FeedError,
        fetch.netguard.BlockedRequest, fetch.netguard.BlockedAddress
    monitors.base.MonitorError        2  (not a NewsmonError: monitors/ stands alone)
    └── monitors.lexicon.LexiconError 2  a lexicon file that does not load

Bad input inside a poll (a refused item, a feed that does not parse) is recorded and the
run goes on; those errors reach the CLI only from the commands that look at one thing
(`check`, `add`).
"""

from __future__ import annotations

from typing import ClassVar

EXIT_FAILED = 1  # a runtime error; `run`: some feeds failed; `notify`: every alert failed
EXIT_CONFIG = 2  # invalid configuration or usage
EXIT_BUSY = 3  # another newsmon process holds the poll lock
EXIT_NEWER_DATABASE = 4  # the database belongs to a newer newsmon (left untouched)
EXIT_NO_DATABASE = 5  # a reading command pointed at a database that does not exist
EXIT_DAEMON_SILENT = 6  # `status`: the daemon's heartbeat is stale
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout went away (`| head`)


class NewsmonError(Exception):
    """Something newsmon cannot do, in one line naming its cause; `exit_code` is what the
    `newsmon` command exits with when it reaches the CLI."""

    exit_code: ClassVar[int] = EXIT_FAILED


class UsageError(NewsmonError):
    """The user asked for something impossible: a configuration, option or argument."""

    exit_code: ClassVar[int] = EXIT_CONFIG
