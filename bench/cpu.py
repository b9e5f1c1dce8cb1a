"""`python -m bench.cpu ARGS`: run `newsmon ARGS`, then print its CPU time to stderr.

Splits the time between newsmon's own process and its worker processes, so a
benchmark can say which side is the bottleneck.
"""

from __future__ import annotations

import atexit
import resource
import runpy
import sys


def report() -> None:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"cpu main={own.ru_utime + own.ru_stime:.2f} "
        f"workers={children.ru_utime + children.ru_stime:.2f}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    atexit.register(report)
    sys.argv[0] = "newsmon"
    runpy.run_module("crawler", run_name="__main__", alter_sys=True)
