"""Replacing a file newsmon writes for people and other programs to read, in one step.

Digests (`digest --output`, served by a web server), the outlets file, config.yaml
(when `add` appends `outlets_file:`) and OPML exports are read while newsmon writes
them: a reader must see the old file or the new one, never half of one, and a power cut
must leave one of the two. `mkstemp` creates its file 0600: renamed over a served
digest it locked out the web server, and over config.yaml it would have changed its
permissions. So a replaced file keeps its mode, and a new one gets what `open()` would
give it under the process's umask.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

NEW_FILE = 0o666  # what open() asks for before the umask takes its bits away


def replace_atomically(path: Path, text: str, *, make_folder: bool = False) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file renamed over it; the data
    and the rename are on disk when this returns. `make_folder`: create the folder (a
    digest's output); otherwise a missing folder is an OSError (a mistyped path)."""
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    mode = file_mode(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


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
