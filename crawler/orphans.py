"""Extraction processes die with the process that started them.

Without this, `kill -9` of a newsmon run left its forkserver and workers
running forever. Linux only (prctl PR_SET_PDEATHSIG); elsewhere a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the request took effect: adopted by init
        os._exit(0)
