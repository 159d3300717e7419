"""Where entries made in the browser's forms are kept, and how one is written.

Each entry is its own Turtle file, ``<data folder>/indtastet/<kind>/<slug>.ttl``
(the path of its IRI under ``https://w3id.org/rammegraf/id/``), so an entry made
in a form can be found again, edited (its file replaced) and told apart from the
hand-written files, which the browser never changes.

Writing follows ``round import``: the data folder is locked (``flock``) for the
whole save, so a save and an import never interleave; a new entry's file is
created exclusively (when two saves race for one IRI, one wins and the other is
told so); an edit replaces its file by renaming a complete temporary file over
it. Temporary files a killed save left are removed under the lock.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from .errors import RammegrafError

FOLDER = "indtastet"
_PATH = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)+")


class SaveError(RammegrafError):
    """An entry could not be saved; the sentence says why."""


def data_folder(data_dirs: Iterable[Path] | None = None) -> Path:
    """The folder entries are saved under: the first data folder (default: the shipped data)."""
    from .store import data_dirs_or_shipped

    return data_dirs_or_shipped(data_dirs)[0]


def entry_file(data_dirs, path: str) -> Path:
    """The file of the entry whose IRI is ``id/<path>`` (the path is checked: letters,
    digits and hyphens between slashes, so no request can name a file elsewhere)."""
    if not _PATH.fullmatch(path or ""):
        raise SaveError(f"'{path}' er ikke en sti til en post (not an entry's path)")
    return data_folder(data_dirs) / FOLDER / f"{path}.ttl"


def editable(data_dirs, path: str) -> Path | None:
    """The entry's file when it was made in a form (and so may be edited), else None."""
    if not _PATH.fullmatch(path or ""):
        return None
    file = entry_file(data_dirs, path)
    return file if file.is_file() else None


@contextmanager
def entry_lock(folder: Path, *, wait: float = 15.0):
    """The data folder's lock (the one ``round import`` holds), waited for up to
    ``wait`` seconds; temporary files a killed save left are removed under it."""
    import fcntl

    folder = Path(folder)
    if not folder.is_dir():
        raise SaveError(f"{folder}: mappen findes ikke (no such folder)")
    handle = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SaveError("en anden gemning eller statusrunde skriver i datamappen lige nu; prøv igen om "
                                    "lidt (another save or import is writing to the data folder)") from None
                time.sleep(0.05)
        for stale in (folder / FOLDER).glob("**/.*.ttl.*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def write_entry(target: Path, data: bytes, *, replace: bool, expect=None) -> None:
    """Write an entry's file: a new one exclusively (SaveError when it exists), an
    edited one by renaming a complete file over the old. Before the rename the
    temporary file is read back as every command will read it (and, with ``expect``,
    must hold those triples), so no file the data folder cannot be read with is put in place."""
    from .errors import LoadError
    from .store import write_atomic, write_new

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SaveError(f"{target.parent}: mappen kan ikke oprettes: {error.strerror} (cannot create the folder)") \
            from None
    try:
        if replace:
            write_atomic(target, data, expect=expect, readable=True)
            return
        written = write_new(target, data, expect=expect, readable=True)
    except LoadError as error:   # the form comes back with this sentence; nothing was written
        raise SaveError(str(error)) from None
    if not written:
        raise SaveError(f"{target.name} findes allerede: en anden har netop gemt en post med samme IRI; "
                        "giv din en anden etiket (an entry with this IRI was saved just now)")


def user_of(header: bytes | str | None) -> str | None:
    """Who made an entry, as a trusted reverse proxy names them: the header's bytes
    read as UTF-8 (a header that is not UTF-8 names nobody; Starlette would read
    them as Latin-1 and garble »Søren« into »SÃ¸ren«), NFC, printable text of at
    most 200 characters, else nobody."""
    import unicodedata

    if not header:
        return None
    if isinstance(header, bytes):
        try:
            header = header.decode("utf-8")
        except UnicodeDecodeError:
            return None
    text = "".join(c for c in unicodedata.normalize("NFC", header) if c.isprintable()).strip()[:200]
    return text or None


class Change:
    """What a save did to the graph, for moving the store and the search index along
    without indexing every file again: the triples added and removed, the IRIs they
    name, and whether that is the whole difference (an edit removes triples, which
    is exact only when no other file states them; then ``exact`` is False and the
    store is built again from the files)."""

    def __init__(self, new: bytes, old: bytes | None, *, file: Path, data_dirs=None) -> None:
        from .store import parse_bytes

        added = parse_bytes(new, name=str(file))
        before = parse_bytes(old, name=str(file)) if old else []
        keep = set(added)
        self.add = added
        self.remove = [t for t in before if t not in keep]
        self.subjects = {term.value for t in [*added, *before] for term in (t.subject, t.object)
                         if term.__class__.__name__ == "NamedNode"}
        self.exact = not self.remove or not _mentioned_elsewhere(file, data_dirs)


def _mentioned_elsewhere(file: Path, data_dirs) -> bool:
    """Whether a data file other than ``file`` names the entry (its slug appears in it)."""
    from .store import data_files

    slug = file.stem.encode("utf-8")
    return any(slug in other.read_bytes() for other in data_files(data_dirs=data_dirs or None)
               if other.resolve() != file.resolve())
