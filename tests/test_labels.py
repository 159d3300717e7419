"""Labels: in the reader's language, from the store in batches or from the search index."""

from __future__ import annotations

import pytest

from rammegraf import labels as labels_module
from rammegraf.engine import OxigraphEngine
from rammegraf.labels import Labels
from rammegraf.search import build


def every_iri(engine) -> list:
    """Every IRI the shipped graph names (ours, the ontology's, W3C terms)."""
    rows = engine.query("SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } "
                        "FILTER (isIRI(?t)) }").rows
    return [row[0] for row in rows]


@pytest.mark.parametrize("whole", [True, False], ids=["every-one-of-ours", "the-wanted-ones"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_labels_from_the_search_index_equal_the_stores(engine, tmp_path, monkeypatch, lang, whole):
    """Many labels at once come from the search index when the engine has one (every
    one of ours, or above INDEX_WHOLE_ABOVE only those wanted): the same label for every
    IRI (ours from the index, the ontology's from the store, none where there is none)
    as the store's batches and its one query for all."""
    path = tmp_path / "search.sqlite"
    build(engine, path).close()
    indexed = OxigraphEngine(engine.store)
    indexed.index_path = str(path)
    terms = every_iri(engine)
    monkeypatch.setattr(labels_module, "ALL_ABOVE", 10)
    monkeypatch.setattr(labels_module, "INDEX_WHOLE_ABOVE", 0 if whole else 10**9)
    from_index = Labels(indexed, lang).load(terms)
    assert from_index.indexed is whole and not from_index.complete
    if not whole:   # only what was asked for: a resource of ours not asked for is not known
        unasked = Labels(indexed, lang).load(terms[: len(terms) // 2])
        assert all(t.value not in unasked.known for t in terms[len(terms) // 2:]
                   if t.value not in {u.value for u in terms[: len(terms) // 2]})
    every = Labels(engine, lang).load(terms)
    assert every.complete and not every.indexed
    monkeypatch.setattr(labels_module, "ALL_ABOVE", 10**9)
    batched = Labels(engine, lang).load(terms)
    expected = [batched.of(t) for t in terms]
    assert [from_index.of(t) for t in terms] == expected == [every.of(t) for t in terms]
    assert sum(label is not None for label in expected) > 100 and None in expected
    import pyoxigraph as ox

    assert from_index.of(ox.NamedNode("https://w3id.org/rammegraf/id/x/none")) is None  # not in the index: none


def test_labels_read_no_index_that_is_not_built(engine, tmp_path, monkeypatch):
    """An index path that holds no current index (not built yet, or of an older
    version) is not read: the labels come from the store."""
    indexed = OxigraphEngine(engine.store)
    indexed.index_path = str(tmp_path / "search.sqlite")
    monkeypatch.setattr(labels_module, "ALL_ABOVE", 10)
    labels = Labels(indexed, "da").load(every_iri(engine))
    assert labels.complete and not labels.indexed
