"""Search: find a resource from a word of its name, as people type it.

What is searched: every resource of ours (``…/id/…``) by its labels (da and en),
other names (``skos:altLabel``, ``foaf:name``), notations ("§ 108"), municipality
and region codes, titles, definitions, descriptions and status texts, each field
with its own weight (a label counts most, a status text least).

How words are matched, in order of how much a match counts:

* **folded**: lower case, æ→ae, ø→oe, å→aa, accents dropped, so "faelles" finds
  "fælles", "aarhus" finds "Århus" and "Ærø" is found as "aeroe";
* **exactly** a word of the field, or **the start** of one ("botil" finds
  "Botilbudsteams"; a hyphenated word also as one: "fact" finds "F-ACT");
* **with a slip**: one letter wrong, missing, extra or two swapped (two in words of
  eight letters or more), in a whole word or in the part typed so far.

Every word of the query must match (short Danish words such as "i", "og", "af"
need not). Results are grouped by kind, each with its development area and, for an
initiative, its latest phase.

The index is a SQLite file beside the on-disk store (``search.sqlite`` in the
store's folder: built once, the first time a search or ``rammegraf serve``
needs it, and gone with the store when a file changes), or an in-memory
database for small data and remote servers. The store's own build does not wait
for it. rapidfuzz measures the slips against
the index's vocabulary in C++.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .namespaces import DCTERMS, FOAF, ID, RDF, RDFS, RG, SKOS

INDEX_FILE = "search.sqlite"
VERSION = "2"

# field number → (property, weight, name of the field in Danish, in English), heaviest
# first: the postings are kept in field order, so the best matches of a common word
# are read first
FIELDS = (
    (str(RDFS.label), 10, "navn", "name"),
    (str(SKOS.notation), 9, "notation", "notation"),
    (str(RG.municipalityCode), 9, "kommunekode", "municipality code"),
    (str(RG.regionCode), 9, "regionskode", "region code"),
    (str(SKOS.altLabel), 8, "andet navn", "other name"),
    (str(FOAF.name), 8, "navn", "name"),
    (str(DCTERMS.title), 6, "titel", "title"),
    (str(SKOS.definition), 3, "definition", "definition"),
    (str(DCTERMS.description), 3, "beskrivelse", "description"),
    (str(RG.text), 2, "tekst", "text"),
)
_FIELD_OF = {prop: number for number, (prop, *_rest) in enumerate(FIELDS)}
SHOWN_FIELDS = range(1, 7)   # fields whose text is shown beside a hit that matched there
CAP = 20_000                 # postings read for the first word; past it, the best fields only
EXACT, PREFIX, SLIP, SLIPPED_PREFIX = 1.0, 0.8, 0.55, 0.45
# the kinds people look for most come first when scores tie; a status report's text
# mentions many things, so its hits count less
KIND_WEIGHT = {str(RG.StatusReport): 0.5, str(RG.SourceDocument): 0.7, str(RG.Task): 0.8,
               str(RG.Challenge): 0.8, str(RG.DecisionPoint): 0.8}
STOP_WORDS = frozenset("af at de den der det du en er et for fra i med og om op paa som til ved".split())
_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "œ": "oe", "ð": "d", "þ": "th", "ł": "l"})
_TOKEN = re.compile(r"[0-9a-z]+|§")
_JOINED = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)+")
MAX_QUERY = 200          # characters of a query that are read
MAX_WORDS = 8


def fold(value: str) -> str:
    """Lower case, Danish letters spelled out (æ→ae, ø→oe, å→aa), accents dropped."""
    value = value.casefold().translate(_FOLD)
    if value.isascii():
        return value
    value = unicodedata.normalize("NFKD", value)
    return "".join(c for c in value if not unicodedata.combining(c))


def tokens(value: str) -> list[str]:
    """The words of a text as the index keeps them (folded; "F-ACT" also as "fact")."""
    folded = fold(value)
    found = _TOKEN.findall(folded)
    found += [joined.replace("-", "") for joined in _JOINED.findall(folded)]
    return found


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE doc (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT, label_da TEXT, label_en TEXT,
                  phase TEXT, phase_date TEXT);
CREATE TABLE doc_words (doc INTEGER PRIMARY KEY, words TEXT);
CREATE TABLE doc_area (doc INTEGER, area TEXT);
CREATE TABLE term (iri TEXT PRIMARY KEY, label_da TEXT, label_en TEXT);
CREATE TABLE field_text (doc INTEGER, field INTEGER, text TEXT);
CREATE TABLE posting (token TEXT, field INTEGER, doc INTEGER, PRIMARY KEY (token, field, doc)) WITHOUT ROWID;
CREATE TEMP TABLE staging (token TEXT, field INTEGER, doc INTEGER);
CREATE TABLE vocab (token TEXT PRIMARY KEY, docs INTEGER) WITHOUT ROWID;
"""


def build(engine, target: Path | str = ":memory:") -> sqlite3.Connection:
    """The search index of the engine's graph, in a new SQLite database at
    ``target`` (a file is written beside it and renamed into place)."""
    import pyoxigraph as ox

    temporary = None
    if str(target) != ":memory:":
        target = Path(target)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
    db = sqlite3.connect(str(temporary or target))
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
    ids: dict[str, int] = {}
    labels: dict[int, dict[str, str]] = {}
    postings: list[tuple[str, int, int]] = []   # written to SQLite in batches, so memory stays flat
    texts = []
    ours = str(ID)
    for field_no, (prop, *_rest) in enumerate(FIELDS):
        for subject, value in _pairs(engine, prop):
            if not subject.startswith(ours) or not isinstance(value, ox.Literal):
                continue
            number = ids.get(subject)
            if number is None:
                number = ids[subject] = len(ids) + 1
            _take(number, field_no, value, labels, texts, postings)
            if len(postings) >= 200_000:
                db.executemany("INSERT INTO staging VALUES (?, ?, ?)", postings)
                postings.clear()
    db.executemany("INSERT INTO staging VALUES (?, ?, ?)", postings)
    del postings
    # sorted once by SQLite (in C): the postings in field order within a word, so a
    # common word's best matches are read first; each resource's words for the checks
    # of a query's other words
    db.execute("INSERT INTO posting SELECT DISTINCT token, field, doc FROM staging ORDER BY token, field, doc")
    db.execute("DROP TABLE staging")
    db.execute("INSERT INTO doc_words SELECT doc, group_concat(field || ':' || token, ' ') FROM "
               "(SELECT doc, field, token FROM posting ORDER BY doc) GROUP BY doc")
    kinds = _kinds(engine, ids)
    phases = _latest_phases(engine)
    areas = [(ids[s], a.value) for s, a in _pairs(engine, str(RG.developmentArea)) if s in ids]
    _insert_docs(db, ids, labels, kinds, phases, areas, texts)
    db.execute("INSERT INTO vocab SELECT token, COUNT(DISTINCT doc) FROM posting GROUP BY token")
    # the labels of the kinds, areas and phases that results show
    wanted = sorted({k for k in kinds.values() if k} | {a for _, a in areas} | {p for p, _ in phases.values()})
    term_labels = _labels(engine, wanted)
    db.executemany("INSERT INTO term VALUES (?, ?, ?)",
                   ((v, _pick(term_labels.get(v, {}), "da"), _pick(term_labels.get(v, {}), "en")) for v in wanted))
    db.execute("CREATE INDEX doc_area_doc ON doc_area (doc)")
    db.execute("CREATE INDEX field_text_doc ON field_text (doc)")
    db.execute("INSERT INTO meta VALUES ('version', ?), ('documents', ?)", (VERSION, str(len(ids))))
    db.commit()
    if temporary is None:
        return db
    db.close()
    os.replace(temporary, target)
    return connect(target)


def _insert_docs(db, ids: dict, labels: dict, kinds: dict, phases: dict, areas: list, texts: list) -> None:
    """The documents' rows: label, kind and latest phase; areas; texts shown beside hits."""
    db.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ((number, value, kinds.get(value), _pick(labels.get(number, {}), "da"),
                     _pick(labels.get(number, {}), "en"), *phases.get(value, (None, None)))
                    for value, number in ids.items()))
    db.executemany("INSERT INTO doc_area VALUES (?, ?)", areas)
    db.executemany("INSERT INTO field_text VALUES (?, ?, ?)", texts)


def _take(number: int, field_no: int, value, labels: dict, texts: list, postings: list) -> None:
    """One literal of a field into its document: the label, the text shown beside a
    hit, and a posting per word."""
    if field_no == 0:
        labels.setdefault(number, {}).setdefault(value.language or "", value.value)
    elif field_no in SHOWN_FIELDS:
        texts.append((number, field_no, value.value[:300]))
    for token in set(tokens(value.value)):
        postings.append((token, field_no, number))


def derive(old: Path, target: Path, engine, subjects) -> None:
    """The index at ``target`` made from the index at ``old`` for a graph that
    differs from the old one only around ``subjects`` (an entry saved from a form:
    the IRIs its triples name): their documents are read again from ``engine``, the
    postings and word counts they touch are mended; the rest is copied."""
    import shutil

    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(old, temporary)
    try:
        db = sqlite3.connect(str(temporary))
        db.execute("PRAGMA journal_mode=OFF")
        _refresh(db, engine, sorted(s for s in set(subjects) if s.startswith(str(ID))))
        db.commit()
        db.close()
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _refresh(db: sqlite3.Connection, engine, subjects: list[str]) -> None:
    import pyoxigraph as ox

    from .terms import iri

    if not subjects:
        return
    touched: set[str] = set()
    known = {}
    for value in subjects:
        row = db.execute("SELECT id FROM doc WHERE iri = ?", (value,)).fetchone()
        if row is None:
            continue
        number = known[value] = row[0]
        words = db.execute("SELECT words FROM doc_words WHERE doc = ?", (number,)).fetchone()
        for pair in (words[0].split() if words and words[0] else []):
            field_no, token = pair.split(":", 1)
            db.execute("DELETE FROM posting WHERE token = ? AND field = ? AND doc = ?", (token, int(field_no), number))
            touched.add(token)
        for table in ("doc_words", "doc_area", "field_text"):
            db.execute(f"DELETE FROM {table} WHERE doc = ?", (number,))
        db.execute("DELETE FROM doc WHERE id = ?", (number,))
    # the subjects' documents as build() makes them
    next_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM doc").fetchone()[0] or 0) + 1
    labels: dict[str, dict[str, str]] = {}
    postings, texts, ids = [], [], {}
    rows = engine.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": [iri(v) for v in subjects]}).rows
    for subject, prop, value in sorted(rows, key=lambda r: (_FIELD_OF.get(r[1].value, 99), str(r[0]), str(r[2]))):
        field_no = _FIELD_OF.get(prop.value)
        if field_no is None or not isinstance(value, ox.Literal):
            continue
        number = ids.get(subject.value)
        if number is None:
            number = ids[subject.value] = known.get(subject.value) or next_id
            if number == next_id:
                next_id += 1
        _take(number, field_no, value, labels, texts, postings)
    touched.update(token for token, _, _ in postings)
    db.executemany("INSERT OR IGNORE INTO posting VALUES (?, ?, ?)", postings)
    for number in ids.values():
        found = sorted({(f, t) for t, f, n in postings if n == number})
        db.execute("INSERT INTO doc_words VALUES (?, ?)", (number, " ".join(f"{f}:{t}" for f, t in found)))
    kinds = _kinds_of(engine, list(ids))
    phases = {}
    for initiative, phase, day in engine.query(
            "SELECT ?i ?phase ?day WHERE { ?r rg:statusOf ?i ; rg:phase ?phase ; rg:asOf ?day }",
            {"i": [iri(v) for v in ids]}).rows:
        if initiative.value not in phases or day.value > phases[initiative.value][1]:
            phases[initiative.value] = (phase.value, day.value)
    areas = [(ids[s.value], a.value) for s, a in engine.query(
        "SELECT ?s ?a WHERE { ?s rg:developmentArea ?a }", {"s": [iri(v) for v in ids]}).rows]
    _insert_docs(db, ids, labels, kinds, phases, areas, texts)
    for token in touched:
        count = db.execute("SELECT COUNT(DISTINCT doc) FROM posting WHERE token = ?", (token,)).fetchone()[0]
        if count:
            db.execute("INSERT OR REPLACE INTO vocab VALUES (?, ?)", (token, count))
        else:
            db.execute("DELETE FROM vocab WHERE token = ?", (token,))
    wanted = sorted({k for k in kinds.values() if k} | {a for _, a in areas} | {p for p, _ in phases.values()})
    have = {row[0] for row in db.execute(f"SELECT iri FROM term WHERE iri IN ({','.join('?' * len(wanted))})",
                                         wanted)} if wanted else set()
    term_labels = _labels(engine, [w for w in wanted if w not in have])
    db.executemany("INSERT INTO term VALUES (?, ?, ?)",
                   ((v, _pick(term_labels.get(v, {}), "da"), _pick(term_labels.get(v, {}), "en"))
                    for v in wanted if v not in have))
    db.execute("UPDATE meta SET value = (SELECT COUNT(*) FROM doc) WHERE key = 'documents'")


def _kinds_of(engine, subjects: list[str]) -> dict[str, str]:
    """_kinds for a few resources, asked of the engine instead of read from every type."""
    from .terms import iri

    rows = engine.query("SELECT ?s ?c WHERE { ?s a ?c }", {"s": [iri(v) for v in subjects]}).rows
    return _most_specific(((s.value, c.value) for s, c in rows), _ranker(engine))


def _pairs(engine, prop: str):
    """(subject IRI, object term) of every triple with this property: read straight
    from an Oxigraph store's index (no query to plan), else asked of the server."""
    from .terms import iri

    store = getattr(engine, "store", None)
    if store is not None:
        import pyoxigraph as ox

        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            if isinstance(quad.subject, ox.NamedNode):
                yield quad.subject.value, quad.object
        return
    for subject, value in engine.query("SELECT ?s ?o WHERE { ?s ?p ?o FILTER (isIRI(?s)) }",
                                       {"p": iri(prop)}).rows:
        yield subject.value, value


def _labels(engine, values: list[str]) -> dict[str, dict[str, str]]:
    from .terms import iri

    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(values), 500):
        for subject, label in engine.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
                                           {"s": [iri(v) for v in values[start:start + 500]]}).rows:
            found.setdefault(subject.value, {}).setdefault(label.language or "", label.value)
    return found


def _pick(labels: dict[str, str], lang: str) -> str | None:
    for key in (lang, "da", "en", ""):
        if key in labels:
            return labels[key]
    return next(iter(labels.values()), None)


def _ranker(engine):
    """How specific a class is: its depth under rdfs:subClassOf, our own classes before
    the W3C ones they refine (a Kommune, not an Organisation)."""
    parents: dict[str, set[str]] = {}
    for sub, sup in engine.query("SELECT ?a ?b WHERE { ?a rdfs:subClassOf ?b FILTER (isIRI(?b)) }").rows:
        parents.setdefault(sub.value, set()).add(sup.value)

    def depth(cls: str, seen=()) -> int:
        return 1 + max((depth(p, (*seen, cls)) for p in parents.get(cls, ()) if p not in seen), default=0)

    ranks: dict[str, tuple[int, str]] = {}

    def rank(cls: str) -> tuple[int, str]:
        if cls not in ranks:
            ranks[cls] = (depth(cls) + (1 if cls.startswith(str(RG)) else 0), cls)
        return ranks[cls]

    return rank


def _most_specific(pairs, rank) -> dict[str, str]:
    best: dict[str, tuple[int, str]] = {}
    for subject, cls in pairs:
        found = rank(cls)
        if subject not in best or found > best[subject]:
            best[subject] = found
    return {subject: cls for subject, (_, cls) in best.items()}


def _kinds(engine, ids: dict[str, int]) -> dict[str, str]:
    """The most specific class of each resource of ours (a Kommune, not an Organisation)."""
    return _most_specific(((s, c.value) for s, c in _pairs(engine, str(RDF.type)) if s in ids), _ranker(engine))


def _latest_phases(engine) -> dict[str, tuple[str, str]]:
    """Each initiative's phase in its latest status report, and that report's date."""
    of = {report: value.value for report, value in _pairs(engine, str(RG.statusOf))}
    phase = {report: value.value for report, value in _pairs(engine, str(RG.phase))}
    latest: dict[str, tuple[str, str]] = {}
    for report, day in _pairs(engine, str(RG.asOf)):
        initiative = of.get(report)
        if initiative is None or report not in phase:
            continue
        if initiative not in latest or day.value > latest[initiative][1]:
            latest[initiative] = (phase[report], day.value)
    return latest


def connect(path: Path) -> sqlite3.Connection:
    """An index file, opened read-only."""
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False)
    return db


def ensure_index(folder: Path, engine) -> Path:
    """The index file of an on-disk store's folder, built now if the store was built
    before search existed (under the cache's lock, written then renamed)."""
    from .store import _locked

    path = Path(folder) / INDEX_FILE
    if _current(path):
        return path
    with _locked(Path(folder).parent / ".lock"):
        if not _current(path):
            started = time.monotonic()
            if sys.stderr.isatty():
                print("rammegraf: bygger søgeindekset (building the search index) …", file=sys.stderr, flush=True)
            build(engine, path).close()
            if sys.stderr.isatty():
                print(f"rammegraf: søgeindekset er bygget på {time.monotonic() - started:.1f} s "
                      "(the search index is built)", file=sys.stderr, flush=True)
    return path


def _current(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        db = connect(path)
        try:
            return db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == (VERSION,)
        finally:
            db.close()
    except sqlite3.Error:
        return False


def built_index(engine) -> Path | None:
    """The engine's search index file when one is built and current (the server's, or the
    one beside its on-disk store), else None; never builds one."""
    for path in (getattr(engine, "index_path", None),
                 Path(engine.folder) / INDEX_FILE if getattr(engine, "folder", None) is not None else None):
        if path is not None and _current(Path(path)):
            return Path(path)
    from .servercopy import usable

    return usable(engine, INDEX_FILE, _current)   # a SPARQL server's, while its pages are kept


def read_labels(path: Path, lang: str, wanted: list[str] | None = None) -> dict[str, str | None]:
    """Every resource of ours (``…/id/…``) the index holds, or those of ``wanted``, with its
    label in ``lang`` ("da" or "en"; the other language, else none, where it has none), as
    the index was built: one read of a table, where the store reads each label's two terms
    from disk. The wanted IRIs go into a temporary table the read joins (15,000 of 167,000
    at 1M in 0.07 s, where the whole table took 0.23 s)."""
    column = {"da": "label_da", "en": "label_en"}[lang]
    db = connect(path)
    try:
        if wanted is None:
            return dict(db.execute(f"SELECT iri, {column} FROM doc"))
        db.execute("CREATE TEMP TABLE wanted (iri TEXT PRIMARY KEY) WITHOUT ROWID")
        db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((value,) for value in wanted))
        return dict(db.execute(f"SELECT doc.iri, doc.{column} FROM doc JOIN wanted ON wanted.iri = doc.iri"))
    finally:
        db.close()


def open_index(engine) -> Index:
    """The index for an engine: the file beside its on-disk store, a SPARQL server's copy
    while its pages are kept (``servercopy``), else built in memory."""
    built = getattr(engine, "index_path", None)
    if built is not None and _current(Path(built)):
        return Index(connect(Path(built)))
    folder = getattr(engine, "folder", None)
    if folder is not None:
        return Index(connect(ensure_index(folder, engine)))
    copy = server_copy(engine)
    if copy is not None:
        return Index(connect(copy))
    return Index(build(engine))


def server_copy(engine) -> Path | None:
    """A SPARQL server's index in the cache (read from it again once older than the keep),
    or None when the engine keeps no copies (``servercopy``)."""
    from .servercopy import copied

    return copied(engine, INDEX_FILE, _current, lambda path: build(engine, path).close())


# ---------------------------------------------------------------------------
# Searching
# ---------------------------------------------------------------------------

@dataclass
class Hit:
    iri: str
    label: str
    kind: str | None
    kind_label: str
    areas: list[str]
    phase: str | None
    phase_label: str | None
    phase_date: str | None
    score: float
    matched: str = ""            # the field that matched when it is not the name: "notation: § 108"

    @property
    def path(self) -> str | None:
        return self.iri[len(str(ID)):] if self.iri.startswith(str(ID)) else None


@dataclass
class Group:
    kind: str | None
    label: str
    hits: list[Hit] = field(default_factory=list)


class Index:
    """A search index (a SQLite database) and the vocabulary it matches slips against."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._vocabulary: list[str] | None = None
        self.capped = False      # the last search read only the best CAP postings of its first word
        self.documents = int(db.execute("SELECT value FROM meta WHERE key = 'documents'").fetchone()[0])

    @property
    def vocabulary(self) -> list[str]:
        if self._vocabulary is None:
            self._vocabulary = [t for (t,) in self.db.execute("SELECT token FROM vocab")]
        return self._vocabulary

    def words(self, query: str) -> list[str]:
        """The words of a query that must match (stop words dropped unless they are all there is)."""
        found = list(dict.fromkeys(_TOKEN.findall(fold(query[:MAX_QUERY]))))[:MAX_WORDS]
        kept = [w for w in found if w not in STOP_WORDS]
        return kept or found

    def matches(self, word: str) -> dict[str, float]:
        """The index's words that a query word matches, with how much each counts."""
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        found: dict[str, float] = {}
        if self.db.execute("SELECT 1 FROM vocab WHERE token = ?", (word,)).fetchone():
            found[word] = EXACT
        if len(word) >= 2 or word.isdigit():
            for (token,) in self.db.execute("SELECT token FROM vocab WHERE token > ? AND token < ? "
                                            "ORDER BY docs DESC LIMIT 300", (word, word + "\uffff")):
                found.setdefault(token, PREFIX)
        if len(word) >= 4 and not word.isdigit():
            allowed = 2 if len(word) >= 8 else 1
            for token, distance, _ in extract(word, self.vocabulary, scorer=OSA.distance,
                                              score_cutoff=allowed, limit=50):
                found.setdefault(token, SLIP - 0.1 * (distance - 1))
            # a slip in the part typed so far: "botilbd" → "botilbudsteams"
            for (token,) in self.db.execute("SELECT token FROM vocab WHERE token > ? AND token < ? LIMIT 2000",
                                            (word[:3], word[:3] + "\uffff")):
                if token not in found and len(token) > len(word) and \
                        OSA.distance(word, token[:len(word)], score_cutoff=allowed) <= allowed:
                    found[token] = SLIPPED_PREFIX
        return found

    def search(self, query: str, *, lang: str = "da", limit: int = 50, kinds: list[str] | None = None) -> list[Hit]:
        """The best ``limit`` resources for the query, best first.

        The word that matches fewest resources is read from the index (at most CAP
        postings, best fields first); every other word is then checked against the
        words of those resources only."""
        words = self.words(query)
        if not words:
            return []
        matched = {word: self.matches(word) for word in words}
        if not all(matched.values()):
            return []
        size = {word: self._size(found) for word, found in matched.items()}
        first, *others = sorted(words, key=lambda w: size[w])
        scores: dict[int, float] = {}
        fields: dict[int, int] = {}
        read = 0
        for token, quality in sorted(matched[first].items(), key=lambda item: -item[1]):
            for field_no, doc in self.db.execute("SELECT field, doc FROM posting WHERE token = ?", (token,)):
                value = quality * FIELDS[field_no][1]
                if value > scores.get(doc, 0.0):
                    scores[doc], fields[doc] = value, field_no
                read += 1
                if read >= CAP:
                    break
            if read >= CAP:
                break
        if others and scores:
            scores = self._all_words(scores, [matched[w] for w in others])
        self.capped = read >= CAP
        return self._hits(scores, fields, words, lang=lang, limit=limit, kinds=kinds)

    def _size(self, found: dict[str, float]) -> int:
        marks = ",".join("?" * len(found))
        return self.db.execute(f"SELECT COALESCE(SUM(docs), 0) FROM vocab WHERE token IN ({marks})",
                               list(found)).fetchone()[0]

    def _all_words(self, scores: dict[int, float], others: list[dict[str, float]]) -> dict[int, float]:
        """The resources among ``scores`` whose words match every other query word, scored."""
        kept: dict[int, float] = {}
        docs = list(scores)
        for start in range(0, len(docs), 5000):
            chunk = ",".join(str(d) for d in docs[start:start + 5000])  # our own integers
            for doc, text in self.db.execute(f"SELECT doc, words FROM doc_words WHERE doc IN ({chunk})"):
                best = [0.0] * len(others)
                for entry in text.split():
                    field_no, token = entry.split(":", 1)
                    for position, found in enumerate(others):
                        quality = found.get(token)
                        if quality is not None:
                            best[position] = max(best[position], quality * FIELDS[int(field_no)][1])
                if all(best):
                    kept[doc] = scores[doc] + sum(best)
        return kept

    def _hits(self, scores, fields, words, *, lang, limit, kinds) -> list[Hit]:
        column = "label_en" if lang == "en" else "label_da"
        wanted = set(kinds or ())
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        hits: list[Hit] = []
        terms: dict[str, str] = {}

        def term(value: str | None) -> str:
            if value is None:
                return ""
            if value not in terms:
                row = self.db.execute(f"SELECT {column}, label_da FROM term WHERE iri = ?", (value,)).fetchone()
                terms[value] = (row[0] or row[1]) if row else value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            return terms[value]

        for position in range(0, len(ranked), 200):
            chunk = ranked[position:position + 200]
            rows = {row[0]: row for row in self.db.execute(
                f"SELECT id, iri, kind, {column}, label_da, phase, phase_date FROM doc WHERE id IN "
                f"({','.join(str(d) for d, _ in chunk)})")}
            for doc, score in chunk:
                number, value, kind, label, label_da, phase, phase_date = rows[doc]
                if wanted and kind not in wanted and term(kind).casefold() not in wanted:
                    continue
                label = label or label_da or value
                score *= KIND_WEIGHT.get(kind, 1.0)
                # a whole label that is the query counts most
                if " ".join(tokens(label)) == " ".join(words):
                    score *= 1.5
                areas = [term(a) for (a,) in self.db.execute("SELECT area FROM doc_area WHERE doc = ?", (doc,))]
                matched = ""
                field_no = fields.get(doc, 0)
                if field_no != 0:
                    found = self.db.execute("SELECT text FROM field_text WHERE doc = ? AND field = ? LIMIT 1",
                                            (doc, field_no)).fetchone()
                    name = FIELDS[field_no][3 if lang == "en" else 2]
                    matched = f"{name}: {_snippet(found[0], words)}" if found else name
                hits.append(Hit(iri=value, label=label, kind=kind, kind_label=term(kind), areas=sorted(areas),
                                phase=phase, phase_label=term(phase) if phase else None, phase_date=phase_date,
                                score=round(score, 3), matched=matched))
            if len(hits) >= limit * 2:
                break
        hits.sort(key=lambda h: (-h.score, h.label.casefold()))
        return hits[:limit]


def grouped(hits: list[Hit]) -> list[Group]:
    """Hits by kind, the kind with the best hit first; within a kind, best first."""
    groups: dict[str | None, Group] = {}
    for hit in hits:
        groups.setdefault(hit.kind, Group(hit.kind, hit.kind_label)).hits.append(hit)
    return list(groups.values())


def _snippet(value: str, words: list[str], width: int = 90) -> str:
    """The part of a longer text around the first matched word."""
    if len(value) <= width:
        return value
    folded = fold(value)
    at = min((folded.find(w) for w in words if folded.find(w) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = value[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(value) else "")
