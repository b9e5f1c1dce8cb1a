"""The permission bits a file newsmon writes for others to read should get.

`digest --output` writes through a temporary file that `mkstemp` creates 0600; renamed
over the served file, it locked out the web server that the README's own examples
publish the HTML and Atom digests with. A replaced file keeps its mode; a new one gets
what `open()` would give it under the process's umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

NEW_FILE = 0o666  # what open() asks for before the umask takes its bits away


def file_mode(path: Path) -> int:
    """The mode for a file about to replace `path`: the existing file's, else the umask's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return NEW_FILE & ~current_umask()


def current_umask() -> int:
    """The process's umask. POSIX can only read it by setting it, so it is set back at
    once; newsmon sets it nowhere else, so no other thread can see the moment between."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
