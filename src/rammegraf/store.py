"""The one door to the data: the ontology and data files in an Oxigraph store.

Every reader asks the store this module opens; none opens files itself.

- Small graphs (the shipped plan, about 2,500 triples in 0.3 MB of files) are
  loaded into memory on each run: 13 ms, as fast as opening a store on disk.
- Larger folders (over ``IN_MEMORY_LIMIT`` bytes of files) are indexed once into
  an on-disk Oxigraph store in a cache folder outside the data folder
  (``$RAMMEGRAF_CACHE``, else ``$XDG_CACHE_HOME/rammegraf``, else
  ``~/.cache/rammegraf``), and later runs open it read-only at once. The store
  is rebuilt when a file is added, removed, or changes size or modification
  time. A build goes to a temporary folder that is renamed into place, under a
  lock, so a reader never sees half a store and two builds never race.

Oxigraph parses every file and every entry a user gives (no rdflib parser runs
on user input): its JSON-LD parser loads no remote or ``file:`` context and its
RDF/XML parser resolves no external entity. A file that does not parse is a
LoadError with file, line and column.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import LoadError

SUFFIXES = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
            ".jsonld": "JSON_LD", ".rdf": "RDF_XML", ".owl": "RDF_XML", ".n3": "N3"}
QUAD_FORMATS = {"N_QUADS", "TRIG"}
IN_MEMORY_LIMIT = 4_000_000        # bytes of files; above this the store lives on disk
BOM = b"\xef\xbb\xbf"
# Bytes of UTF-8 in one literal (or IRI) that rammegraf takes in: from a round, a form, an
# upload or `validate FILE`. Oxigraph's parsers hold one token in a 16 MB buffer (a longer one
# is a MemoryError for every later reader); 1 MB stays far under it even escaped (a control
# character is six bytes as \uXXXX), and is more than any status text needs.
MAX_LITERAL = 1_000_000
OXIGRAPH_TOKEN = "Reached the buffer maximal size"   # Oxigraph's MemoryError for a token over 16 MB
MANIFEST = "rammegraf-store.json"
# Part of every on-disk store's folder name: a store built by an older rammegraf is built
# again, not read. 2: compacted after its bulk load (build_store).
STORE_FORMAT = 2


def shipped_root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``.

    An installed wheel carries them in ``rammegraf/_shipped``; a source checkout
    (and an editable install) has them at the top of the checkout.
    """
    package = Path(__file__).resolve().parent
    installed = package / "_shipped"
    return installed if installed.is_dir() else package.parents[1]


def ontology_files(root: Path | None = None) -> list[Path]:
    """The ontology and its vocabularies (not the shapes)."""
    root = root or shipped_root()
    return [root / "ontology" / "rammegraf.ttl",
            *sorted((root / "ontology" / "vocab").glob("*.ttl"))]


def shapes_file(root: Path | None = None) -> Path:
    return (root or shipped_root()) / "ontology" / "shapes.ttl"


def data_dirs_or_shipped(data_dirs: Iterable[Path] | None = None) -> list[Path]:
    return [Path(d) for d in data_dirs] if data_dirs else [shipped_root() / "data"]


def data_files(root: Path | None = None, *, data_dirs: Iterable[Path] | None = None) -> list[Path]:
    """Every RDF file under the data folders (default: the shipped ``data/``)."""
    dirs = [Path(d) for d in data_dirs] if data_dirs else [(root or shipped_root()) / "data"]
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise LoadError("mappen findes ikke (no such folder)", file=str(folder))
        files.extend(sorted(p for p in folder.rglob("*")
                            if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith(".")))
    return files


def graph_files(data_dirs: Iterable[Path] | None = None) -> list[Path]:
    """The files that make the graph: the ontology and vocabularies, then the data."""
    return [*ontology_files(), *data_files(data_dirs=data_dirs)]


# ---------------------------------------------------------------------------
# Opening the store
# ---------------------------------------------------------------------------

def open_store(data_dirs: Iterable[Path] | None = None, *, persistent: bool | None = None,
               cache: Path | None = None, progress: bool | None = None):
    """The graph of the ontology and ``data_dirs`` (default: the shipped data) as a
    pyoxigraph Store: in memory for small folders, else the on-disk store in the
    cache, built first if it is missing or stale (``persistent`` forces either)."""
    files = graph_files(data_dirs)
    if not on_disk(files, persistent):
        return load_in_memory(files)
    return open_persistent(files, key_dirs=_key_dirs(data_dirs), cache=cache, progress=progress)


def on_disk(files: list[Path], persistent: bool | None = None) -> bool:
    """Whether these files are read through an on-disk store (large, or asked for)."""
    if persistent is None:
        return sum(_stat(p).st_size for p in files) > IN_MEMORY_LIMIT
    return persistent


def load_in_memory(files: Iterable[Path]):
    """Every file into one in-memory store (Store.load: less memory than bulk_load)."""
    import pyoxigraph as ox

    store = ox.Store()
    for path in files:
        _load(store, Path(path), bulk=False)
    return store


def cache_root() -> Path:
    configured = os.environ.get("RAMMEGRAF_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rammegraf"


def store_folder(files: list[Path], key_dirs: list[Path], cache: Path | None = None) -> Path:
    """Where the on-disk store for these files lives: one folder per set of data
    folders, one sub-folder per state of their files (name, size, modification time)."""
    key = _digest(sorted(str(Path(d).resolve()) for d in key_dirs))[:16]
    stamps = [[str(p.resolve()), s.st_size, s.st_mtime_ns] for p in files for s in [_stat(p)]]
    return (cache or cache_root()) / key / _digest([STORE_FORMAT, *stamps])[:24]


def ensure_store(data_dirs: Iterable[Path] | None = None, *, cache: Path | None = None,
                 progress: bool | None = None) -> Path:
    """The folder of the on-disk store for the ontology and ``data_dirs``, built
    first when it is missing or stale (for processes that open it themselves)."""
    target = store_location(data_dirs, cache=cache)
    if not (target / MANIFEST).is_file():
        build_store(graph_files(data_dirs), target, progress=progress)
    return target


def store_location(data_dirs: Iterable[Path] | None = None, *, cache: Path | None = None) -> Path:
    """Where the on-disk store of the ontology and ``data_dirs`` is (or would be)."""
    return store_folder(graph_files(data_dirs), _key_dirs(data_dirs), cache)


def _key_dirs(data_dirs) -> list[Path]:
    return [*data_dirs_or_shipped(data_dirs), shipped_root() / "ontology"]


def open_persistent(files: list[Path], *, key_dirs: list[Path], cache: Path | None = None,
                    progress: bool | None = None):
    """The on-disk store for ``files``, opened read-only; built first when missing."""
    import pyoxigraph as ox

    target = store_folder(files, key_dirs, cache)
    if not (target / MANIFEST).is_file():
        build_store(files, target, progress=progress)
    try:
        return ox.Store.read_only(str(target))
    except OSError as error:
        raise LoadError(f"lageret kan ikke åbnes: {error} (the store cannot be opened); "
                        "slet mappen, så bygges det igen (delete the folder to rebuild it)",
                        file=str(target)) from None


def build_store(files: list[Path], target: Path, *, progress: bool | None = None) -> None:
    """Index ``files`` into a new on-disk store at ``target`` (under a lock, in a
    temporary folder renamed into place), then prune the folder's older stores."""
    import shutil

    import pyoxigraph as ox

    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LoadError(f"cachemappen kan ikke oprettes: {error.strerror} (cannot create the cache "
                        "folder; set RAMMEGRAF_CACHE)", file=str(folder)) from None
    with _locked(folder / ".lock"):
        if (target / MANIFEST).is_file():
            return  # another process built it while we waited
        for stale in folder.glob(".build-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        temporary = folder / f".build-{os.getpid()}"
        meter = Progress(sum(_stat(p).st_size for p in files), enabled=progress)
        store, failure = None, None
        try:
            store = ox.Store(str(temporary))
            for path in files:
                _load(store, path, bulk=True, meter=meter)
            store.flush()
            # The bulk loader leaves its sorted runs as many overlapping files (23 at 1M);
            # compacted into one run per level (5) every query reads fewer files: at 1M
            # the named queries 1.43× faster in total (17.1 → 12.0 s), for 1.3 s once here.
            meter.stage("komprimerer lageret (compacting the store)")
            store.optimize()
            count = len(store)
            store = None  # releases the database lock before the rename
            manifest = {"files": [str(p.resolve()) for p in files], "triples": count,
                        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "format": STORE_FORMAT}
            (temporary / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            os.replace(temporary, target)
        except BaseException as error:
            failure = error
        finally:
            meter.done()
        if failure is not None:
            # Close the database before removing its folder: the traceback holds the
            # frames that hold the store, and an open RocksDB writes into the folder
            # while it is being removed (a '.build-…' folder was left behind).
            store = None
            chained = failure
            for _ in range(10):   # the errors it was raised from hold frames too
                if chained is None:
                    break
                chained.__traceback__ = None
                chained = chained.__cause__ or chained.__context__
            import gc

            gc.collect()
            for _ in range(20):   # RocksDB's background threads may still be finishing a file
                shutil.rmtree(temporary, ignore_errors=True)
                if not temporary.exists():
                    break
                time.sleep(0.05)
            raise failure
        _prune(folder, keep=target)


def derive_store(old: Path, files: list[Path], target: Path, *, add: list, remove: list = ()) -> None:
    """The store for ``files`` at ``target``, made from the store at ``old`` by a small
    change (an entry saved from a form: ``add`` its triples, ``remove`` those its
    file no longer holds) instead of indexing every file again: a checkpoint of the
    old store (RocksDB hard-links its files), the change applied, then renamed into
    place under the cache's lock, like a build. The caller makes sure no other file
    holds a removed triple."""
    import shutil

    import pyoxigraph as ox

    folder = target.parent
    with _locked(folder / ".lock"):
        if (target / MANIFEST).is_file():
            return
        temporary = folder / f".build-{os.getpid()}"
        shutil.rmtree(temporary, ignore_errors=True)
        try:
            ox.Store.read_only(str(old)).backup(str(temporary))
            store = ox.Store(str(temporary))
            for triple in remove:
                store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
            store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in add)
            store.flush()
            count = len(store)
            store = None
            manifest = {"files": [str(p.resolve()) for p in files], "triples": count,
                        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "derived_from": old.name,
                        "format": STORE_FORMAT}
            (temporary / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            os.replace(temporary, target)
        except BaseException:
            store = None
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _prune(folder, keep=target)


def follow(old: Path, files: list[Path], target: Path, *, add: list, remove: list = (), subjects=None) -> None:
    """The on-disk store at ``target``, with its search index and derived facts, made from
    those at ``old`` by a change (``derive_store``; an entry saved, a round imported): the
    index and the facts are mended around the IRIs the change names, not built again."""
    import pyoxigraph as ox

    from .engine import OxigraphEngine

    if subjects is None:
        subjects = {term.value for t in [*add, *remove] for term in (t.subject, t.object)
                    if isinstance(term, ox.NamedNode)}
    derive_store(old, files, target, add=add, remove=remove)
    mend_beside(old, target, OxigraphEngine(ox.Store.read_only(str(target)), target), subjects)


def mend_beside(old: Path, folder: Path, engine, subjects) -> None:
    """The search index and the derived facts in ``folder`` (of ``engine``'s graph) made from
    those in ``old`` by a change naming ``subjects``, where the old ones are current and the
    new ones are not yet there (else ensure_index and ensure_facts build them whole)."""
    from .facts import FACTS_FILE
    from .facts import derive as derive_facts
    from .search import INDEX_FILE, _current
    from .search import derive as derive_index

    if (old / INDEX_FILE).is_file() and _current(old / INDEX_FILE) and not _current(folder / INDEX_FILE):
        derive_index(old / INDEX_FILE, folder / INDEX_FILE, engine, subjects)
    derive_facts(old / FACTS_FILE, folder / FACTS_FILE, engine, subjects)


def _prune(folder: Path, *, keep: Path, spare: int = 1) -> None:
    """Delete older stores of this folder, sparing the newest ``spare`` ones (a
    running server may still read the one before)."""
    import shutil

    older = sorted((p for p in folder.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in older[spare:]:
        shutil.rmtree(old, ignore_errors=True)


class _locked:
    """An exclusive lock on a file (fcntl), held for a ``with`` block."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        import fcntl

        self.handle = open(self.path, "a+b")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


class Progress:
    """Bytes read so far, shown on a terminal when the work takes over a second."""

    def __init__(self, total: int, *, enabled: bool | None = None, after: float = 1.0,
                 stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled if enabled is not None else self.stream.isatty()
        self.total = max(total, 1)
        self.read = 0
        self.start = time.monotonic()
        self.after = after
        self.shown = 0.0

    def add(self, count: int) -> None:
        self.read += count
        now = time.monotonic()
        if self.enabled and now - self.start >= self.after and now - self.shown >= 0.2:
            self.shown = now
            self.stream.write(f"\rrammegraf: indekserer data (indexing) {100 * self.read // self.total:3d} % "
                              f"({self.read / 1e6:.0f} af {self.total / 1e6:.0f} MB)")
            self.stream.flush()

    def stage(self, text: str) -> None:
        """A step after the reading (shown only where the reading was)."""
        if self.shown:
            self.stream.write(f"\rrammegraf: {text} …" + " " * 30)
            self.stream.flush()

    def done(self) -> None:
        if self.shown:
            seconds = time.monotonic() - self.start
            self.stream.write(f"\rrammegraf: indekseret (indexed) {self.total / 1e6:.0f} MB på {seconds:.1f} s"
                              + " " * 20 + "\n")
            self.stream.flush()


class _Metered:
    """A file for pyoxigraph to read, counting what it reads and skipping a BOM."""

    def __init__(self, handle, meter: Progress | None) -> None:
        self.handle = handle
        self.meter = meter
        if handle.read(3) != BOM:
            handle.seek(0)

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if self.meter is not None:
            self.meter.add(len(data))
        return data


# ---------------------------------------------------------------------------
# Parsing files and entries
# ---------------------------------------------------------------------------

def format_key(name: str, suffix: str) -> str:
    """The pyoxigraph RdfFormat name for a file suffix, or a LoadError."""
    key = SUFFIXES.get(suffix.lower())
    if key is None:
        raise LoadError("ukendt filtype; brug .ttl, .nt, .nq, .trig, .jsonld eller .rdf "
                        "(unknown file type)", file=name)
    return key


def _load(store, path: Path, *, bulk: bool, meter: Progress | None = None, like: Path | None = None) -> None:
    """One file into the store; ``like``: read it as the file of that name would be
    (its format by suffix, its base IRI), for a temporary file read back."""
    import pyoxigraph as ox

    like = like or path
    key = format_key(str(like), like.suffix)
    fmt = getattr(ox.RdfFormat, key)
    _check_start(path)
    if key == "RDF_XML":
        check_entities(path.read_bytes(), str(like))
    if key == "JSON_LD":
        check_json_ld(path.read_bytes(), str(like))
    base = like.resolve().as_uri()
    try:
        with open(path, "rb") as handle:
            source = _Metered(handle, meter)
            if key not in QUAD_FORMATS:
                (store.bulk_load if bulk else store.load)(source, format=fmt, base_iri=base,
                                                          to_graph=ox.DefaultGraph())
            else:  # a quad format: its graphs are merged into the default graph
                quads = ox.parse(source, format=fmt, base_iri=base)
                store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    except SyntaxError as error:
        raise parse_error(error, str(like), path.read_bytes() if key == "JSON_LD" else None) from None
    except MemoryError as error:
        raise token_error(error, str(like)) from None
    except OSError as error:
        raise LoadError(f"kan ikke læses: {error} (cannot be read)", file=str(like)) from None


def token_error(error: MemoryError, name: str) -> LoadError:
    """Oxigraph's MemoryError for one token (a literal, an IRI) over its 16 MB buffer, as a
    sentence; any other MemoryError is raised as it is."""
    if OXIGRAPH_TOKEN not in str(error):
        raise error
    return LoadError("en enkelt værdi eller IRI i filen er over 16 MB, mere end Oxigraphs parser kan holde; "
                     "del teksten op (a single literal or IRI over 16 MB cannot be parsed)", file=name)


def _check_start(path: Path) -> None:
    """Empty, binary or unreadable files get a sentence before any parser runs."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise LoadError(f"kan ikke læses: {error.strerror} (cannot be read)", file=str(path)) from None
    _check_bytes(head, str(path), complete=len(head) < 8192)


def _check_bytes(head: bytes, name: str, *, complete: bool) -> None:
    if complete and not head.removeprefix(BOM).strip():
        raise LoadError("filen er tom (the file is empty)", file=name)
    if b"\x00" in head:
        raise LoadError("filen er binær, ikke RDF-tekst (the file is binary, not RDF text)", file=name)


def parse_bytes(raw: bytes, *, name: str, suffix: str = ".ttl", base: str | None = None) -> list:
    """The triples of RDF text a user gave (a file's bytes or pasted text), parsed
    by Oxigraph; named graphs are merged. A LoadError says what is wrong and where:
    also a JSON-LD document over the limits of ``check_json_ld`` (before Oxigraph
    sees it) and a literal over ``MAX_LITERAL``."""
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, format_key(name, suffix))
    _check_bytes(raw[:8192], name, complete=True if len(raw) <= 8192 else False)
    if not raw.removeprefix(BOM).strip():
        raise LoadError("filen er tom (the file is empty)", file=name)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(f"filen er ikke UTF-8 (byte {error.start}) (the file is not UTF-8)", file=name) from None
    if fmt == ox.RdfFormat.RDF_XML:
        check_entities(raw, name)
    if fmt == ox.RdfFormat.JSON_LD:
        check_json_ld(raw, name)
    try:
        quads = ox.parse(raw.removeprefix(BOM), format=fmt, base_iri=base or "urn:rammegraf:entry")
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as error:
        raise parse_error(error, name, raw if fmt == ox.RdfFormat.JSON_LD else None) from None
    except MemoryError as error:
        raise token_error(error, name) from None
    check_terms(triples, name)
    return triples


def megabytes(size: int) -> str:
    """A size for people, the Danish way: 17,0 MB."""
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def oversize(text: str) -> int | None:
    """The UTF-8 size of ``text`` when it is over MAX_LITERAL, else None (cheap for short text)."""
    if len(text) * 4 <= MAX_LITERAL:
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > MAX_LITERAL else None


LIMIT_WORDS = f"højst {MAX_LITERAL // 1_000_000} MB pr. værdi (a literal over {MAX_LITERAL // 1_000_000} MB is refused)"


def check_terms(triples, name: str) -> None:
    """Refuse a triple whose literal (or IRI) is over MAX_LITERAL, naming its resource
    and property."""
    from .namespaces import curie

    for triple in triples:
        subject, predicate, obj = triple.subject, triple.predicate, triple.object
        for what, term in (("værdien" if type(obj).__name__ == "Literal" else "IRI'en", obj),
                           ("IRI'en", subject), ("IRI'en", predicate)):
            size = oversize(term.value)
            if size is not None:
                shown = subject.value if len(subject.value) <= 200 else subject.value[:60] + "…"
                shown = f"<{shown}>" if type(subject).__name__ == "NamedNode" else f"_:{shown}"
                raise LoadError(f"{shown} {curie(predicate.value[:200])}: {what} fylder {megabytes(size)}; "
                                f"{LIMIT_WORDS}", file=name)


# JSON-LD is bounded before Oxigraph (0.5) parses it. Measured (README, "Safety"): its memory
# grows with the square of how deep node objects nest, times the context terms active at each
# level (941 KB of 2,362 nested objects with a 20-term context each: 4.1 GB, 13-27 s; 3,000
# plain levels: 0.7 GB; 5,000 crash the process), and a scoped context is processed again at
# every use of its term (20,000 uses of a 2,000-term one, 1.3 MB: 77 s). A document just
# inside all four limits costs at most about 70 MB and half a second.
MAX_JSON_DEPTH = 100          # objects and arrays inside each other (rammegraf's export: 4)
MAX_CONTEXTS = 100            # @context definitions in one document, scoped ones included
MAX_CONTEXT_TERMS = 1_000     # keys of all @context objects together
MAX_SCOPED_WORK = 100_000     # a scoped context's keys times the uses of its term


def check_json_ld(raw: bytes, name: str) -> None:
    """Refuse a JSON-LD document whose shape would cost Oxigraph far more memory or
    time than its size: nested past MAX_JSON_DEPTH, over MAX_CONTEXTS contexts or
    MAX_CONTEXT_TERMS terms, scoped contexts used past MAX_SCOPED_WORK, or a string
    over MAX_LITERAL. Text that is not JSON gets the JSON reader's line and column."""
    try:
        document = json.loads(raw.removeprefix(BOM))
    except RecursionError:
        # Python's reader gives up near its recursion limit (about 1,000 levels), far past ours
        raise LoadError(_too_deep(f"mere end {MAX_JSON_DEPTH}"), file=name) from None
    except UnicodeDecodeError as error:
        raise LoadError(f"filen er ikke UTF-8 (byte {error.start}) (the file is not UTF-8)", file=name) from None
    except json.JSONDecodeError as error:
        raise LoadError(f"kan ikke parses (does not parse): JSON: {error.msg}", file=name,
                        line=error.lineno, column=error.colno) from None
    contexts = terms = 0
    scoped: dict[str, int] = {}     # a term with a context of its own → the keys in that context
    pending = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise LoadError(_too_deep(str(depth)), file=name)
        if isinstance(node, str):
            _json_string(node, name)
            continue
        if isinstance(node, list):
            pending.extend((item, depth + 1) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            _json_string(key, name)
            if key == "@context":
                for context in value if isinstance(value, list) else [value]:
                    if isinstance(context, dict):
                        contexts += 1
                        terms += len(context)
                        scoped.update((term, max(scoped.get(term, 0), _keys_in(definition["@context"])))
                                      for term, definition in context.items()
                                      if isinstance(definition, dict) and "@context" in definition)
            pending.append((value, depth + 1))
    if contexts > MAX_CONTEXTS:
        raise LoadError(f"JSON-LD'en har {contexts} @context-definitioner; højst {MAX_CONTEXTS} "
                        f"(a JSON-LD document with more than {MAX_CONTEXTS} contexts is refused)", file=name)
    if terms > MAX_CONTEXT_TERMS:
        raise LoadError(f"JSON-LD'ens @context'er har {terms} termer i alt; højst {MAX_CONTEXT_TERMS} "
                        f"(more than {MAX_CONTEXT_TERMS} context terms are refused)", file=name)
    if scoped:
        uses = _uses(document, set(scoped))
        work = sum(uses.get(term, 0) * size for term, size in scoped.items())
        if work > MAX_SCOPED_WORK:
            raise LoadError(f"JSON-LD'ens scopede @context'er (en @context i en termdefinition) behandles igen ved "
                            f"hver brug af termen: {work:,} termer i alt; højst {MAX_SCOPED_WORK:,} ".replace(",", ".")
                            + "(scoped contexts used this often are refused)", file=name)


def _too_deep(depth: str) -> str:
    return (f"JSON-LD'en er indlejret {depth} niveauer dybt (objekter og lister); højst {MAX_JSON_DEPTH} "
            f"(JSON-LD nested more than {MAX_JSON_DEPTH} levels deep is refused)")


def _json_string(text: str, name: str) -> None:
    size = oversize(text)
    if size is not None:
        raise LoadError(f"en tekst i JSON-LD'en fylder {megabytes(size)}; {LIMIT_WORDS}", file=name)


def _keys_in(value) -> int:
    """The keys of every object inside ``value``."""
    count, pending = 0, [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            count += len(node)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return count


def _uses(document, names: set[str]) -> dict[str, int]:
    """How often each of ``names`` stands in the document as a key or a string value."""
    uses: dict[str, int] = {}
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            if node in names:
                uses[node] = uses.get(node, 0) + 1
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in names:
                    uses[key] = uses.get(key, 0) + 1
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return uses


ENTITY = re.compile(rb"""<!ENTITY\s+(%\s*)?(\S+)\s+(?:"([^"]*)"|'([^']*)'|(\S+))""")
MAX_EXPANSION = 64 * 1024 * 1024


def check_entities(raw: bytes, name: str) -> None:
    """Refuse XML entities that could fetch or explode before the parser sees them:
    external (SYSTEM/PUBLIC) and parameter entities, entities that refer to other
    entities (the "billion laughs"), and uses that would expand the file past
    ten times its size (or 64 MB). Plain abbreviations such as
    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#"> stay allowed."""
    if b"<!ENTITY" not in raw:
        return
    values: dict[bytes, bytes] = {}
    for match in ENTITY.finditer(raw):
        parameter, key, double, single, other = match.groups()
        value = double if double is not None else single
        if parameter or value is None:
            raise LoadError(f"XML-entiteten {key.decode('utf-8', 'replace')} er ekstern eller en parameter-"
                            f"entitet ({(other or b'%').decode('utf-8', 'replace')}); rammegraf henter intet "
                            "(an external or parameter entity is refused)", file=name)
        if b"&" in value or b"%" in value:
            raise LoadError(f"XML-entiteten {key.decode('utf-8', 'replace')} henviser til andre entiteter; "
                            "det afvises, da det kan vokse eksponentielt (an entity referring to "
                            "entities is refused: entity expansion)", file=name)
        values[key] = value
    expanded = len(raw) + sum(raw.count(b"&" + key + b";") * len(value) for key, value in values.items())
    if expanded > min(10 * len(raw) + 2**20, MAX_EXPANSION):
        raise LoadError(f"XML-entiteterne ville udvide filen til {expanded // 2**20} MB; det afvises "
                        "(entity expansion past the limit is refused)", file=name)


def parse_file(path: Path) -> list:
    """The triples of one file (an entry to validate)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise LoadError(f"kan ikke læses: {error.strerror} (cannot be read)", file=str(path)) from None
    return parse_bytes(raw, name=str(path), suffix=Path(path).suffix, base=Path(path).resolve().as_uri())


def parse_error(error: SyntaxError, name: str, json_ld: bytes | None = None) -> LoadError:
    """Oxigraph's parse error as file, line, column and a short reason."""
    message = str(error)
    if "LoadDocumentCallback" in message:
        refused = _remote_context(json_ld) if json_ld is not None else None
        named = f" {refused}" if refused else ""
        return LoadError(f"JSON-LD med en ekstern @context (eller @import){named} afvises: rammegraf "
                         "henter intet fra nettet eller fra filer; skriv konteksten ind i filen "
                         "(a remote or file: JSON-LD context is refused)", file=name)
    reason = message.split(": ", 1)[1] if message.startswith("Parser error at") else message
    reason = reason.rsplit(" (line ", 1)[0]
    return LoadError(f"kan ikke parses (does not parse): {reason}", file=name,
                     line=getattr(error, "lineno", None), column=getattr(error, "offset", None))


def _remote_context(raw: bytes) -> str | None:
    """The first context IRI a JSON-LD document names (@context or @import), to name it."""
    try:
        document = json.loads(raw.removeprefix(BOM))
    except ValueError:
        return None
    pending = [document]
    while pending:
        node = pending.pop(0)
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import") and isinstance(value, str):
                    return value
                if key in ("@context", "@import") and isinstance(value, list):
                    found = next((v for v in value if isinstance(v, str)), None)
                    if found:
                        return found
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)
    return None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def write_atomic(path: Path, data: bytes, *, expect=None, readable: bool = False) -> None:
    """Write to a temporary file beside ``path``, then rename it into place:
    a reader sees the old file or the new one, never half of one. With ``expect``
    (triples) or ``readable``, the temporary file is first read back (``read_back``).
    A path that is no regular file (``/dev/null``, ``/dev/stdout``, a named pipe) is
    written to, never replaced: renamed over, /dev/null became a file of the last
    output for every program on the machine (run as root, ``-o /dev/null`` did that)."""
    import stat

    path = Path(path)
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        special = False
    if special and not path.is_dir():
        if expect is not None or readable:   # read back from a temporary file of its own first
            import tempfile

            with tempfile.TemporaryDirectory(prefix="rammegraf-") as folder:
                _written_beside(Path(folder) / path.name, data, expect=expect, readable=readable)
        with open(path, "wb") as handle:
            handle.write(data)
        return
    tmp = _written_beside(path, data, expect=expect, readable=readable)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes, *, expect=None, readable: bool = False) -> bool:
    """Like write_atomic, but only if ``path`` does not exist yet (an exclusive create:
    the complete file is linked into place, which fails when another got there first).
    Returns False, writing nothing, when the file exists."""
    tmp = _written_beside(Path(path), data, expect=expect, readable=readable)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def read_back(path: Path, *, like: Path) -> list:
    """The triples of ``path`` as every command reads the data file ``like`` (``_load``
    into a store: the format by ``like``'s suffix, its base IRI), each term within
    MAX_LITERAL; a LoadError when it cannot be read so."""
    import pyoxigraph as ox

    store = ox.Store()
    _load(store, Path(path), bulk=False, like=Path(like))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store]
    check_terms(triples, str(like))
    return triples


def same_graph(first, second) -> bool:
    """Whether two lists of triples are the same graph (blank nodes compared by shape)."""
    import pyoxigraph as ox

    def canonical(triples):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return set(dataset)

    if not any(type(term).__name__ == "BlankNode" for t in [*first, *second] for term in (t.subject, t.object)):
        return set(first) == set(second)
    return canonical(first) == canonical(second)


def _verify(tmp: Path, path: Path, expect) -> None:
    """The temporary file read back as ``path`` would be; it must hold ``expect`` (when given)."""
    try:
        found = read_back(tmp, like=path)
    except LoadError as error:
        raise LoadError(f"den skrevne fil læses ikke igen: {error.message}; intet er skrevet (the written file "
                        "does not read back: nothing was written)", file=str(path)) from None
    if expect is not None and not same_graph(found, list(expect)):
        extra, missing = len(set(found) - set(expect)), len(set(expect) - set(found))
        raise LoadError(f"den skrevne fil læses ikke igen som det validerede ({extra} tripler for meget, {missing} "
                        "mangler); intet er skrevet (the written file does not read back as what was validated: "
                        "nothing was written)", file=str(path))


def _written_beside(path: Path, data: bytes, *, expect=None, readable: bool = False) -> Path:
    """``data`` in a hidden temporary file in ``path``'s folder (.NAME.XXXX.tmp), on disk;
    read back and compared with ``expect`` when asked."""
    import tempfile

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise LoadError("mappen findes ikke (no such folder)", file=str(directory))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain write would
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        if expect is not None or readable:
            _verify(Path(tmp), path, expect)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _stat(path: Path) -> os.stat_result:
    try:
        return Path(path).stat()
    except OSError as error:
        raise LoadError(f"kan ikke læses: {error.strerror} (cannot be read)", file=str(path)) from None


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value).encode("utf-8")).hexdigest()
