"""Jobs of the search box: the index is opened (or built, for small data and remote
servers) once per worker and kept; from a SPARQL server, which may change at any
time, only for as long as its pages are kept: the copy in the cache every worker
shares when pages are kept (``servercopy``), else built by the worker."""

from __future__ import annotations

import time

from ...facts import REMOTE_TTL
from ...search import Index, connect, grouped, open_index, server_copy
from .common import _local

_INDEXES: dict[int, tuple] = {}   # engine → (index, when its building began, or which copy it is)


def _index(engine, keep: float = 0.0):
    """The engine's index: local data's for the worker's life (a store is made for one
    version of the data); a SPARQL server's built again once it is older than ``keep``
    seconds (``serve --endpoint-keep``), or than REMOTE_TTL when pages are not kept, so a
    change on the server shows in the search as it shows on the pages."""
    copy = server_copy(engine)
    if copy is not None:
        # the copy every worker shares (servercopy): opened again when another is made
        stamp = (str(copy), copy.stat().st_mtime_ns)
        found = _INDEXES.get(id(engine))
        if found is None or found[1] != stamp:
            found = _INDEXES[id(engine)] = (Index(connect(copy)), stamp)
        return found[0]
    found = _INDEXES.get(id(engine))
    now = time.monotonic()
    if found is not None and getattr(engine, "remote", False) and now - found[1] > (keep or REMOTE_TTL):
        found = None
    if found is None:
        found = _INDEXES[id(engine)] = (open_index(engine), now)
    return found[0]


def search(engine, text: str, lang: str, limit: int, keep: float = 0.0) -> dict:
    """Hits for a query, grouped by kind, as plain data for the page and for JSON
    (``keep``: how long a SPARQL server's index is used, see ``_index``)."""
    index = _index(engine, keep)
    hits = index.search(text, lang=lang, limit=limit)
    groups = [{"kind": g.kind, "label": g.label,
               "hits": [{"iri": h.iri, "label": h.label, "kind": h.kind, "kind_label": h.kind_label,
                         "areas": h.areas, "phase": h.phase_label, "phase_date": h.phase_date,
                         "matched": h.matched, "link": _local(h.iri, h.label, lang)} for h in g.hits]}
              for g in grouped(hits)]
    return {"query": text, "count": len(hits), "capped": index.capped, "groups": groups,
            "documents": index.documents}


def server_copies(engine, which: str) -> bool:
    """Read a SPARQL server's graph into a replica with its index and facts (``which``
    "replica"), or its search index ("search") or derived facts ("facts") alone, into the
    cache every worker shares, ahead of the pages that need them (``serve --endpoint-keep``;
    ``rammegraf.servercopy``); False when the engine keeps no copies."""
    if which == "replica":
        from ...servercopy import make_replica

        return make_replica(engine) is not None
    if which == "search":
        return server_copy(engine) is not None
    from ...facts import facts_of
    from ...servercopy import kept

    facts_of(engine)
    return kept(engine)


JOBS = (search, server_copies)
