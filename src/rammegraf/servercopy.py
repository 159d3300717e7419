"""What is kept of a SPARQL server's data while its pages are kept (``serve --endpoint …
--endpoint-keep SECONDS``), read from the server once into a folder of the cache and shared
by every worker: a replica of its graph (an on-disk store with its own search index and
derived facts), which every page but ``/sparql`` is computed from; or, when no replica can
be made, the search index and the derived facts alone, for pages that ask the server.

The replica (``make_replica``): at a million triples on Virtuoso the graph views took 3-5 s
cold, the entry forms 3.5-4.4 s, ``aktoerer-efter-antal-initiativer`` 43 s and
``milepaele-overskredet`` was refused on Virtuoso's cost estimate, all of it the server's
own time; read one predicate at a time (60 queries; Virtuoso refuses one CONSTRUCT of a
million triples) into an on-disk store with its index and facts in 64.5 s, every page then
costs what it costs on a local store. It is named in ``replica.json`` once whole; the one
before stays for workers still reading it, older ones are removed.

Without it each worker read them from the server for itself, again and again: at a
million triples on Virtuoso the derived facts took 50 s over HTTP and the search index
68 s (21 s and 36 s since results come as XML), and every label a page showed came with
all 182,000 labels of the graph (12.7 s), so ``/frister`` took 14 s and the report's
summary 114 s before its first reader had it.

A cache that cannot be written keeps nothing: the engine then reads from the server as
without a keep (``attach``, ``copied``).

A copy is used while it is younger than the keep (its age counts from when its reading
began), and is then read again by the first worker that needs it, under a lock; while
that worker reads, the others go on with the copy before it for up to one keep more, so
a page is computed from what the server held at most twice ``--endpoint-keep`` ago (as a
page kept for the keep can be). The web app reads both copies ahead when it starts and
again every ``--endpoint-keep`` seconds, with the front page (``web.base``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from .store import _digest, cache_root


def folder_for(url: str, graph: str | None, cache: Path | None = None) -> Path:
    """The cache folder of one server's graph (by its URL and graph IRI)."""
    return (cache or cache_root()) / f"server-{_digest([url, graph or ''])[:16]}"


UNUSED_FOR = 7 * 24 * 3600   # seconds after which another server's copies are removed (prune)


def prune(cache: Path | None, but: Path) -> list[Path]:
    """Remove the copies of other servers (``server-…`` folders beside ``but``) that no one
    has read from their server for UNUSED_FOR seconds: a server's copies are read again every
    keep while a web app uses them, so older ones belong to no running app (at 1M triples they
    are 150-470 MB a server). Returns the folders removed."""
    removed = []
    now = time.time()
    for folder in (cache or cache_root()).glob("server-*"):
        if folder == but or not folder.is_dir():
            continue
        try:
            newest = max((f.stat().st_mtime for f in folder.iterdir()), default=folder.stat().st_mtime)
        except OSError:
            continue
        if now - newest > UNUSED_FOR:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def attach(engine, folder: Path | str, keep: float) -> None:
    """Let ``engine`` (a RemoteEngine) keep its copies in ``folder`` for ``keep`` seconds
    (nothing is kept when the folder cannot be made). The folder is its user's alone: a
    server that asks for credentials may hold what others on the machine may not read."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
    except OSError:
        return
    engine.copy_folder, engine.copy_keep = folder, float(keep)


def kept(engine) -> bool:
    """Whether ``engine`` keeps copies of its server (its derived facts cost a file's read)."""
    return getattr(engine, "copy_folder", None) is not None and getattr(engine, "copy_keep", 0.0) > 0


def _place(engine, name: str) -> tuple[Path, float] | None:
    if not kept(engine):
        return None
    return Path(engine.copy_folder) / name, engine.copy_keep


def _age(path: Path, current: Callable[[Path], bool]) -> float | None:
    """Seconds since the copy at ``path`` began to be read; None when there is none of this version."""
    try:
        began = path.stat().st_mtime
    except OSError:
        return None
    if not current(path):
        return None
    return max(0.0, time.time() - began)


def usable(engine, name: str, current: Callable[[Path], bool]) -> Path | None:
    """The copy ``name`` when it may be used now without reading the server: younger than
    the keep, or younger than twice the keep while another worker reads it again; else None."""
    place = _place(engine, name)
    if place is None:
        return None
    path, keep = place
    age = _age(path, current)
    if age is None or age >= 2 * keep:
        return None
    if age < keep:
        return path
    lock = _lock_file(path)
    if lock is None:
        return None
    with lock:
        if not _took(lock):
            return path           # being read again: this one meanwhile
        fcntl.flock(lock, fcntl.LOCK_UN)
    return None


def _lock_file(path: Path):
    """The open lock file of the copy at ``path`` (beside it), or None when it cannot be made."""
    try:
        return open(path.with_name(f".{path.name}.lock"), "a+b")
    except OSError:
        return None


def _took(lock) -> bool:
    """Whether the lock was free and is now ours (False: another worker reads the copy again)."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def copied(engine, name: str, current: Callable[[Path], bool], make: Callable[[Path], object]) -> Path | None:
    """The copy ``name`` of the engine's server, made now by ``make(path)`` (which writes
    it: a temporary file, then renamed) when there is none young enough; None when the
    engine keeps no copies or the copy cannot be written. One worker makes it; the others
    wait for it, or use the one before it while it is younger than twice the keep."""
    found = usable(engine, name, current)
    if found is not None:
        return found
    place = _place(engine, name)
    if place is None:
        return None
    path, keep = place
    lock = _lock_file(path)
    if lock is None:
        return None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # another worker reading it: wait for its copy
        try:
            age = _age(path, current)
            if age is not None and age < keep:
                return path       # made by the worker that held the lock
            began = time.time()
            try:
                make(path)
                os.utime(path, (began, began))   # its age counts from when the server was read
            except OSError:
                return None       # not written (a full or read-only cache): read without a copy
            return path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- a replica of the server's graph ----------------------------------------------------------
REPLICA = "replica.json"      # names the newest whole replica's folder; its mtime is the replica's age
MADE = "replica-made"         # written in a replica's folder once its store, index and facts are whole


def _replica_current(pointer: Path) -> bool:
    folder = _named(pointer)
    return folder is not None and (folder / MADE).is_file()


def _named(pointer: Path) -> Path | None:
    try:
        name = json.loads(pointer.read_text(encoding="utf-8"))["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or not name.startswith("replica-") or "/" in name:
        return None
    return pointer.parent / name


def replica(engine) -> Path | None:
    """The folder of the server's replica that may be used now (as ``usable``), or None."""
    pointer = usable(engine, REPLICA, _replica_current)
    return _named(pointer) if pointer is not None else None


def make_replica(engine) -> Path | None:
    """The folder of the server's replica, read from the server now when there is none young
    enough (``copied``); None when the engine keeps no copies or it cannot be written."""
    pointer = copied(engine, REPLICA, _replica_current, lambda path: _make_replica(engine, path))
    return _named(pointer) if pointer is not None else None


def _make_replica(engine, pointer: Path) -> None:
    """Read every triple of the server, one predicate at a time (Virtuoso 7 refuses one
    CONSTRUCT of a million: "max vector length"), into a new on-disk store beside ``pointer``,
    build its search index and derived facts, then name it in ``pointer``; the replica before
    it stays for the workers still reading it, older ones are removed."""
    import gc

    import pyoxigraph as ox

    from .engine import OxigraphEngine
    from .facts import ensure_facts
    from .search import ensure_index
    from .store import write_atomic

    before = _named(pointer)
    folder = pointer.parent / f"replica-{time.time_ns()}"
    try:
        store = ox.Store(str(folder))
        for (p,) in engine.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }").rows:
            rows = engine.query("SELECT ?s ?o WHERE { ?s ?p ?o }", {"p": p}).rows
            store.bulk_extend(ox.Quad(s, p, o) for s, o in rows)
        store.flush()
        store.optimize()
        local = OxigraphEngine(store, folder)
        ensure_index(folder, local)
        ensure_facts(folder, local)
        del local, store
        gc.collect()
        (folder / MADE).write_bytes(b"")
        write_atomic(pointer, json.dumps({"folder": folder.name}).encode("utf-8"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    for old in pointer.parent.glob("replica-*"):
        if old.is_dir() and old not in (folder, before):
            shutil.rmtree(old, ignore_errors=True)
