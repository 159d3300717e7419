"""Jobs of the search box: the index is opened (or built, for small data and remote
servers) once per worker and kept; from a SPARQL server, which may change at any
time, only for as long as its pages are kept."""

from __future__ import annotations

import time

from ...facts import REMOTE_TTL
from ...search import grouped, open_index
from .common import _local

_INDEXES: dict[int, tuple[object, float]] = {}   # engine → (index, when its building began)


def _index(engine, keep: float = 0.0):
    """The engine's index: local data's for the worker's life (a store is made for one
    version of the data); a SPARQL server's built again once it is older than ``keep``
    seconds (``serve --endpoint-keep``), or than REMOTE_TTL when pages are not kept, so a
    change on the server shows in the search as it shows on the pages."""
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


JOBS = (search,)
