"""Writing a file newsmon writes for people and other programs to read.

Digests (`digest --output`, served by a web server), the outlets file, config.yaml
(when `add` appends `outlets_file:`) and OPML exports are read while newsmon writes
them: a reader must see the old file or the new one, never half of one, and a power cut
must leave one of the two. So a regular file is replaced through a temporary file, and
a replaced file keeps its mode (`mkstemp` creates its file 0600: renamed over a served
digest it locked out the web server); a new one gets what `open()` would give it under
the process's umask.

A path the user names may also be a symlink, a character device (`/dev/stdout`,
`/dev/null`) or a FIFO: renaming over those would swap the user's pipe or link for a
regular file, so a symlink is followed and its target written, and a device or FIFO is
written in place. A failed write (a full disk) is an OSError, never a silent success.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

NEW_FILE = 0o666  # what open() asks for before the umask takes its bits away


def replace_atomically(path: Path, text: str, *, make_folder: bool = False) -> None:
    """Write `text` (UTF-8) to `path`; when this returns the data is on disk (or handed
    to the device). A regular file is replaced in one step; a symlink's target is written
    and the link kept; a character device or FIFO is written in place. `make_folder`:
    create the folder (a digest's output); otherwise a missing folder is an OSError (a
    mistyped path). Other kinds of file (a directory, a socket, a block device) are an
    OSError naming what the path is."""
    target = Path(os.path.realpath(path))
    kind = _kind(target)
    if kind == "stream":
        _write_in_place(target, text)
        return
    if kind != "regular":
        raise OSError(errno.EINVAL, f"is a {kind}, not a file newsmon can write")
    if make_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    _replace_regular(target, text)


def _kind(path: Path) -> str:
    """ "regular" (or missing), "stream" (a character device or FIFO), else a name for it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "regular"
    if stat.S_ISREG(mode):
        return "regular"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def _write_in_place(path: Path, text: str) -> None:
    """Write to a device or FIFO as a shell redirect would: no temporary file, no rename;
    every byte is written or the error (ENOSPC on /dev/full, EPIPE) is raised."""
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def _replace_regular(path: Path, text: str) -> None:
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
