"""A SPARQL server's search index and derived facts, read into the cache once for every
worker while its pages are kept (``serve --endpoint … --endpoint-keep``;
``rammegraf.servercopy``), and read again once older than the keep."""

from __future__ import annotations

import fcntl
import os
import time

import pyoxigraph as ox
import pytest

from rammegraf import facts, search, servercopy
from rammegraf.engine import OxigraphEngine
from rammegraf.labels import Labels
from rammegraf.namespaces import RDF, RDFS, RG, XSD
from rammegraf.web.jobs import search as search_jobs

KEEP = 600.0
NEW = "https://w3id.org/rammegraf/id/milepael/kvasirlund"


@pytest.fixture
def local(engine):
    """A copy of the shipped graph this module may change."""
    store = ox.Store()
    store.extend(engine.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return OxigraphEngine(store)


class Server:
    """What rammegraf asks of a RemoteEngine, answered from ``local``; counts the questions."""

    remote, folder, index_path = True, None, None

    def __init__(self, local) -> None:
        self.local = local
        self.asked = 0

    def query(self, *args, **kw):
        self.asked += 1
        return self.local.query(*args, **kw)

    def __len__(self):
        return len(self.local)


@pytest.fixture
def fresh_process(monkeypatch):
    """What a worker process keeps for itself, emptied (as in another worker)."""
    def empty():
        monkeypatch.setattr(facts, "_KEPT", {})
        monkeypatch.setattr(search_jobs, "_INDEXES", {})
    empty()
    return empty


def worker(local, folder) -> Server:
    server = Server(local)
    servercopy.attach(server, folder, KEEP)
    return server


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def add_milestone(local) -> None:
    m = ox.NamedNode(NEW)
    local.store.add(ox.Quad(m, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(RG.Milestone)), ox.DefaultGraph()))
    local.store.add(ox.Quad(m, ox.NamedNode(str(RDFS.label)), ox.Literal("Kvasirlund", language="da"),
                            ox.DefaultGraph()))
    for prop, value in (("dateText", ox.Literal("Januar 2027", language="da")),
                        ("earliest", ox.Literal("2027-01-01", datatype=ox.NamedNode(str(XSD.date)))),
                        ("latest", ox.Literal("2027-01-31", datatype=ox.NamedNode(str(XSD.date))))):
        local.store.add(ox.Quad(m, ox.NamedNode(str(RG[prop])), value, ox.DefaultGraph()))


def test_the_facts_are_read_from_the_server_once_for_every_worker(local, tmp_path, fresh_process):
    """The first worker reads the facts from the server into the copy; another worker reads
    the copy, asking the server nothing; past the keep they are read from the server again,
    with what changed there meanwhile."""
    first = worker(local, tmp_path / "copies")
    found = facts.facts_of(first)
    assert found == facts.compute(local) and first.asked > 0
    copy = tmp_path / "copies" / facts.FACTS_FILE
    assert facts.current(copy)
    assert (tmp_path / "copies").stat().st_mode & 0o777 == 0o700     # its user's alone
    fresh_process()
    other = worker(local, tmp_path / "copies")
    assert facts.facts_of(other) == found and other.asked == 0
    assert facts.round_dates(other) == found.round_dates() and other.asked == 0   # from the file alone
    add_milestone(local)
    age(copy, KEEP - 5)
    assert NEW not in facts.facts_of(other).milestones and other.asked == 0    # kept: as old as the pages
    age(copy, KEEP + 1)
    assert NEW in facts.facts_of(other).milestones and other.asked > 0         # older than the keep: read again
    assert time.time() - copy.stat().st_mtime < 60                             # a new copy, its age from now
    fresh_process()
    again = worker(local, tmp_path / "copies")
    assert NEW in facts.facts_of(again).milestones and again.asked == 0


def test_while_one_worker_reads_the_server_again_the_others_use_the_copy_before(local, tmp_path, fresh_process):
    """Past the keep, a worker that finds another reading the server again goes on with the
    copy before it, up to twice the keep; older than that it is not used."""
    first = worker(local, tmp_path / "copies")
    old = facts.facts_of(first)
    copy = tmp_path / "copies" / facts.FACTS_FILE
    add_milestone(local)
    fresh_process()
    other = worker(local, tmp_path / "copies")
    with open(tmp_path / "copies" / f".{facts.FACTS_FILE}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # another worker reads the server
        age(copy, KEEP + 100)
        assert servercopy.usable(other, facts.FACTS_FILE, facts.current) == copy
        assert facts.facts_of(other) == old and other.asked == 0
        age(copy, 2 * KEEP + 1)
        assert servercopy.usable(other, facts.FACTS_FILE, facts.current) is None
    assert servercopy.usable(other, facts.FACTS_FILE, facts.current) is None   # no one reads: not used
    assert NEW in facts.facts_of(other).milestones and other.asked > 0


def test_the_search_index_and_the_labels_come_from_the_copy(local, tmp_path, fresh_process):
    """The search index is built from the server once into the copy; another worker's search
    and labels read it without asking the server; a newer copy is opened when one is made."""
    first = worker(local, tmp_path / "copies")

    def found(who, text="Kvasirlund"):
        hits = search_jobs.search(who, text, "da", 10)
        return sorted(h["label"] for g in hits["groups"] for h in g["hits"])

    assert "Botilbudsteams" in found(first, "Botilbudsteams") and first.asked > 0
    copy = tmp_path / "copies" / search.INDEX_FILE
    assert search.built_index(first) == copy
    fresh_process()
    other = worker(local, tmp_path / "copies")
    assert "Botilbudsteams" in found(other, "Botilbudsteams") and found(other) == []
    assert other.asked == 0
    few = [ox.NamedNode("https://w3id.org/rammegraf/id/initiativ/botilbudsteams"),
           ox.NamedNode("https://w3id.org/rammegraf/id/region/midtjylland")]
    labels = Labels(other, "da").load(few)      # a few, from a server: from the copy, no request
    assert [labels.of(t) for t in few] == [Labels(local, "da").of(t) for t in few]
    assert None not in [labels.of(t) for t in few] and other.asked == 0
    add_milestone(local)
    assert found(other) == []                      # kept for the keep
    age(copy, KEEP + 1)
    assert "Kvasirlund" in found(other) and other.asked > 0


def test_without_a_keep_nothing_is_copied(local, tmp_path, fresh_process):
    """An engine with no copy folder, or a keep of 0, reads from the server as before."""
    server = Server(local)
    assert servercopy.copied(server, facts.FACTS_FILE, facts.current, lambda path: None) is None
    servercopy.attach(server, tmp_path / "copies", 0)
    assert facts.facts_of(server) == facts.compute(local)
    assert not (tmp_path / "copies" / facts.FACTS_FILE).exists()
    assert search.built_index(server) is None


def test_a_cache_that_cannot_be_written_keeps_nothing(local, tmp_path, fresh_process, monkeypatch):
    """A copy folder that cannot be made, or a copy that cannot be written, leaves the engine
    reading from the server as without a keep: the same facts and search, no error."""
    (tmp_path / "file").write_text("not a folder")
    server = worker(local, tmp_path / "file" / "copies")
    assert not servercopy.kept(server)
    assert facts.facts_of(server) == facts.compute(local)
    writable = worker(local, tmp_path / "copies")

    def full(*args, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(facts, "write", full)
    assert facts.facts_of(writable) == facts.compute(local) and writable.asked > 0
    assert not (tmp_path / "copies" / facts.FACTS_FILE).exists()


def test_a_replica_holds_the_servers_graph_with_its_index_and_facts(server, tmp_path):
    """The server's graph read one predicate at a time into an on-disk store, with its search
    index and derived facts beside it; named in replica.json, not read again while young."""
    from rammegraf.engine import RemoteEngine

    remote = RemoteEngine(f"{server}/query")
    servercopy.attach(remote, tmp_path / "copies", KEEP)
    assert servercopy.replica(remote) is None
    folder = servercopy.make_replica(remote)
    assert folder is not None and servercopy.replica(remote) == folder
    assert search._current(folder / search.INDEX_FILE) and facts.current(folder / facts.FACTS_FILE)
    store = ox.Store.read_only(str(folder))
    every = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    theirs = remote.query(every).triples
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in theirs)
    assert sorted(map(str, store.query(every))) == sorted(map(str, theirs)) and len(theirs) > 1000
    assert facts.read(folder / facts.FACTS_FILE) == facts.compute(OxigraphEngine(store))
    assert servercopy.make_replica(remote) == folder          # young: not read again
    age(tmp_path / "copies" / servercopy.REPLICA, KEEP + 1)
    newer = servercopy.make_replica(remote)
    assert newer != folder and newer.is_dir() and folder.is_dir()   # the one before stays for its readers
    age(tmp_path / "copies" / servercopy.REPLICA, KEEP + 1)
    newest = servercopy.make_replica(remote)
    assert sorted(p.name for p in (tmp_path / "copies").glob("replica-*")) == sorted([newer.name, newest.name])


def test_serve_computes_the_pages_from_the_replica_and_asks_the_server_on_sparql(server, tmp_path):
    """serve --endpoint --endpoint-keep reads the replica when it starts, before the front page;
    the pages (search, /frister, a named query) are computed from it, so a change on the server
    shows there only with the next replica, while /sparql asks the server at once."""
    import httpx2 as httpx
    from conftest import web_client
    from test_endpoint import invoke

    from rammegraf.engine import RemoteEngine

    late = "https://w3id.org/rammegraf/id/initiativ/kvasirlund"
    try:
        with web_client(endpoint=f"{server}/query", timeout=10.0, endpoint_keep=600, warm=True,
                        cache=tmp_path / "cache") as http:
            web = http.app.state.web
            end = time.monotonic() + 60
            while not all(k in web.cache for k in web.front_page_keys()):
                assert time.monotonic() < end, "the front page was not computed ahead"
                time.sleep(0.05)
            folder = servercopy.folder_for(f"{server}/query", None, tmp_path / "cache")
            replica = servercopy._named(folder / servercopy.REPLICA)
            assert replica is not None and (replica / servercopy.MADE).is_file()
            page = http.get("/sok", params={"q": "botilbudsteams"}, headers={"accept": "text/html"})
            assert page.status_code == 200 and "Botilbudsteams" in page.text
            assert http.get("/frister", headers={"accept": "text/html"}).status_code == 200
            added = httpx.post(f"{server}/store?default", headers={"content-type": "application/n-triples"},
                               content=(f"<{late}> <http://www.w3.org/2000/01/rdf-schema#label> "
                                        "\"Kvasirlund\"@da .\n"
                                        f"<{late}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                                        "<https://w3id.org/rammegraf/ontology#Initiative> .\n").encode())
            assert added.status_code in (200, 201, 204)
            asked = search.open_index(RemoteEngine(f"{server}/query")).search("Kvasirlund", lang="da")
            assert [h.iri for h in asked] == [late]                      # found when asked of the server
            ask = http.get("/sparql", params={"query": f"ASK {{ <{late}> ?p ?o }}"},
                           headers={"accept": "application/sparql-results+json"})
            assert ask.json()["boolean"] is True                          # the server, at once
            found = http.get("/sok", params={"q": "kvasirlund"}, headers={"accept": "text/html"})
            assert found.status_code == 200 and "/id/initiativ/kvasirlund" not in found.text   # the replica
    finally:
        assert invoke("push", "--endpoint", f"{server}/query").exit_code == 0   # back to the shipped graph


def test_serve_computes_the_report_ahead_into_the_page_cache(server, tmp_path):
    """With --endpoint-keep the latest round's report page and downloads are computed ahead,
    after the front page, from one job a language, and served from the page cache without a
    job of their own: the same bytes as a server that keeps nothing computes."""
    from conftest import web_client
    from test_dashboard import jobs_run

    from rammegraf.web.base import frozen

    with web_client(endpoint=f"{server}/query", timeout=10.0, endpoint_keep=60, warm=True,
                    cache=tmp_path / "cache") as http:
        web = http.app.state.web
        wanted = [("report_page", frozen((None, lang, None))) for lang in ("da", "en")] + \
            [("report_file", frozen((None, lang, suffix))) for lang in ("da", "en") for suffix in (".html", ".md", ".docx")]
        end = time.monotonic() + 90
        while not all(key in web.cache for key in wanted):
            assert time.monotonic() < end, "the report was not computed ahead"
            time.sleep(0.05)
        assert all(key in web.cache.spilled for key in wanted)      # on disk: pages do not push them out
        ran = jobs_run(web)
        kept = {path: http.get(path) for path in ("/rapport", "/rapport.md", "/rapport.html?lang=en", "/rapport.docx")}
        assert ran == [] and all(answer.status_code == 200 for answer in kept.values())
    with web_client(endpoint=f"{server}/query", timeout=10.0) as anew:
        for path in ("/rapport.md", "/rapport.html?lang=en"):
            assert anew.get(path).content == kept[path].content
        assert "Statusrapport" in kept["/rapport"].text or "statusrapport" in kept["/rapport"].text.lower()


def test_other_servers_copies_unused_for_a_week_are_removed(tmp_path):
    """A server's copies are read again every keep while an app uses them; another server's
    not read for UNUSED_FOR seconds are removed when an app starts, ours and recent ones kept."""
    ours = servercopy.folder_for("http://127.0.0.1:1/sparql", None, tmp_path)
    recent = servercopy.folder_for("http://127.0.0.1:2/sparql", None, tmp_path)
    old = servercopy.folder_for("http://127.0.0.1:3/sparql", "urn:g", tmp_path)
    for folder in (ours, recent, old):
        folder.mkdir()
        (folder / facts.FACTS_FILE).write_bytes(b"x")
    for path in (ours / facts.FACTS_FILE, old / facts.FACTS_FILE):
        age(path, servercopy.UNUSED_FOR + 60)
    (tmp_path / "server-notes.txt").write_text("a file, not a copy")
    assert servercopy.prune(tmp_path, ours) == [old]
    assert ours.is_dir() and recent.is_dir() and not old.exists()
    assert (tmp_path / "server-notes.txt").is_file()
