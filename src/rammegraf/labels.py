"""Labels in the reader's language, for every place that shows a resource.

A resource's label is its ``rdfs:label`` in the reader's language, else the
Danish one, else any. Labels are fetched from the engine in batches (one query
per 500 IRIs), never one query per resource; many at once come from the search
index when the engine has one built (rammegraf.search keeps every resource's
label in both languages, built and mended with the store it sits beside).
"""

from __future__ import annotations

from .namespaces import ID, curie
from .terms import iri, is_iri, text

BATCH = 500
ALL_ABOVE = 5000   # more IRIs than this wanted at once: every label is read in one query instead
# (or, from a search index, those wanted; and above this many, every one of ours at once)
INDEX_WHOLE_ABOVE = 50_000


class Labels:
    """The labels of IRIs in one language, fetched from an engine and kept."""

    def __init__(self, engine, lang: str = "da") -> None:
        self.engine = engine
        self.lang = lang
        self.known: dict[str, str | None] = {}
        self.complete = False   # every label of the graph is in ``known``
        self.indexed = False    # every resource of ours is in ``known`` (read from the search index)

    def load(self, terms) -> Labels:
        """Fetch the labels of these terms (IRIs; others are ignored) that are not known yet:
        by VALUES in batches, or (more than ALL_ABOVE of them, or any number from a SPARQL
        server) from the search index when the engine has one built (``_read_index``; a
        server's copy, ``servercopy``), else every label of the graph at once, one
        query that reads them all (at a million triples 182,000 labels in 1.8 s, where
        batches of 500 took 5.9 s for the status document's 200,000 lookups)."""
        if self.complete:
            return self
        wanted = sorted({t.value for t in terms if t is not None and is_iri(t)} - self.known.keys())
        from_index = self.indexed
        # from a SPARQL server the search index is read for any number (each batch is a request
        # over HTTP: 0.05-0.2 s at 1M on Virtuoso, the index 1 ms), when one is kept of it
        if not from_index and (len(wanted) > ALL_ABOVE or getattr(self.engine, "remote", False)):
            from_index = self._read_index(wanted)
            if not from_index and len(wanted) > ALL_ABOVE:
                return self.load_all()
        if from_index:  # a resource of ours that the index does not hold has no label
            ours = str(ID)
            wanted = [value for value in wanted if value not in self.known]
            self.known.update((value, None) for value in wanted if value.startswith(ours))
            wanted = [value for value in wanted if not value.startswith(ours)]
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start:start + BATCH]
            found: dict[str, dict[str, str]] = {}
            rows = self.engine.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
                                     {"s": [iri(value) for value in chunk]})
            for subject, label in rows:
                found.setdefault(subject.value, {}).setdefault(label.language or "", label.value)
            for value in chunk:
                self.known[value] = _best(found.get(value, {}), self.lang)
        return self

    def _read_index(self, wanted: list[str]) -> bool:
        """The labels of ``wanted`` from the engine's search index, when it has one built;
        of every resource of ours when more than INDEX_WHOLE_ABOVE are wanted (then
        ``indexed``: at a million triples 167,000 labels in 0.13-0.23 s, where the on-disk
        store takes 2.2 s, each label's two terms decoded from RocksDB). The index is
        built from the same store and mended with it (web.base), so it is never older."""
        from .search import built_index, read_labels

        if self.lang not in ("da", "en"):
            return False
        path = built_index(self.engine)
        if path is None:
            return False
        whole = len(wanted) > INDEX_WHOLE_ABOVE
        self.known.update(read_labels(path, self.lang, None if whole else wanted))
        self.indexed = whole
        return True

    def load_all(self) -> Labels:
        """Every label of the graph, in one query; after it no IRI is looked up again."""
        found: dict[str, dict[str, str]] = {}
        for subject, label in self.engine.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }").rows:
            if is_iri(subject):
                found.setdefault(subject.value, {}).setdefault(label.language or "", label.value)
        self.known.update((value, _best(labels, self.lang)) for value, labels in found.items())
        self.complete = True
        return self

    def of(self, term) -> str | None:
        """The label of an IRI (fetched now if it was not loaded), or None."""
        if term is None or not is_iri(term):
            return None
        if term.value not in self.known:
            if self.complete:
                return None
            self.load([term])
        return self.known[term.value]

    def display_iri(self, value: str) -> str:
        """``display(iri(value))`` for an IRI given as text, without making its term when its
        label is known (the status document names some 200,000 at a million triples)."""
        return self.known.get(value) or self.display(iri(value))

    def display(self, term) -> str:
        """What a person should see for a term: its label, a literal's text, or the IRI."""
        if term is None:
            return ""
        if is_iri(term):
            return self.of(term) or curie(term.value)
        return text(term)


def _best(labels: dict[str, str], lang: str) -> str | None:
    for key in (lang, "da", "en", ""):
        if key in labels:
            return labels[key]
    return next(iter(labels.values()), None)
