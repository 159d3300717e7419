"""Jobs of the search box: the index is opened (or built, for small data and remote
servers) once per worker and kept."""

from __future__ import annotations

from ...search import grouped, open_index
from .common import _local

_INDEXES: dict[int, object] = {}


def _index(engine):
    found = _INDEXES.get(id(engine))
    if found is None:
        found = _INDEXES[id(engine)] = open_index(engine)
    return found


def search(engine, text: str, lang: str, limit: int) -> dict:
    """Hits for a query, grouped by kind, as plain data for the page and for JSON."""
    index = _index(engine)
    hits = index.search(text, lang=lang, limit=limit)
    groups = [{"kind": g.kind, "label": g.label,
               "hits": [{"iri": h.iri, "label": h.label, "kind": h.kind, "kind_label": h.kind_label,
                         "areas": h.areas, "phase": h.phase_label, "phase_date": h.phase_date,
                         "matched": h.matched, "link": _local(h.iri, h.label, lang)} for h in g.hits]}
              for g in grouped(hits)]
    return {"query": text, "count": len(hits), "capped": index.capped, "groups": groups,
            "documents": index.documents}


JOBS = (search,)
