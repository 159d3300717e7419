"""Entry forms on the web: /ny, checks at the fields, saving with --write (lock,
exclusive create, atomic replace) by a signed-in user, the entry on every page at
once, editing, downloads without --write, and the requests a browser elsewhere may
not make."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import live_server, web_client
from rammegraf.cli import main
from rammegraf.namespaces import RG

AUGUST = "kilde/handlingsplan-2025-08-20"
MILESTONE = {"rdfs-label@da": "Afklaring af botilbudsteams", "rg-dateText": "ultimo 2026",
             "inv-rg-hasMilestone": "Botilbudsteams", "prov-wasDerivedFrom": AUGUST, "rg-responsible": "DASSOS"}
SAVED = "indtastet/milepael/afklaring-af-botilbudsteams.ttl"


PASSWORD = "korrekt hest batteri"


def accounts(folder: Path, *names: str) -> Path:
    """A users file beside the data with these accounts, all with PASSWORD."""
    from rammegraf.auth import Accounts

    found = Accounts(folder / "users.json")
    for name in names:
        if name not in found.users():
            found.add(name, PASSWORD)
    return found.path


def client(data, **settings):
    if settings.get("write"):
        settings.setdefault("users", accounts(data.parent, "lise@kommune.dk", "someone-else"))
    return web_client(data_dirs=(data,), cache=data.parent / "cache", **settings)


def csrf(http, page: str) -> str:
    """The CSRF token of the form on ``page`` (bound to this client's cookies)."""
    found = re.search(r'name="_csrf" value="([0-9a-f]{64})"', http.get(page).text)
    assert found, page
    return found.group(1)


def sign_in(http, name: str = "lise@kommune.dk", password: str = PASSWORD):
    answer = http.post("/log-ind", data={"navn": name, "adgangskode": password, "_csrf": csrf(http, "/log-ind")},
                       follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


def post(http, path, values: dict, action="tjek", *, form: str | None = None, **headers):
    """The form at ``path`` sent with one of its buttons, with the token of its page
    (``form``: the page it came from, when that is not ``path``)."""
    token = csrf(http, form or path)
    return http.post(path, data={**values, "handling": action, "_csrf": token}, headers=headers,
                     follow_redirects=False)


def test_new_lists_every_form_in_danish_and_english(data):
    with client(data) as http:
        page = http.get("/ny").text
        assert re.findall(r'<a href="/ny/([a-z]+)">', page) == [
            "initiativ", "statusrapport", "milepael", "moede", "opgave", "udfordring", "beslutningspunkt", "person",
            "kilde"]
        assert "Serveren gemmer ikke" in page
        assert ">Meeting</a>" in http.get("/ny?lang=en").text
        missing = http.get("/ny/ukendt")
        assert missing.status_code == 404 and "der er ingen formular &#39;ukendt&#39;" in missing.text


def test_a_form_shows_its_fields_in_order_with_labels_and_lists(data):
    with client(data) as http:
        page = http.get("/ny/statusrapport").text
    legends = [text.strip() for text in re.findall(r"<legend>([^<]+)", page)]
    assert legends == ["Etiket", "Status for", "Pr. dato", "Fase", "Tekst", "Kilde", "Nået"]
    phases = re.findall(r'<option value="https://w3id.org/rammegraf/ontology#(\w+)">([^<]+)</option>', page)
    assert phases[3] == ("InProgress", "I gang") and len(phases) == 7
    assert '<option value="Botilbudsteams"></option>' in page       # initiatives to choose from
    assert 'type="date"' in page and "Tomt felt: etiketten dannes som «Status for {rg:statusOf} pr. {rg:asOf}»" in page


def test_mistakes_are_named_at_their_fields_by_a_round_trip(data):
    with client(data) as http:
        answer = post(http, "/ny/statusrapport", {"rg-statusOf": "Botilbudsteams", "rg-asOf": "2025-12-01",
                                                  "rg-phase": "I gang", "prov-wasDerivedFrom": AUGUST})
    assert answer.status_code == 200
    page = answer.text

    def at(field):
        found = re.search(r'<ul class="field-errors" id="f-%s-e"[^>]*>(.*?)</ul>' % re.escape(field), page)
        return re.findall(r"<li[^>]*>([^<]*)</li>", found.group(1))

    assert at("rg-phase") == ["Vælg en af mulighederne på listen."]
    assert at("rg-text_da") == ["En statusrapport skal have statusteksten på dansk (rg:text &#34;…&#34;@da)."]
    assert at("rg-asOf") == ["Statusdatoen (rg:asOf) er ikke kildedokumentets dato (dcterms:date)."]
    assert 'name="rg-phase" aria-label="Fase"' in page and 'aria-invalid="true"' in page
    assert "Posten har 3 fejl" in page
    assert not (data / "indtastet").exists()


def test_without_write_the_turtle_is_a_download_and_saving_is_refused(data):
    from rammegraf.store import parse_bytes

    with client(data) as http:
        download = post(http, "/ny/milepael", MILESTONE, "hent")
        refused = post(http, "/ny/milepael", MILESTONE, "gem")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/turtle; charset=utf-8"
    assert download.headers["content-disposition"] == 'attachment; filename="milepael-afklaring-af-botilbudsteams.ttl"'
    triples = parse_bytes(download.content, name="ny.ttl")
    assert {(t.predicate.value, t.object.value) for t in triples} >= {
        (RG.earliest, "2026-10-01"), (RG.latest, "2026-12-31"), (RG.dateText, "ultimo 2026")}
    assert refused.status_code == 403 and "rammegraf serve --write" in refused.text
    assert not (data / "indtastet").exists()


def test_a_saved_entry_is_its_own_file_and_on_every_page_at_once(data):
    with client(data, write=True) as http:
        sign_in(http)
        before = http.app.state.web.pool.pids()
        answer = post(http, "/ny/milepael", MILESTONE, "gem")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/id/milepael/afklaring-af-botilbudsteams?gemt=1"
        assert set(http.app.state.web.pool.pids()).isdisjoint(before)   # workers moved to the new data
        page = http.get(answer.headers["location"]).text
        assert "Gemt. Posten er nu i grafen." in page and "<h1>Afklaring af botilbudsteams</h1>" in page
        assert 'href="/id/milepael/afklaring-af-botilbudsteams/rediger"' in page
        rows = http.get("/sparql", params={"query": "SELECT ?m WHERE { ?m rg:dateText 'ultimo 2026' }"},
                        headers={"accept": "text/csv"}).text
        assert rows.split() == ["m", "https://w3id.org/rammegraf/id/milepael/afklaring-af-botilbudsteams"]
        found = http.get("/sok", params={"q": "afklaring botilbudsteams", "format": "json"}).json()
        assert found["results"][0]["iri"].endswith("milepael/afklaring-af-botilbudsteams")
        initiative = http.get("/id/initiativ/botilbudsteams").text
        assert "Afklaring af botilbudsteams" in initiative
    text = (data / SAVED).read_text(encoding="utf-8")
    assert text.startswith("# Milepæl indtastet i rammegrafs formular /ny/milepael")
    assert re.search(r'dcterms:created "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\^\^xsd:dateTime', text)
    assert 'dcterms:creator "lise@kommune.dk"' in text
    assert list((data / "indtastet").rglob("*.tmp")) == []
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output


def test_an_entry_that_does_not_conform_is_not_saved(data):
    with client(data, write=True) as http:
        sign_in(http)
        answer = post(http, "/ny/milepael", {**MILESTONE, "prov-wasDerivedFrom": ""}, "gem")
    assert answer.status_code == 422
    assert "En milepæl skal henvise til sit kildedokument (prov:wasDerivedFrom)." in answer.text
    assert not (data / "indtastet").exists()


def test_an_entry_made_in_a_form_can_be_edited_and_keeps_when_it_was_made(data):
    with client(data, write=True) as http:
        sign_in(http)
        post(http, "/ny/milepael", MILESTONE, "gem")
        created = re.search(r"dcterms:created (\S+)", (data / SAVED).read_text()).group(1)
        form = http.get("/id/milepael/afklaring-af-botilbudsteams/rediger").text
        assert 'value="Afklaring af botilbudsteams"' in form and 'value="ultimo 2026"' in form
        assert 'value="Botilbudsteams (initiativ/botilbudsteams)"' in form
        changed = {**MILESTONE, "rg-dateText": "medio 2027", "inv-rg-hasMilestone": "initiativ/botilbudsteams"}
        http.post("/log-ud", data={"_csrf": csrf(http, "/")})
        sign_in(http, "someone-else")
        answer = post(http, "/id/milepael/afklaring-af-botilbudsteams/rediger", changed, "gem")
        assert answer.status_code == 303
        page = http.get("/id/milepael/afklaring-af-botilbudsteams").text
        assert "medio 2027" in page and "ultimo 2026" not in page
        # the hand-written files are read-only in the browser; paths cannot leave the folder
        assert http.get("/id/initiativ/botilbudsteams/rediger").status_code == 404
        assert http.get("/id/milepael/..%2F..%2Fetc/rediger").status_code == 404
    text = (data / SAVED).read_text()
    assert f"dcterms:created {created}" in text and 'dcterms:creator "lise@kommune.dk"' in text
    assert "dcterms:modified" in text and '"2027-04-01"^^xsd:date' in text and "2026-10-01" not in text
    assert CliRunner().invoke(main, ["validate", "--data", str(data)]).exit_code == 0


def test_a_post_from_another_site_is_refused_and_writes_nothing(data):
    with client(data, write=True) as http:
        sign_in(http)
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}):
            answer = post(http, "/ny/milepael", MILESTONE, "gem", **headers)
            assert answer.status_code == 403 and "Afvist" in answer.text
        assert http.post("/ny/milepael/tjek", data=MILESTONE, headers={"Sec-Fetch-Site": "cross-site"}) \
            .status_code == 403
    assert not (data / "indtastet").exists()


def test_the_live_check_answers_json_with_the_dates_the_words_fill(data):
    with client(data) as http:
        answer = http.post("/ny/milepael/tjek", data={**MILESTONE, "rg-dateText": "primo 2026"},
                           headers={"Sec-Fetch-Site": "same-origin", "X-CSRF-Token": csrf(http, "/ny/milepael")})
    found = answer.json()
    assert found["shown"]["rg-earliest"] == ["2026-01-01"] and found["shown"]["rg-latest"] == ["2026-03-31"]
    assert found["conforms"] is True and found["iri"].endswith("milepael/afklaring-af-botilbudsteams")
    assert found["errors"] == {}
    assert "milepael:afklaring-af-botilbudsteams a rg:Milestone" in found["turtle"]


def test_add_another_gives_one_more_box_without_javascript(data):
    with client(data) as http:
        page = post(http, "/ny/moede", {"rg-about": "Botilbudsteams"}, "tilfoej:rg-about").text
    assert len(re.findall(r'<input id="f-rg-about-\d"', page)) == 2


def test_two_saves_of_one_iri_at_once_one_wins_and_the_other_gets_a_sentence(data):
    import urllib.error
    import urllib.parse
    import urllib.request

    import httpx2 as httpx

    with live_server(data_dirs=(data,), cache=data.parent / "cache", write=True,
                     users=accounts(data.parent, "lise@kommune.dk")) as (port, _):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            sign_in(http)
            token, cookie = csrf(http, "/ny/milepael"), f"rammegraf_session={http.cookies['rammegraf_session']}"
        body = urllib.parse.urlencode({**MILESTONE, "handling": "gem", "_csrf": token}).encode()
        outcomes, start = [], threading.Barrier(2)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None

        def save():
            start.wait()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/ny/milepael", data=body,
                                             headers={"Cookie": cookie})
            try:
                with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as answer:
                    outcomes.append((answer.status, answer.read().decode()))
            except urllib.error.HTTPError as error:
                outcomes.append((error.code, error.read().decode()))

        threads = [threading.Thread(target=save) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    codes = sorted(code for code, _ in outcomes)
    assert codes == [303, 422], outcomes
    import html

    loser = html.unescape(next(text for code, text in outcomes if code == 422))
    assert "Der findes allerede «Afklaring af botilbudsteams» med IRI'en" in loser
    assert [p.name for p in (data / "indtastet").rglob("*.ttl")] == ["afklaring-af-botilbudsteams.ttl"]


def test_a_file_that_appeared_meanwhile_is_not_overwritten(tmp_path):
    from rammegraf.entries import SaveError, write_entry

    target = tmp_path / "indtastet" / "milepael" / "x.ttl"
    write_entry(target, b"# first\n", replace=False)
    with pytest.raises(SaveError, match="findes allerede"):
        write_entry(target, b"# second\n", replace=False)
    assert target.read_bytes() == b"# first\n"
    write_entry(target, b"# edited\n", replace=True)
    assert target.read_bytes() == b"# edited\n" and list(target.parent.glob(".*")) == []


def test_the_lock_is_the_one_round_import_holds(tmp_path):
    from rammegraf.entries import SaveError, entry_lock
    from rammegraf.roundsheet import RoundError, import_lock

    with import_lock(tmp_path):
        with pytest.raises(SaveError, match="skriver i datamappen"):
            with entry_lock(tmp_path, wait=0.2):
                pass
    with entry_lock(tmp_path):
        with pytest.raises(RoundError):
            with import_lock(tmp_path):
                pass


def test_serve_write_refuses_an_endpoint_and_a_folder_it_cannot_write(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--write", "--endpoint", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 2 and "--write gemmer i datamappen" in result.output
    result = CliRunner().invoke(main, ["serve", "--write", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "datamappen findes ikke eller kan ikke skrives i" in result.output


def test_on_disk_a_save_moves_the_store_and_index_along_and_they_equal_a_fresh_build(data, tmp_path, monkeypatch):
    """A large folder is read from an on-disk store: a save makes the next store from
    the one the workers read (a checkpoint plus the entry; an edit also takes out what
    the file no longer says) and mends the search index, instead of indexing every
    file again. Both equal what a build from the files gives."""
    import json

    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import Index, build, connect
    from rammegraf.store import MANIFEST, build_store, graph_files, store_location

    from rammegraf import facts

    cache = data.parent / "cache"
    whole = []
    computed = facts.compute
    monkeypatch.setattr(facts, "compute", lambda engine, **keys: whole.append(keys) or computed(engine, **keys))
    with client(data, write=True, in_memory_limit=0) as http:
        sign_in(http)
        assert http.app.state.web.pool.spec[0] == "store"
        assert whole == [{}]      # computed whole once, for the first store; after that only mended
        assert post(http, "/ny/milepael", MILESTONE, "gem").status_code == 303
        after_new = store_location([data], cache=cache)
        assert json.loads((after_new / MANIFEST).read_text())["derived_from"]
        changed = {**MILESTONE, "rg-dateText": "medio 2027", "rdfs-label@en": "Clarifying the housing teams"}
        assert post(http, "/id/milepael/afklaring-af-botilbudsteams/rediger", changed, "gem").status_code == 303
        found = http.get("/sok", params={"q": "clarifying housing", "format": "json"}).json()
        assert found["results"][0]["iri"].endswith("milepael/afklaring-af-botilbudsteams")
        assert "medio 2027" in http.get("/id/milepael/afklaring-af-botilbudsteams").text
    derived = store_location([data], cache=cache)
    assert json.loads((derived / MANIFEST).read_text())["derived_from"] == after_new.name
    fresh = tmp_path / "fresh" / "store"   # build_store prunes its folder's other stores
    build_store(graph_files([data]), fresh, progress=False)

    def triples(folder):
        return set(ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None))

    assert triples(derived) == triples(fresh)
    mended = Index(connect(derived / "search.sqlite"))
    rebuilt = Index(build(OxigraphEngine(ox.Store.read_only(str(fresh)), fresh)))
    for words in ("clarifying housing", "afklaring", "botilbudsteams", "ultimo", "medio 2027", "DASSOS"):
        assert [(h.iri, round(h.score, 6)) for h in mended.search(words)] == \
            [(h.iri, round(h.score, 6)) for h in rebuilt.search(words)], words
    for table in ("vocab", "term"):
        query = f"SELECT * FROM {table} ORDER BY 1"
        assert mended.db.execute(query).fetchall() == rebuilt.db.execute(query).fetchall(), table
    labels = "SELECT iri, label_da, label_en FROM doc ORDER BY iri"   # what rammegraf.labels reads
    assert mended.db.execute(labels).fetchall() == rebuilt.db.execute(labels).fetchall()
    assert ("https://w3id.org/rammegraf/id/milepael/afklaring-af-botilbudsteams", "Clarifying the housing teams") in \
        mended.db.execute("SELECT iri, label_en FROM doc").fetchall()
    # the derived facts (rammegraf.facts) were mended too, not computed again: equal to a fresh computation
    from rammegraf.facts import FACTS_FILE, compute, read

    assert whole[0] == {} and all(keys for keys in whole[1:]) and len(whole) == 3
    kept = read(derived / FACTS_FILE)
    assert kept is not None and kept == compute(OxigraphEngine(ox.Store.read_only(str(fresh)), fresh))
    assert "https://w3id.org/rammegraf/id/milepael/afklaring-af-botilbudsteams" in kept.milestones


def test_hostile_values_are_escaped_and_odd_requests_get_a_sentence(web_data):
    from conftest import PAYLOAD

    with web_client(data_dirs=(web_data,)) as http:
        page = http.get("/ny/statusrapport").text          # the payload is an initiative's label in the list
        assert "<script>alert(2)</script>" not in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
        answer = post(http, "/ny/milepael", {"rdfs-label@da": PAYLOAD, "rg-dateText": PAYLOAD,
                                             "rg-responsible": PAYLOAD})
        assert answer.status_code == 200 and "<img src=x" not in answer.text and "<script>alert" not in answer.text
        live = http.post("/ny/milepael/tjek", data={"rdfs-label@da": PAYLOAD, "_csrf": csrf(http, "/ny/milepael")}) \
            .json()
        assert live["path"] == "milepael/img-src-x-onerror-alert-1-script-alert-2-script"
        assert '"<img src=x onerror=alert(1)><script>alert(2)</script>"@da' in live["turtle"]   # a literal, quoted
        too_big = http.post("/ny/milepael", content=b"a=" + b"x" * 1_100_000,
                            headers={"content-type": "application/x-www-form-urlencoded"})
        assert too_big.status_code == 413 and "for stor" in too_big.text
        many = http.post("/ny/milepael", content="&".join(f"f{i}=1" for i in range(2500)).encode(),
                         headers={"content-type": "application/x-www-form-urlencoded"})
        assert many.status_code == 400 and "formularen har over 2000 felter" in many.text
        wrong = http.post("/ny/milepael", content=b"{}", headers={"content-type": "application/json"})
        assert wrong.status_code == 400 and "application/x-www-form-urlencoded" in wrong.text
        nothing = post(http, "/ny/milepael", {"rdfs-label@da": "---"})
        assert "IRI&#39;en dannes af etiketten" in nothing.text


def test_a_named_querys_page_is_kept_until_a_save_changes_its_answer(data):
    """A named query's page asked again comes from the page cache (no job runs); other
    parameters are another page; a save empties the cache, so the next answer has the entry."""
    from test_dashboard import jobs_run

    period = "/foresporgsler/milepaele-i-periode?from=2026-11-01&to=2026-11-30"
    with client(data, write=True) as http:
        sign_in(http)
        web = http.app.state.web
        first = http.get(period).text
        assert "Afklaring af botilbudsteams" not in first
        ran = jobs_run(web)
        assert http.get(period).text == first
        assert ran == []                                    # kept: no job ran
        other = http.get("/foresporgsler/milepaele-i-periode?from=2026-11-01&to=2026-12-31")
        assert other.status_code == 200 and ran == ["named"]   # other parameters: computed
        assert post(http, "/ny/milepael", MILESTONE, "gem").status_code == 303
        again = http.get(period).text
        assert "Afklaring af botilbudsteams" in again and ran.count("named") == 2


def test_the_page_cache_keeps_to_its_byte_budget_and_leaves_out_one_too_large():
    from rammegraf.web.base import JobCache, frozen

    cache = JobCache(800)
    for n in range(10):
        cache.put(("page", n), f"page {n}", 100)
    assert len(cache) == 8 and cache.size == 800 and ("page", 1) not in cache and ("page", 2) in cache
    assert cache[("page", 2)] == "page 2"                   # used: the last to go
    cache.put(("page", 10), "page 10", 100)
    assert ("page", 2) in cache and ("page", 3) not in cache
    cache.put(("big", 0), "big", 101)                      # over an eighth of the budget
    assert ("big", 0) not in cache and cache.size == 800
    cache.put(("page", 10), "page 10 again", 50)          # put again: counted once
    assert cache.size == 750 and cache[("page", 10)] == "page 10 again"
    cache.clear()
    assert len(cache) == 0 and cache.size == 0
    assert frozen({"b": [1, 2], "a": "x"}) == frozen({"a": "x", "b": (1, 2)})
    assert frozen({"a": "x"}) != frozen({"a": "y"})


def test_what_is_computed_ahead_is_kept_on_disk_where_pages_do_not_push_it_out():
    """JobCache.put(on_disk=True) keeps a value on disk whatever its size (a server's report,
    computed ahead): the pages that fill the memory after it do not push it out."""
    from rammegraf.web.base import JobCache

    cache = JobCache(800, disk_budget=100_000)
    cache.put(("report_file", ".md"), "the report", 10, on_disk=True)
    assert ("report_file", ".md") in cache.spilled and ("report_file", ".md") not in cache.entries
    for n in range(20):
        cache.put(("page", n), "x" * 90, 90)                   # past the memory budget: pages go
    assert ("page", 0) not in cache and ("page", 19) in cache
    assert cache.get(("report_file", ".md")) == "the report"
    cache.close()
    nowhere = JobCache(800, disk_budget=0)                      # no disk: in memory as before
    nowhere.put(("report_file", ".md"), "the report", 10, on_disk=True)
    assert ("report_file", ".md") in nowhere.entries


def test_an_answer_too_large_for_the_page_cache_is_kept_on_disk_until_a_save():
    import stat

    from rammegraf.web.base import MISSING, JobCache

    import pickle

    def value(n):
        return {"page": f"{n}" * 400, "rows": [1, 2, 3]}
    each = len(pickle.dumps(value(1), protocol=pickle.HIGHEST_PROTOCOL))
    cache = JobCache(800, disk_budget=4 * each + each // 2)   # four fit, a fifth does not
    cache.put(("big", 1), value(1), 500)                  # over an eighth: on disk, not in memory
    assert ("big", 1) in cache and cache.size == 0 and cache.get(("big", 1)) == value(1)
    folder = cache.folder
    assert folder is not None and stat.S_IMODE(folder.stat().st_mode) == 0o700   # the owner's alone
    (path, _), = cache.spilled.values()
    assert path.parent == folder and path.is_file()
    for n in (2, 3, 4):
        cache.put(("big", n), value(n), 500)
    cache.get(("big", 1))                                  # used: the last to go
    cache.put(("big", 5), value(5), 500)                   # past the disk budget: the oldest goes
    assert ("big", 2) not in cache and ("big", 1) in cache and cache.disk_size <= 4 * each + each // 2
    assert sum(1 for _ in folder.iterdir()) == len(cache.spilled) == 4
    cache.put(("big", 6), "x" * 5 * each, 500)             # over a quarter of the disk budget: not kept
    assert ("big", 6) not in cache
    gone, _ = cache.spilled[("big", 3)]
    gone.write_bytes(b"spoilt")                            # a file that cannot be read: computed again
    assert cache.get(("big", 3)) is MISSING and ("big", 3) not in cache
    cache.put(("big", 1), "small now", 10)                 # kept again in memory: the file goes
    assert ("big", 1) in cache.entries and ("big", 1) not in cache.spilled and cache[("big", 1)] == "small now"
    cache.clear()                                          # a save: nothing kept, no file left
    assert len(cache) == 0 and cache.disk_size == 0 and list(folder.iterdir()) == []
    cache.close()
    assert not folder.exists()
    assert JobCache(800).get(("big", 1)) is MISSING


def test_a_page_from_a_server_is_kept_for_its_time_and_the_front_page_until_replaced(tmp_path):
    """With max_age (serve --endpoint-keep) a value older than that is gone, in memory and on
    disk alike, and its file removed; a lasting key (the front page, refreshed in the
    background) stays until it is replaced; without max_age nothing expires."""
    from rammegraf.web.base import MISSING, JobCache

    now = [100.0]
    cache = JobCache(800, disk_budget=10_000, max_age=30, lasting=[("dashboard", (None, "da"))],
                     clock=lambda: now[0])
    cache.put(("resource", 1), "page", 10)
    cache.put(("report", 1), "x" * 2000, 500)               # over an eighth: on disk
    cache.put(("dashboard", (None, "da")), "front", 10)
    (spilled, _), = cache.spilled.values()
    now[0] = 129.0
    assert cache.get(("resource", 1)) == "page" and ("report", 1) in cache and cache.age(("resource", 1)) == 29
    now[0] = 130.5
    assert cache.get(("resource", 1)) is MISSING and ("resource", 1) not in cache.entries and cache.size == 10
    assert ("report", 1) not in cache and not spilled.exists() and cache.disk_size == 0
    assert cache.get(("dashboard", (None, "da"))) == "front"
    cache.put(("resource", 1), "page again", 10)            # computed again: kept for its own time
    now[0] = 150.0
    assert cache.get(("resource", 1)) == "page again" and cache.age(("resource", 1)) == 19.5
    cache.close()
    forever = JobCache(800, clock=lambda: now[0])
    forever.put(("resource", 1), "page", 10)
    now[0] = 10**9
    assert forever.get(("resource", 1)) == "page"


def test_a_large_page_is_served_from_disk_without_computing_it_again(data):
    """A page over an eighth of the page cache's budget is kept on disk (Settings.page_cache_disk):
    asked again, no job runs; a save empties it; the server's stop removes its folder."""
    from test_dashboard import jobs_run

    period = "/foresporgsler/milepaele-i-periode?from=2026-11-01&to=2026-11-30"
    with client(data, write=True, page_cache=8_000) as http:     # every page is "large" here
        sign_in(http)
        web = http.app.state.web
        first = http.get(period).text
        assert "Afklaring af botilbudsteams" not in first and len(first) > 1_000
        assert any(key[0] == "named" for key in web.cache.spilled)
        assert not any(key[0] == "named" for key in web.cache.entries)
        folder = web.cache.folder
        ran = jobs_run(web)
        assert http.get(period).text == first and ran == []    # from disk: no job ran
        assert post(http, "/ny/milepael", MILESTONE, "gem").status_code == 303
        assert not web.cache.spilled and list(folder.iterdir()) == []     # a save: nothing kept
        again = http.get(period).text
        assert "Afklaring af botilbudsteams" in again and ran.count("named") == 1
    assert not folder.exists()
