"""Derived facts: what the front page, /frister, /runder and the status report need
of every milestone and status report, read once and kept beside the store.

A milestone's state as of a date (``rounds.milestone_states``), the members of a
round and who is parked all rest on a few facts that do not depend on the date
asked about: each milestone's interval, the initiatives it belongs to, who is
responsible, every report that could show it reached (with its date), and each
status report's initiative, date, phase and source. ``compute`` reads them
set-at-a-time, one property at a time straight from the store's index (on a
million triples that is a second, where asking per milestone and per date took
10–20 s); the date is applied in Python.

Kept with the store: an on-disk store's folder holds ``facts.sqlite`` beside its
search index, built when the store is first opened for pages (``ensure_facts``)
and, when an entry is saved, made from the old store's file by the change
(``derive``): the keys the changed triples can reach are read again, the rest is
copied. A store is made for one version of the data, so the file is never stale;
``tests/test_facts.py`` holds a mended file equal to a fresh computation after a
save, an edit and a round import. An in-memory store computes its facts once per
engine (data a server holds in memory: once by the server, into the cache beside
the search index it builds, and read by every worker); a remote server's are read
again after ``REMOTE_TTL`` seconds.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .namespaces import DCTERMS, PROV, RDF, RG
from .terms import value as term_value

FACTS_FILE = "facts.sqlite"
FACTS_VERSION = "2"   # the tables' layout (a file of another version is computed again)
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
              objects: Iterable[str] | None = None) -> list[tuple[str, object]]:
        import pyoxigraph as ox

        p = ox.NamedNode(prop)
        if self.store is not None:
            store, out = self.store, []
            if subjects is None and objects is None:
                quads = [store.quads_for_pattern(None, p, None)]
            elif subjects is not None:
                quads = [store.quads_for_pattern(ox.NamedNode(s), p, None) for s in subjects]
            else:
                quads = [store.quads_for_pattern(None, p, ox.NamedNode(o)) for o in objects]
            for found in quads:
                for quad in found:
                    if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.graph_name, ox.DefaultGraph):
                        out.append((quad.subject.value, quad.object))
            return out
        return self._remote(p, subjects, objects)

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
        if among is None:
            return {s for s, _ in self.pairs(TYPE, objects=[cls])}
        return {s for s, o in self.pairs(TYPE, subjects=among) if getattr(o, "value", None) == cls}


def _iri(term) -> str | None:
    import pyoxigraph as ox

    return term.value if isinstance(term, ox.NamedNode) else None


def _day(term) -> str | None:
    found = term_value(term)
    if isinstance(found, datetime):
        found = found.date()
    return found.isoformat() if isinstance(found, date) else None


def _grouped(pairs, keep=None) -> dict[str, list]:
    out: dict[str, list] = {}
    for s, o in pairs:
        if keep is None or s in keep:
            out.setdefault(s, []).append(o)
    return out


def _inverse(about: dict[str, list]) -> dict[str, list]:
    """initiative → [report] from report → [initiative]."""
    out: dict[str, list] = {}
    for r, found in about.items():
        for s in found:
            out.setdefault(_iri(s), []).append(r)
    return out


# Every status report with its date, phase and source in one query: Oxigraph joins the
# four properties by hash, inside the store (1.6 s at 1M, where reading each property
# into Python took 8 s: the on-disk store decodes every term it hands over).
_REPORTS = """SELECT ?r ?i ?d ?p ?s WHERE {
    { SELECT ?r ?i WHERE { ?r rg:statusOf ?i FILTER (isIRI(?r)) } }
    OPTIONAL { SELECT ?r ?d WHERE { ?r rg:asOf ?d } }
    OPTIONAL { SELECT ?r ?p WHERE { ?r rg:phase ?p } }
    OPTIONAL { SELECT ?r ?s WHERE { ?r prov:wasDerivedFrom ?s } } }"""


def _report_props(read: _Reader, keys: set | None) -> tuple[dict, dict, dict, dict]:
    """report → [initiative], [date], [phase], [source] for the reports ``keys`` (every
    status report when None)."""
    if keys is None and read.store is not None:
        out: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})
        seen: tuple[set, set, set, set] = (set(), set(), set(), set())
        for r, *values in read.engine.query(_REPORTS).rows:
            for table, known, found in zip(out, seen, values):
                if found is not None and (r.value, found) not in known:
                    known.add((r.value, found))
                    table.setdefault(r.value, []).append(found)
        return out
    if keys is None:
        return tuple(_grouped(read.pairs(p)) for p in (P["statusOf"], P["asOf"], P["phase"], SOURCE))
    if not keys:
        return {}, {}, {}, {}
    return tuple(_grouped(read.pairs(p, subjects=keys), keys) for p in (P["statusOf"], P["asOf"], P["phase"], SOURCE))


def compute(engine, *, milestones: Iterable[str] | None = None, reports: Iterable[str] | None = None,
            rounds: Iterable[str] | None = None) -> Facts:
    """The facts of the graph (``engine``), all of them; or, given keys, only the rows
    of those milestones, reports and rounds (what ``derive`` reads again)."""
    read = _Reader(engine)
    whole = milestones is None
    facts = Facts()
    ms = read.typed(MILESTONE, None if whole else set(milestones))
    scope = None if whole else ms

    def values(prop, keys):   # subject → [object] for the keys (all when whole)
        return _grouped(read.pairs(prop, subjects=keys), keys) if keys is not None else _grouped(read.pairs(prop))

    # the intervals
    texts, firsts, lasts = (values(P[n], scope) for n in ("dateText", "earliest", "latest"))
    for m in ms:
        rows = {(t.value, e.value, l.value) for t in texts.get(m, ()) for e in firsts.get(m, ())
                for l in lasts.get(m, ())}
        if rows:
            facts.milestones[m] = rows
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
    # the date text, the latest day and the dates of the sources it was read from
    read_from = _grouped(read.pairs(SOURCE, subjects=ms))
    dated = values(DATE, {_iri(t) for found in read_from.values() for t in found if _iri(t)})
    for m in ms:
        whens = [d for t in read_from.get(m, ()) for d in dated.get(_iri(t), ())] or [None]
        facts.sources[m] = {(t.value if t is not None else None, e.value if e is not None else None,
                             _day(w) if w is not None else None)
                            for t in texts.get(m, [None]) for e in lasts.get(m, [None]) for w in whens}
    # who is responsible
    for m, actors in values(P["responsible"], scope).items():
        if m in ms:
            facts.responsible[m] = {a.value for a in actors}
    # what could show each reached: the reports that say so, start, and reach a task
    reached = [(r, _iri(m)) for r, m in read.pairs(P["reached"], objects=scope)]
    starts = [(m, _iri(s)) for m, s in read.pairs(P["startOf"], subjects=scope) if m in ms]
    deadlines = [(m, _iri(t)) for m, t in read.pairs(P["deadlineOf"], subjects=scope) if m in ms]
    every = _report_props(read, None) if whole else None       # the whole graph's reports, read once
    if whole:
        of_subject = _inverse(every[0])
        reached_by = _grouped((_iri(m), r) for r, m in read.pairs(P["reached"]))
    else:
        subjects = {s for _, s in starts if s}
        tasks = {t for _, t in deadlines if t}
        of_subject = _inverse(_grouped(read.pairs(P["statusOf"], objects=subjects)))
        reached_by = _grouped((_iri(t), r) for r, t in read.pairs(P["reached"], objects=tasks))
    involved = {r for r, m in reached if m in ms} | {r for _, s in starts for r in of_subject.get(s, ())} \
        | {r for _, t in deadlines for r in reached_by.get(t, ())}
    if whole:   # a report that reaches something without being a status report is looked up on its own
        ofs, days, phases, sources = every
        others = _report_props(read, involved - ofs.keys())
        for mine, theirs in zip((ofs, days, phases, sources), others):
            mine.update(theirs)
    else:
        ofs, days, phases, sources = _report_props(read, involved)

    def add(m, how, r, subject=None, phase=""):
        for d in days.get(r, ()):
            day = _day(d)
            if day is None:
                continue
            for source in sources.get(r, [None]):
                for of in ofs.get(r, [None]):
                    facts.candidates.setdefault(m, set()).add(
                        (how, day, phase, r, _iri(source) if source is not None else None,
                         _iri(of) if of is not None else None, subject))

    for r, m in reached:
        if m in ms:
            add(m, "reported", r)
    for m, s in starts:
        for r in of_subject.get(s, ()):
            for phase in phases.get(r, ()):
                if _iri(phase) in STARTED:
                    add(m, "started", r, subject=s, phase=phase.value.rsplit("#", 1)[-1])
    for m, t in deadlines:
        for r in reached_by.get(t, ()):
            add(m, "task", r, subject=t)
    # the status reports
    about, r_days, r_phases, r_sources = every if reports is None and whole else \
        _report_props(read, None if reports is None else set(reports))
    for r, of in about.items():
        for initiative in of:
            if _iri(initiative) is None:
                continue
            for d in r_days.get(r, [None]):
                for phase in r_phases.get(r, [None]):
                    for source in r_sources.get(r, [None]):
                        facts.reports.setdefault(r, set()).add(
                            (initiative.value, _day(d) if d is not None else None,
                             _iri(phase) if phase is not None else None,
                             _iri(source) if source is not None else None))
    # the rounds
    chosen = read.typed(ROUND, None if rounds is None else set(rounds))
    for r, found in values(DATE, chosen if rounds is not None else None).items():
        if r in chosen:
            days_of = {d for d in (_day(t) for t in found) if d}
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
        for name, table in facts.tables():
            rows = []
            for key, found in table.items():
                for row in found:
                    row = row if isinstance(row, tuple) else (row,)
                    values = [int(v) if isinstance(v, bool) else v for v in row]
                    rows.append((name, key, *values, *[None] * (7 - len(values))))
            db.executemany("INSERT INTO fact VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("INSERT INTO meta VALUES ('version', ?)", (FACTS_VERSION,))
        db.commit()
        db.close()
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
    """The facts kept at ``path``; None when the file is missing or of another version."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        found = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if not found or found[0] != FACTS_VERSION:
            return None
        facts = Facts()
        for name, key, *row in db.execute("SELECT * FROM fact"):
            width = _WIDTH[name]
            row = tuple(row[:width])
            if name == "owners":
                row = (row[0], bool(int(row[1])))
            getattr(facts, name).setdefault(key, set()).add(row if width > 1 else row[0])
        return facts
    except sqlite3.Error:
        return None
    finally:
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
_KEPT: dict[str, Facts] = {}     # facts files read in this process, by path


def facts_of(engine) -> Facts:
    """The engine's facts: read from beside its on-disk store (computed and kept there
    first if missing), computed once for an in-memory store, and read again from a
    remote server after REMOTE_TTL seconds."""
    path = _file_of(engine)
    if path is not None:
        with _LOCK:
            found = _KEPT.get(path)
        if found is None:
            found = read(Path(path))
            if found is None:
                found = compute(engine)
                try:
                    write(found, Path(path))
                except OSError:
                    pass   # a read-only cache: computed, not kept
            with _LOCK:
                _KEPT.clear()      # one store at a time in a process (a save makes a new one)
                _KEPT[path] = found
        return found
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


def _file_of(engine) -> str | None:
    """Where a local engine's facts are kept: beside its on-disk store, or where the
    server put them for data it holds in memory; None for others."""
    folder = getattr(engine, "folder", None)
    kept_at = getattr(engine, "facts_path", None)     # data a server holds in memory: computed once by it
    if (folder is not None or kept_at) and getattr(engine, "store", None) is not None:
        return str(kept_at or Path(folder) / FACTS_FILE)
    return None


def round_dates(engine) -> list[date]:
    """``facts_of(engine).round_dates()``, read from the facts file alone when the facts are
    not read yet in this process: a command that needs only the dates (a graph view) does
    not read every fact (1.9 s at 1M triples) for them."""
    path = _file_of(engine)
    if path is not None:
        with _LOCK:
            known = path in _KEPT
        if not known and current(Path(path)):
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    # a round counts when a status report names it as its source (Facts.round_dates)
                    days = db.execute("SELECT DISTINCT a FROM fact WHERE tab = 'rounds' AND key IN "
                                      "(SELECT d FROM fact WHERE tab = 'reports' AND d IS NOT NULL)").fetchall()
                finally:
                    db.close()
                return sorted({date.fromisoformat(day) for (day,) in days})
            except sqlite3.Error:
                pass
    return facts_of(engine).round_dates()


def _size(engine) -> int | None:
    """An in-memory store's size (its facts are computed again when it changes); None for a server."""
    store = getattr(engine, "store", None)
    return len(store) if store is not None else None
