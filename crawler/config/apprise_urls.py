"""Asking Apprise itself whether it can use a notify URL, when config.yaml is read.

A URL only shaped like one (`jsn://...`, a `discord://` without its token, a `mailto://`
without a sender) would otherwise be found only when the first alert is due, and then
retried eight times over two hours although no retry could help. Apprise parses it in
a fraction of a second with no network I/O, so `config.load` asks it first, and
`alerts.deliver` asks again before sending. Apprise is imported here, once, on first
use: commands that only read do not pay for it.
"""

from __future__ import annotations

import functools
import logging
import warnings
from typing import Any


@functools.cache
def apprise_module() -> Any:
    """Apprise, imported on first use: most polls send nothing, and it costs start-up."""
    with warnings.catch_warnings():
        # Apprise loads every plugin on first use; its email plugin's optional PGP support
        # imports the stdlib's deprecated imghdr. That deprecation is Apprise's to fix, and
        # loading it here, once, keeps it out of newsmon's output (and its -W error tests).
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise
        import apprise.utils.pgp

    return apprise


def unusable(url: str) -> str | None:
    """Why Apprise cannot use `url`, or None when it can. The reason never quotes the URL
    or Apprise's own complaint about it: either may hold the target's token."""
    apprise = apprise_module()
    scheme = url.partition("://")[0].lower()
    quiet = logging.getLogger("apprise")
    disabled, quiet.disabled = quiet.disabled, True  # its errors would quote the URL
    try:
        if scheme not in apprise.apprise.N_MGR:
            return f"Apprise has no {scheme}:// service (its wiki lists the services)"
        if apprise.Apprise.instantiate(url) is None:
            return (
                f"Apprise cannot use this {scheme}:// URL: a part it needs is missing or "
                "malformed (token, host, sender or recipient; see its wiki for the form)"
            )
    finally:
        quiet.disabled = disabled
    return None
