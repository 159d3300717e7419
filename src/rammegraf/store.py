"""Open the graph: ontology, vocabularies and data files in one rdflib Graph.

The shipped files live beside the package in a source checkout (``ontology/``,
``data/``). ``load()`` reads them all; ``load_files()`` reads a given list and
turns a parse error into a :class:`LoadError` with file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from .errors import LoadError
from .namespaces import bind_prefixes

FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld",
           ".rdf": "xml", ".owl": "xml", ".n3": "n3"}


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


def data_files(root: Path | None = None, *, data_dirs: Iterable[Path] | None = None) -> list[Path]:
    """Every RDF file under the data folders (default: the shipped ``data/``)."""
    dirs = [Path(d) for d in data_dirs] if data_dirs else [(root or shipped_root()) / "data"]
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise LoadError("mappen findes ikke (no such folder)", file=str(folder))
        files.extend(sorted(p for p in folder.rglob("*") if p.suffix in FORMATS and p.is_file()))
    return files


def load(root: Path | None = None, *, data_dirs: Iterable[Path] | None = None) -> Graph:
    """The ontology and vocabularies with the data (shipped, or ``data_dirs``)."""
    return load_files([*ontology_files(root), *data_files(root, data_dirs=data_dirs)])


def load_files(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    """Parse each file into one graph; a file that does not parse raises LoadError."""
    graph = graph if graph is not None else Graph()
    bind_prefixes(graph)
    for path in paths:
        parse_file(Path(path), graph)
    return graph


def parse_file(path: Path, graph: Graph) -> None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"kan ikke læses: {exc.strerror} (cannot be read)", file=str(path)) from None
    parse_bytes(raw, graph, name=str(path), suffix=path.suffix,
                base=path.resolve().as_uri())


def parse_bytes(raw: bytes, graph: Graph, *, name: str, suffix: str = ".ttl",
                base: str | None = None) -> None:
    """Parse RDF text (a file's bytes, or what a user pasted) into ``graph``."""
    fmt = FORMATS.get(suffix.lower())
    if fmt is None:
        raise LoadError("ukendt filtype; brug .ttl, .nt, .trig, .jsonld eller .rdf "
                        "(unknown file type)", file=name)
    if not raw.strip():
        raise LoadError("filen er tom (the file is empty)", file=name)
    if b"\x00" in raw[:8192]:
        raise LoadError("filen er binær, ikke RDF-tekst (the file is binary, not RDF text)", file=name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"filen er ikke UTF-8 (byte {exc.start}) (the file is not UTF-8)",
                        file=name) from None
    try:
        graph.parse(data=text, format=fmt, publicID=base or "urn:rammegraf:entry")
    except Exception as exc:  # rdflib raises many kinds; all mean "does not parse"
        raise _parse_error(Path(name), text, exc) from None


_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def _parse_error(path: Path, text: str, exc: Exception) -> LoadError:
    """Turn rdflib's parser exception into file, line, column and a short reason."""
    line = getattr(exc, "lines", None)
    column = None
    if isinstance(line, int):
        line += 1  # rdflib's notation3 parser counts lines from 0
        start = getattr(exc, "_i", None)
        if isinstance(start, int) and 0 <= start <= len(text):
            column = start - (text.rfind("\n", 0, start) + 1) + 1
    else:
        match = _LINE.search(str(exc))
        line = int(match.group(1)) if match else None
    reason = getattr(exc, "_why", None) or str(exc).strip().splitlines()[0]
    return LoadError(f"kan ikke parses (does not parse): {reason}",
                     file=str(path), line=line, column=column)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place:
    a reader sees the old file or the new one, never half of one."""
    import os
    import tempfile

    path = Path(path)
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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current
