"""Derived facts: what the front page, /frister, /runder and the status report need
of every milestone and status report, read once and kept beside the store.

A milestone's state as of a date (``rounds.milestone_states``), the members of a
round and who is parked all rest on a few facts that do not depend on the date
asked about: each milestone's interval, the initiatives it belongs to, who is
responsible, every report that could show it reached (with its date), and each
status report's initiative, date, phase and source. ``compute`` reads them
set-at-a-time, one property at a time straight from the store's index, where asking
per milestone and per date took 10–20 s at a million triples; the date is applied in
Python. At 1M triples computing them takes about 10 s and 200 MB, at 10M about 3–4
minutes and 1.2 GB, nearly all of it the on-disk store decoding the terms it hands
over (``benchmarks/README.md``, "Derived facts").

Kept with the store: an on-disk store's folder holds ``facts.sqlite`` beside its
search index, built when the store is first opened for pages (``ensure_facts``)
and, when an entry is saved, made from the old store's file by the change
(``derive``): the keys the changed triples can reach are read again, the rest is
copied. A store is made for one version of the data, so the file is never stale;
``tests/test_facts.py`` holds a mended file equal to a fresh computation after a
save, an edit and a round import. An in-memory store computes its facts once per
engine (data a server holds in memory: once by the server, into the cache beside
the search index it builds, and read by every worker); a remote server's are read
once into the cache for every worker while its pages are kept (``servercopy``), else
again after ``REMOTE_TTL`` seconds.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from .namespaces import DCTERMS, PROV, RDF, RG, XSD

FACTS_FILE = "facts.sqlite"
FACTS_VERSION = "3"   # the tables' layout and indexes (a file of another version is computed again)
REMOTE_TTL = 5.0     # seconds a remote server's facts are reused (one page's job)
CHUNK = 400          # IRIs per lookup on a remote server

TYPE = str(RDF.type)
MILESTONE, INITIATIVE, ROUND = str(RG.Milestone), str(RG.Initiative), str(RG.StatusRound)
OWN_LINKS = {str(RG.hasMilestone): True, str(RG.dependsOn): False}
PARENT_LINKS = (str(RG.hasTask), str(RG.hasDecisionPoint))
STARTED = {str(RG.InProgress), str(RG.Implementing), str(RG.Implemented)}
P = {name: str(getattr(RG, name)) for name in
     ("dateText", "earliest", "latest", "responsible", "reached", "asOf", "statusOf", "phase",
      "startOf", "deadlineOf")}
SOURCE, DATE = str(PROV.wasDerivedFrom), str(DCTERMS.date)
XSD_DATE = str(XSD.date)


@dataclass
class Facts:
    """The derived facts, each table keyed by the resource its rows are about.

    - ``milestones``: milestone → {(date text, earliest, latest)}, the interval's two
      ends as written (``xsd:date`` text); every rg:Milestone with all three.
    - ``owners``: milestone → {(initiative, own)}: an initiative whose milestone it is
      (own, rg:hasMilestone) or that waits for it (rg:dependsOn), directly or through
      its task or decision point.
    - ``responsible``: milestone → {actor}.
    - ``candidates``: milestone → {(how, day, phase, report, source, initiative, subject)}:
      every report that shows it reached, whatever its date ("reported", "started",
      "task"; see ``rounds.HOW``); phase is the local name for a start, else "".
    - ``reports``: status report → {(initiative, day, phase, source)} (rg:statusOf;
      day ISO or None, phase and source IRIs or None).
    - ``rounds``: status round → {day}.
    - ``sources``: milestone → {(date text, latest, day)}: every rg:Milestone with its date
      text and latest day (each None when missing) and the date of each source it was read
      from (prov:wasDerivedFrom, dcterms:date; None when none): when it was first reported,
      for ``rounds.changes``.
    """

    milestones: dict = field(default_factory=dict)
    owners: dict = field(default_factory=dict)
    responsible: dict = field(default_factory=dict)
    candidates: dict = field(default_factory=dict)
    reports: dict = field(default_factory=dict)
    rounds: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)

    TABLES = ("milestones", "owners", "responsible", "candidates", "reports", "rounds", "sources")
    BY_MILESTONE = ("milestones", "owners", "responsible", "candidates", "sources")

    def tables(self) -> Iterable[tuple[str, dict]]:
        return ((name, getattr(self, name)) for name in self.TABLES)

    # --- what the pages ask ------------------------------------------------------------
    def round_dates(self) -> list[date]:
        """The dates of the rounds with at least one status report, oldest first."""
        sourced = {source for rows in self.reports.values() for _, _, _, source in rows if source}
        return sorted({date.fromisoformat(day) for r, days in self.rounds.items() if r in sourced for day in days})

    def round_members(self, day: date) -> dict[str, str | None]:
        """Each initiative reported in the round of ``day``, to its phase IRI (or None)."""
        wanted = day.isoformat()
        rounds = {r for r, days in self.rounds.items() if wanted in days}
        members: dict[str, str | None] = {}
        for rows in self.reports.values():
            for initiative, _, phase, source in rows:
                if source in rounds and (members.get(initiative) is None):
                    members[initiative] = phase
        return members

    def reported_before(self, day: date) -> set[str]:
        """The initiatives with a status report dated before ``day``."""
        wanted = day.isoformat()
        return {i for rows in self.reports.values() for i, d, _, _ in rows if d is not None and d < wanted}

    def parked(self, as_of: date, initiatives: Iterable[str]) -> set[str]:
        """Those of ``initiatives`` whose latest status report on or before the date is Parked."""
        wanted, limit, parked = set(initiatives), as_of.isoformat(), str(RG.Parked)
        latest: dict[str, str] = {}
        phases: dict[tuple[str, str], bool] = {}
        for rows in self.reports.values():
            for initiative, day, phase, _ in rows:
                if initiative in wanted and day is not None and day <= limit:
                    if day > latest.get(initiative, ""):
                        latest[initiative] = day
                    if phase == parked:
                        phases[(initiative, day)] = True
        return {i for i, day in latest.items() if phases.get((i, day))}

    def evidence(self, as_of: date, milestones: Iterable[str] | None = None) -> dict[str, tuple]:
        """Each milestone reached as of the date to its first evidence (how, day, phase,
        report, source, initiative, subject): the earliest report, on the same day the
        most direct kind (``rounds.HOW``), then by IRI."""
        from .rounds import HOW

        limit = as_of.isoformat()
        best: dict[str, tuple] = {}
        keys = self.candidates.keys() if milestones is None else milestones
        for m in keys:
            found = [c for c in self.candidates.get(m, ()) if c[1] <= limit]
            if found:
                how, day, phase, report, source, of, subject = min(
                    found, key=lambda c: (c[1], HOW.index(c[0]), c[3], c[4] or "", c[5] or "", c[6] or ""))
                best[m] = (how, date.fromisoformat(day), phase, report, source, of, subject)
        return best


# --- reading the store ------------------------------------------------------------------
class _Reader:
    """(subject, object) pairs of one property, straight from an Oxigraph store's index
    (a scan, or a look-up per subject or object), else asked of the server."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.store = getattr(engine, "store", None)

    def pairs(self, prop: str, *, subjects: Iterable[str] | None = None,
              objects: Iterable[str] | None = None) -> Iterator[tuple[str, object]]:
        """The pairs one at a time, each look-up's as it is read: a look-up per subject of
        180,000 made all at once held 5 GB of open iterators at 10M triples. A subject's
        IRI is interned (the same report is read once per property)."""
        import pyoxigraph as ox

        p = ox.NamedNode(prop)
        if self.store is None:
            yield from self._remote(p, subjects, objects)
            return
        store, named, default, intern = self.store, ox.NamedNode, ox.DefaultGraph(), sys.intern
        if subjects is None and objects is None:
            # a whole property by SPARQL: each pair then decodes its subject and object only,
            # where a quad decodes its predicate too (at 10M the store reads every term
            # it decodes from its own table, 10-40 µs a term)
            for s, o in store.query(f"SELECT ?s ?o WHERE {{ ?s {p} ?o }}", default_graph=default, named_graphs=[]):
                if isinstance(s, named):
                    yield intern(s.value), o
            return
        if subjects is not None:
            patterns = ((named(s), None) for s in subjects)
        else:
            patterns = ((None, named(o)) for o in objects)
        for s, o in patterns:
            for quad in store.quads_for_pattern(s, p, o, default):
                if isinstance(quad.subject, named):
                    yield intern(quad.subject.value), quad.object

    def _remote(self, p, subjects, objects) -> list[tuple[str, object]]:
        import pyoxigraph as ox

        query = "SELECT ?s ?o WHERE { ?s ?p ?o FILTER (isIRI(?s)) }"
        if subjects is None and objects is None:
            return [(s.value, o) for s, o in self.engine.query(query, {"p": p}).rows]
        name, items = ("s", sorted(subjects)) if subjects is not None else ("o", sorted(objects))
        out = []
        for start in range(0, len(items), CHUNK):
            part = [ox.NamedNode(v) for v in items[start:start + CHUNK]]
            out += [(s.value, o) for s, o in self.engine.query(query, {"p": p, name: part}).rows]
        return out

    def typed(self, cls: str, among: Iterable[str] | None = None) -> set[str]:
        if among is None and self.store is not None:
            import pyoxigraph as ox

            found = self.store.query(f"SELECT ?s WHERE {{ ?s <{TYPE}> {ox.NamedNode(cls)} }}",
                                     default_graph=ox.DefaultGraph(), named_graphs=[])
            return {sys.intern(s.value) for (s,) in found if isinstance(s, ox.NamedNode)}
        if among is None:
            return {s for s, _ in self.pairs(TYPE, objects=[cls])}
        return {s for s, o in self.pairs(TYPE, subjects=among) if getattr(o, "value", None) == cls}

    def values(self, prop: str, convert, keys: set | None = None, keep: set | None = None) -> dict[str, list]:
        """subject → [convert(object)] of ``prop``: looked up per subject of ``keys``, else
        scanned whole; only the subjects in ``keep`` (or ``keys``) kept."""
        found = self.pairs(prop, subjects=keys) if keys is not None else self.pairs(prop)
        return _grouped(((s, convert(o)) for s, o in found), keep if keep is not None else keys)


# A term as the plain value a fact holds (strings interned: an initiative, a phase, a
# source or a day stands in many rows, and a report's IRI in several tables).
def _iri(term) -> str | None:
    import pyoxigraph as ox

    return sys.intern(term.value) if isinstance(term, ox.NamedNode) else None


def _text(term) -> str:
    return sys.intern(term.value)


def _day(term) -> str | None:
    """The xsd:date's ISO day (``terms.value`` made a date of it), else None."""
    import pyoxigraph as ox

    if isinstance(term, ox.Literal) and term.datatype.value == XSD_DATE:
        return _iso(term.value)
    return None


@lru_cache(maxsize=1 << 16)
def _iso(lexical: str) -> str | None:
    try:
        return sys.intern(date.fromisoformat(lexical).isoformat())
    except ValueError:
        return None


def _grouped(pairs, keep=None) -> dict[str, list]:
    out: dict[str, list] = {}
    for s, o in pairs:
        if keep is None or s in keep:
            found = out.get(s)
            if found is None:
                out[s] = [o]
            else:
                found.append(o)
    return out


_NONE = (None,)
_REPORT_PROPS = (P["statusOf"], P["asOf"], P["phase"], SOURCE)
_REPORT_VALUES = (_iri, _day, _iri, _iri)


class _Many(list):
    """The values of a subject that has more than one (``_singles``)."""


def _put(out: dict, s: str, value) -> None:
    """``value`` added to the subject's values in ``out``: the value itself while it is the
    only one (a list for each of 900,000 reports in four maps took 300 MB at 10M)."""
    found = out.get(s, _Many)
    if found is _Many:
        out[s] = value
    elif type(found) is _Many:
        found.append(value)
    else:
        out[s] = _Many((found, value))


def _all(found: dict, s: str) -> Iterable:
    """The subject's values in a map made by ``_put``; (None,) when it has none."""
    value = found.get(s, _Many)
    return _NONE if value is _Many else value if type(value) is _Many else (value,)


def _singles(pairs, keep=None) -> dict:
    out: dict = {}
    for s, o in pairs:
        if keep is None or s in keep:
            _put(out, s, o)
    return out


def _report_props(read: _Reader, keys: set | None) -> tuple[dict, dict, dict, dict]:
    """report → initiative, day, phase, source (``_put``: IRIs and ISO days; None for a
    term of another kind) of the reports ``keys``, or of every subject when None."""
    if keys is not None and not keys:
        return {}, {}, {}, {}
    return tuple(_singles(((s, convert(o)) for s, o in read.pairs(p, subjects=keys)), keys)
                 for p, convert in zip(_REPORT_PROPS, _REPORT_VALUES))


def _rows(r: str, props: tuple[dict, dict, dict, dict]) -> set[tuple]:
    """The report's (initiative, day, phase, source) rows: every combination of its values,
    None for a property it lacks."""
    ofs, days, phases, sources = props
    return {(i, d, p, s) for i in _all(ofs, r) for d in _all(days, r) for p in _all(phases, r)
            for s in _all(sources, r)}


def compute(engine, *, milestones: Iterable[str] | None = None, reports: Iterable[str] | None = None,
            rounds: Iterable[str] | None = None) -> Facts:
    """The facts of the graph (``engine``), all of them; or, given keys, only the rows
    of those milestones, reports and rounds (what ``derive`` reads again).

    Read one property at a time (a scan, or a look-up per key) into plain strings, each map
    dropped when its table is made. At 10M triples the time is the store's decoding of the
    terms handed over, so each is read once: a milestone's sources come from the same scan
    of prov:wasDerivedFrom as the reports'. (Whole-graph term objects held at once took
    15 GB there, and Oxigraph's hash join of the reports' four properties 1.2 GB.)"""
    read = _Reader(engine)
    whole = milestones is None
    facts = Facts()
    ms = read.typed(MILESTONE, None if whole else set(milestones))
    scope = None if whole else ms

    # the intervals
    texts, firsts, lasts = (read.values(P[n], _text, scope, ms) for n in ("dateText", "earliest", "latest"))
    for m in ms:
        rows = {(t, e, l) for t in texts.get(m, ()) for e in firsts.get(m, ()) for l in lasts.get(m, ())}
        if rows:
            facts.milestones[m] = rows
    del firsts
    # the owners
    links = [(owner, _iri(m), own) for prop, own in OWN_LINKS.items()
             for owner, m in read.pairs(prop, objects=scope)]
    links = [(owner, m, own) for owner, m, own in links if m in ms]
    holders = {owner for owner, _, _ in links}
    initiatives = read.typed(INITIATIVE, None if whole else holders)
    parents: dict[str, set] = {}
    for prop in PARENT_LINKS:
        for initiative, owner in read.pairs(prop, objects=None if whole else holders):
            if _iri(owner) in holders:
                parents.setdefault(_iri(owner), set()).add(initiative)
    for owner, m, own in links:
        for initiative in ({owner} if owner in initiatives else set()) | parents.get(owner, set()):
            facts.owners.setdefault(m, set()).add((initiative, own))
    del links, parents, initiatives
    # who is responsible
    for m, actors in read.values(P["responsible"], _text, scope, ms).items():
        facts.responsible[m] = set(actors)
    # what could show each reached: the reports that say so, start, and reach a task
    reached = [(r, _iri(m)) for r, m in read.pairs(P["reached"], objects=scope)]
    starts = [(m, _iri(s)) for m, s in read.pairs(P["startOf"], subjects=scope) if m in ms]
    deadlines = [(m, _iri(t)) for m, t in read.pairs(P["deadlineOf"], subjects=scope) if m in ms]
    of_subject: dict[str, set] = {}     # subject → its status reports
    read_from: dict[str, list] = {}     # milestone → the sources it was read from
    if whole:   # every status report's properties, a scan each
        reached_by = _grouped((m, r) for r, m in reached)
        direct = {r for r, m in reached if m in ms} | {r for _, t in deadlines for r in reached_by.get(t, ())}
        subjects = {s for _, s in starts}
        ofs = _singles((r, _iri(i)) for r, i in read.pairs(P["statusOf"]))
        wanted = ofs.keys() | direct
        days = _singles(((r, _day(d)) for r, d in read.pairs(P["asOf"])), wanted)
        phases = _singles(((r, _iri(p)) for r, p in read.pairs(P["phase"])), wanted)
        sources: dict = {}
        for s, o in read.pairs(SOURCE):
            if s in wanted:
                _put(sources, s, _iri(o))
            if s in ms:
                src = _iri(o)
                if src:
                    read_from.setdefault(s, []).append(src)
        props = (ofs, days, phases, sources)
        table: dict[str, set] = {}
        for r in ofs:
            for i in _all(ofs, r):
                if i in subjects:
                    of_subject.setdefault(i, set()).add(r)
            rows = _rows(r, props)
            mine = {row for row in rows if row[0] is not None}
            if mine:
                table[r] = mine
        # a report that reaches something without being a status report is looked up on its own
        alone = {r for r in direct if r not in ofs}
        others = _report_props(read, alone)
        found = {r: _rows(r, others if r in alone else props)
                 for r in direct | {r for found_ in of_subject.values() for r in found_}}
        if reports is None:
            facts.reports = table
        del ofs, days, phases, sources, props, table, wanted
    else:
        subjects = {s for _, s in starts if s}
        tasks = {t for _, t in deadlines if t}
        for r, s in read.pairs(P["statusOf"], objects=subjects):
            of_subject.setdefault(_iri(s), set()).add(r)
        reached_by = _grouped((_iri(t), r) for r, t in read.pairs(P["reached"], objects=tasks))
        involved = {r for r, m in reached if m in ms} | {r for _, s in starts for r in of_subject.get(s, ())} \
            | {r for _, t in deadlines for r in reached_by.get(t, ())}
        props = _report_props(read, involved)
        found = {r: _rows(r, props) for r in involved}
        for m, t in read.pairs(SOURCE, subjects=ms):
            src = _iri(t)
            if src:
                read_from.setdefault(m, []).append(src)

    def add(m, how, r, subject=None, phase=""):
        for of, day, _, source in found.get(r, ()):
            if day is not None:
                facts.candidates.setdefault(m, set()).add((how, day, phase, r, source, of, subject))

    for r, m in reached:
        if m in ms:
            add(m, "reported", r)
    for m, s in starts:
        for r in of_subject.get(s, ()):
            for phase in {row[2] for row in found.get(r, ())}:
                if phase in STARTED:
                    add(m, "started", r, subject=s, phase=phase.rsplit("#", 1)[-1])
    for m, t in deadlines:
        for r in reached_by.get(t, ()):
            add(m, "task", r, subject=t)
    del found, of_subject
    # the date text, the latest day and the dates of the sources it was read from
    dated = read.values(DATE, _day, {src for found_ in read_from.values() for src in found_})
    for m in ms:
        whens = [d for src in read_from.get(m, ()) for d in dated.get(src, ())] or [None]
        facts.sources[m] = {(t, e, w) for t in texts.get(m, _NONE) for e in lasts.get(m, _NONE) for w in whens}
    del texts, lasts, read_from, dated
    # the status reports
    if not (whole and reports is None):
        props = _report_props(read, None if reports is None else set(reports))
        for r in props[0]:
            rows = {row for row in _rows(r, props) if row[0] is not None}
            if rows:
                facts.reports[r] = rows
    # the rounds
    chosen = read.typed(ROUND, None if rounds is None else set(rounds))
    for r, found_days in read.values(DATE, _day, chosen if rounds is not None else None, chosen).items():
        days_of = {d for d in found_days if d}
        if days_of:
            facts.rounds[r] = days_of
    return facts


# --- mending after a change ------------------------------------------------------------------
def affected(engine, nodes: Iterable[str]) -> tuple[set, set, set]:
    """The milestones, reports and rounds whose rows a change naming ``nodes`` (the IRIs
    its added and removed triples name) can alter, read in the changed graph: the nodes
    themselves, what they own or wait for, what their reports reach, the milestones that
    start them or are their tasks' deadlines (``tests/test_facts.py`` takes out and puts
    back triples of every property the facts read, and each rule here is needed by one)."""
    read = _Reader(engine)
    nodes = set(nodes)
    ms = set(nodes)
    for prop in OWN_LINKS:
        ms |= {_iri(m) for _, m in read.pairs(prop, subjects=nodes)}
    reached = {_iri(m) for _, m in read.pairs(P["reached"], subjects=nodes)}
    subjects = nodes | {_iri(s) for _, s in read.pairs(P["statusOf"], subjects=nodes)}
    tasks = nodes | reached
    ms |= reached
    ms |= {m for m, _ in read.pairs(P["startOf"], objects={s for s in subjects if s})}
    ms |= {m for m, _ in read.pairs(P["deadlineOf"], objects={t for t in tasks if t})}
    ms |= {m for m, _ in read.pairs(SOURCE, objects=nodes)}     # a source's date: when they were reported
    # a report's rows are its own triples (a round's date is in the rounds table)
    return {m for m in ms if m}, set(nodes), set(nodes)


def mended(old: Facts, engine, nodes: Iterable[str]) -> Facts:
    """``old`` made true of the changed graph (``engine``): the rows of what the change
    can reach (``affected``) read again, the rest kept."""
    ms, reports, rounds = affected(engine, nodes)
    fresh = compute(engine, milestones=ms, reports=reports, rounds=rounds)
    out = Facts()
    for name, table in old.tables():
        gone = ms if name in Facts.BY_MILESTONE else reports if name == "reports" else rounds
        kept = {k: v for k, v in table.items() if k not in gone}
        kept.update(getattr(fresh, name))
        setattr(out, name, kept)
    return out


# --- kept beside the store ----------------------------------------------------------------------
_COLUMNS = "tab TEXT, key TEXT, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT"


def write(facts: Facts, path: Path) -> None:
    """The facts into a new SQLite file at ``path`` (a temporary file, then renamed)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(str(temporary))
        db.execute("PRAGMA journal_mode=OFF")
        db.execute(f"CREATE TABLE fact ({_COLUMNS})")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        for name, table in facts.tables():     # the rows as they are made (not a list of a table's)
            db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _flat(name, table))
        # a round's day and a report's source: what a command asks of the file without
        # reading every fact (round_dates, round_size); partial, so the file grows by the
        # reports alone (at 1M 53 → 61 MB, where both columns of every table made it 81 MB)
        db.execute("CREATE INDEX round_day ON fact (a) WHERE tab = 'rounds'")
        db.execute("CREATE INDEX report_source ON fact (d) WHERE tab = 'reports'")
        db.execute("INSERT INTO meta VALUES ('version', ?)", (FACTS_VERSION,))
        db.commit()
        db.close()
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _flat(name: str, table: dict) -> Iterator[tuple]:
    for key, found in table.items():
        for row in found:
            row = row if isinstance(row, tuple) else (row,)
            values = [int(v) if isinstance(v, bool) else v for v in row]
            yield (name, key, *values, *[None] * (7 - len(values)))


_WIDTH = {"milestones": 3, "owners": 2, "responsible": 1, "candidates": 7, "reports": 4, "rounds": 1,
          "sources": 3}


def current(path: Path) -> bool:
    """Whether ``path`` holds facts of this version (its meta row only: the tables are not read)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        found = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return bool(found) and found[0] == FACTS_VERSION
    except sqlite3.Error:
        return False
    finally:
        db.close()


def read(path: Path) -> Facts | None:
    """The facts kept at ``path``; None when the file is missing or of another version.

    Each value stands once in memory however many rows name it (an initiative, a phase,
    a day, a milestone's IRI in five tables), and the rows of a key (written together)
    are made into its set at once, with the cyclic garbage collector paused: at 10M
    triples it walked the millions of tuples again and again while they were made."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    paused = gc.isenabled()
    gc.disable()
    try:
        found = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if not found or found[0] != FACTS_VERSION:
            return None
        facts = Facts()
        same = {}.setdefault           # one string for each value
        for name, rows in groupby(db.execute("SELECT * FROM fact ORDER BY rowid"), itemgetter(0)):
            table, width = getattr(facts, name), _WIDTH[name]
            for key, group in groupby(rows, itemgetter(1)):
                if name == "owners":
                    made = {(same(a, a), bool(int(b))) for _, _, a, b, *_ in group}
                elif width == 1:
                    made = {same(a, a) for _, _, a, *_ in group}
                else:
                    made = {tuple([same(v, v) for v in row[2:2 + width]]) for row in group}
                key = same(key, key)
                if key in table:       # not written together: joined
                    table[key] |= made
                else:
                    table[key] = made
        return facts
    except sqlite3.Error:
        return None
    finally:
        if paused:
            gc.enable()
        db.close()


def ensure_facts(folder: Path, engine) -> Path:
    """The facts file of an on-disk store's folder, computed now if missing."""
    path = Path(folder) / FACTS_FILE
    if not current(path):
        write(compute(engine), path)
    return path


def derive(old: Path, target: Path, engine, nodes: Iterable[str]) -> bool:
    """The facts file at ``target`` (a new store's) made from ``old`` (the store it was
    derived from) by a change naming ``nodes``, unless ``target`` is current already. False
    when the old file cannot be read (then ``ensure_facts`` computes it whole)."""
    if current(target):
        return True
    before = read(old)
    if before is None:
        return False
    write(mended(before, engine, nodes), target)
    return True


# --- one engine's facts --------------------------------------------------------------------------
_LOCK = threading.Lock()
# facts files read in this process: path → (the file's mtime for a server's copy, else None; the facts)
_KEPT: dict[str, tuple[int | None, Facts]] = {}


def facts_of(engine) -> Facts:
    """The engine's facts: read from beside its on-disk store (computed and kept there
    first if missing), computed once for an in-memory store, read from the copy of a
    remote server's facts while its pages are kept (``servercopy``), else read again from
    the server after REMOTE_TTL seconds."""
    path = _file_of(engine)
    if path is not None:
        return _kept(path, None, lambda: _read_or_compute(engine, Path(path)))
    from . import servercopy

    made: list[Facts] = []

    def make(target: Path) -> None:
        made.append(compute(engine))
        write(made[-1], target)

    copy = servercopy.copied(engine, FACTS_FILE, current, make)
    if copy is None and made:
        return made[-1]    # read from the server, but the copy could not be written
    if copy is not None:
        try:
            stamp = copy.stat().st_mtime_ns
        except OSError:
            stamp = -1
        return _kept(str(copy), stamp, lambda: made[-1] if made else read(copy) or compute(engine))
    kept = getattr(engine, "_facts", None)
    size = _size(engine)
    if kept is not None and kept[1] == size and (size is not None or time.monotonic() - kept[2] < REMOTE_TTL):
        return kept[0]
    found = compute(engine)
    try:
        engine._facts = (found, size, time.monotonic())
    except AttributeError:
        pass
    return found


def _read_or_compute(engine, path: Path) -> Facts:
    found = read(path)
    if found is None:
        found = compute(engine)
        try:
            write(found, path)
        except OSError:
            pass   # a read-only cache: computed, not kept
    return found


def _kept(path: str, stamp: int | None, load) -> Facts:
    """The facts of the file at ``path`` (as of ``stamp``, its mtime, for a server's copy),
    loaded once in this process by ``load``."""
    with _LOCK:
        found = _KEPT.get(path)
    if found is not None and found[0] == stamp:
        return found[1]
    from .sandbox import allow_kept, data_size

    before = data_size()
    with _LOCK:
        _KEPT.clear()      # one store at a time in a process (a save makes a new one)
    facts = load()
    with _LOCK:
        _KEPT.clear()
        _KEPT[path] = (stamp, facts)
    after = data_size()
    if before is not None and after is not None:
        # kept for every job of a worker, so not counted against a job's memory cap
        allow_kept(after - before)
    return facts


def _file_of(engine) -> str | None:
    """Where a local engine's facts are kept: beside its on-disk store, or where the
    server put them for data it holds in memory; None for others."""
    folder = getattr(engine, "folder", None)
    kept_at = getattr(engine, "facts_path", None)     # data a server holds in memory: computed once by it
    if (folder is not None or kept_at) and getattr(engine, "store", None) is not None:
        return str(kept_at or Path(folder) / FACTS_FILE)
    return None


def _from_file(engine, sql: str, params: tuple = ()) -> list[tuple] | None:
    """The rows of ``sql`` over the engine's facts file when the facts are not read yet in
    this process (a page that needs one table's answer does not read every fact for it);
    None when they are read, or there is no current file to ask."""
    path = _file_of(engine)
    if path is None:
        from . import servercopy

        copy = servercopy.usable(engine, FACTS_FILE, current)
        path = str(copy) if copy is not None else None
    if path is None:
        return None
    with _LOCK:
        if path in _KEPT:
            return None
    if not current(Path(path)):
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return None


def round_dates(engine) -> list[date]:
    """``facts_of(engine).round_dates()``, read from the facts file alone when the facts are
    not read yet in this process: a command that needs only the dates (a graph view) does
    not read every fact (1.9 s at 1M triples) for them."""
    # a round counts when a status report names it as its source (Facts.round_dates)
    # each round looked up among the reports' sources by the index (the reports scanned
    # for their sources took 0.07 s at 1M)
    days = _from_file(engine, "SELECT DISTINCT a FROM fact AS r WHERE tab = 'rounds' AND EXISTS "
                              "(SELECT 1 FROM fact WHERE tab = 'reports' AND d = r.key)")
    if days is not None:
        return sorted({date.fromisoformat(day) for (day,) in days})
    return facts_of(engine).round_dates()


def round_size(engine, day: date) -> int:
    """``len(facts_of(engine).round_members(day))``, counted in the facts file when the facts are
    not read yet in this process: the web app refuses the report of a round too large to make
    (web.jobs.report) without reading every fact for it (7.6 s and 800 MB at 10M triples)."""
    # a report's columns: a initiative, d source; a round's: key the round, a its day
    found = _from_file(engine, "SELECT COUNT(DISTINCT a) FROM fact WHERE tab = 'reports' AND d IN "
                               "(SELECT key FROM fact WHERE tab = 'rounds' AND a = ?)", (day.isoformat(),))
    if found is not None:
        return int(found[0][0])
    return len(facts_of(engine).round_members(day))


def _size(engine) -> int | None:
    """An in-memory store's size (its facts are computed again when it changes); None for a server."""
    store = getattr(engine, "store", None)
    return len(store) if store is not None else None
