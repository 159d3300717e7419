"""A status round as a spreadsheet: `round new` writes it, `round import` reads it back.

The sheet "Statusrunde" has a row per initiative that is not finished, with its
last phase and status, and empty columns for the new phase (a drop-down of the
phases), the new text, and an optional new milestone. Import turns the filled
rows into status reports and a source document for the round, validates them
together with the graph, and only if everything conforms writes one Turtle file
(to a temporary file, then renamed). Every problem names its sheet row and column.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import RammegrafError
from .labels import Labels
from .namespaces import DCTERMS, ID, PREFIXES, PROV, RDF, RDFS, RG
from .network import status_as_of
from .terms import iri, literal, text

SHEET = "Statusrunde"
META = "Runde"
COLUMNS = ["id", "initiativ", "udviklingsområde", "seneste fase", "seneste status", "dato",
           "ny fase", "ny statustekst", "ny milepæl", "milepælens dato (kildens ord)",
           "tidligst (ÅÅÅÅ-MM-DD)", "senest (ÅÅÅÅ-MM-DD)"]
REQUIRED = ["id", "ny fase", "ny statustekst"]


class RoundError(RammegrafError):
    """A spreadsheet that cannot become a status round; every problem by row and column."""

    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        super().__init__("statusrunden kan ikke indlæses (the round cannot be imported):\n  "
                         + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Round:
    day: date
    title: str
    triples: list           # the source document and the new status reports (and milestones)
    reports: int


def phases(engine) -> dict[str, object]:
    """Every way to write a phase (Danish or English label, or its key) to the phase."""
    out = {}
    for phase, label in engine.query("SELECT ?p ?l WHERE { ?p a rg:Phase OPTIONAL { ?p rdfs:label ?l } }").rows:
        if label is not None:
            out[label.value.casefold()] = phase
        out[phase.value.rsplit("#", 1)[-1].casefold()] = phase
    return out


def open_initiatives(engine, labels: Labels, latest: dict) -> list:
    """Initiatives whose latest phase is not Implemented, by development area and name."""
    rows = engine.query("""SELECT ?i ?number WHERE { ?i a rg:Initiative .
        OPTIONAL { ?i rg:developmentArea ?a . ?a skos:notation ?number } }""").rows
    area: dict = {}
    for initiative, number in rows:
        area[initiative] = min(area.get(initiative, "9"), text(number) or "9")
    labels.load(area)
    chosen = [(number, (labels.of(i) or "").casefold(), i.value, i) for i, number in area.items()
              if not (latest.get(i.value) and latest[i.value].phase == "Implemented")]
    return [i for *_, i in sorted(chosen)]


def new_round(engine, path: Path, *, day: date, title: str) -> int:
    """Write the round's spreadsheet (.xlsx, or .csv); returns the number of rows."""
    labels = Labels(engine, "da")
    latest = status_as_of(engine, labels=labels)
    initiatives = open_initiatives(engine, labels, latest)
    area_rows = engine.query("SELECT ?i ?a WHERE { ?i rg:developmentArea ?a }",
                             {"i": initiatives}).rows if initiatives else []
    labels.load(a for _, a in area_rows)
    areas: dict = {}
    for initiative, area in area_rows:
        areas.setdefault(initiative, []).append(labels.display(area))
    rows = []
    for initiative in initiatives:
        status = latest.get(initiative.value)
        rows.append([initiative.value[len(str(ID)):], labels.of(initiative) or "",
                     min(areas.get(initiative, [""])),
                     status.phase_label if status else "", status.text if status else "",
                     status.as_of if status else "", "", "", "", "", "", ""])
    data: bytes
    if path.suffix.lower() == ".csv":
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        data = out.getvalue().encode("utf-8")
    else:
        data = _xlsx(rows, sorted({labels.of(p) or "" for p in set(phases(engine).values())}, key=str.casefold),
                     day=day, title=title)
    from .store import write_atomic

    write_atomic(path, data)
    return len(rows)


def _xlsx(rows, names: list[str], *, day: date, title: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    check = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Ukendt fase",
                           error="Vælg en fase fra listen.")
    sheet.add_data_validation(check)
    check.add(f"G2:G{len(rows) + 1}")
    for column, width in zip("ABCDEFGHIJKL", (38, 50, 30, 18, 60, 12, 18, 60, 40, 24, 20, 20)):
        sheet.column_dimensions[column].width = width
    meta = book.create_sheet(META)
    meta.append(["dato", day.isoformat()])
    meta.append(["titel", title])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Entry:
    """The triples of an import, made from IRI strings and literals."""

    def __init__(self) -> None:
        self.triples: list = []

    def add(self, subject: str, predicate: str, value) -> None:
        import pyoxigraph as ox

        obj = value if isinstance(value, (ox.Literal, ox.NamedNode)) else iri(value)
        self.triples.append(ox.Triple(iri(subject), iri(predicate), obj))


def read_round(engine, path: Path, *, day: date | None = None, title: str | None = None) -> Round:
    """Read a filled spreadsheet into a Round; a RoundError lists every problem."""
    rows, meta = _rows(path)
    problems: list[str] = []
    header = rows[0] if rows else []
    index = {name: i for i, name in enumerate(header)}
    for name in REQUIRED:
        if name not in index:
            problems.append(f"{SHEET}!1: kolonnen '{name}' mangler (missing column)")
    day = day or _date(meta.get("dato"), f"{META}!B1", problems)
    title = title or meta.get("titel") or (f"Statusrunde {day.isoformat()}" if day else "")
    if problems or day is None:
        raise RoundError(problems or [f"{META}!B1: rundens dato mangler; giv --date (missing date)"])
    labels = Labels(engine, "da")
    known = phases(engine)
    entry = _Entry()
    source = ID[f"kilde/statusrunde-{day.isoformat()}"]
    if engine.query("ASK { ?s ?p ?o }", {"s": iri(source)}).boolean:
        raise RoundError([f"runden pr. {day.isoformat()} er allerede indlæst ({source}) "
                          "(this round is already imported)"])
    entry.add(source, RDF.type, RG.SourceDocument)
    entry.add(source, RDFS.label, literal(title, lang="da"))
    entry.add(source, DCTERMS.title, literal(title, lang="da"))
    entry.add(source, DCTERMS.date, literal(day))
    reports = 0
    for number, row in enumerate(rows[1:], start=2):
        cell = lambda name: (row[index[name]] if index.get(name) is not None and index[name] < len(row)  # noqa: E731
                             else "").strip()
        where = lambda name: f"{SHEET}!{_column(index[name])}{number}"  # noqa: E731
        phase_text, words = cell("ny fase"), cell("ny statustekst")
        if not phase_text and not words:
            continue  # no new status for this initiative in this round
        slug = cell("id")
        initiative = ID[slug] if re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)+", slug) else None
        if initiative is None or not engine.query("ASK { ?i a rg:Initiative }", {"i": iri(initiative)}).boolean:
            problems.append(f"{where('id')}: '{slug}' er ikke et initiativ i grafen (unknown initiative id)")
            continue
        phase = known.get(phase_text.casefold())
        if phase is None:
            names = ", ".join(sorted({labels.of(p) or p.value for p in known.values()}))
            problems.append(f"{where('ny fase')}: fasen '{phase_text}' findes ikke; brug en af: {names} "
                            "(unknown phase)")
        if not words:
            problems.append(f"{where('ny statustekst')}: statusteksten er tom (empty status text)")
        if phase is None or not words:
            continue
        report = ID[f"status/{slug.split('/', 1)[1]}-{day.isoformat()}"]
        label = f"Status for {labels.of(iri(initiative))} pr. {day.day}.{day.month}.{day.year}"
        entry.add(report, RDF.type, RG.StatusReport)
        entry.add(report, RDFS.label, literal(label, lang="da"))
        entry.add(report, RG.statusOf, initiative)
        entry.add(report, RG.asOf, literal(day))
        entry.add(report, RG.phase, phase)
        entry.add(report, RG.text, literal(words, lang="da"))
        entry.add(report, PROV.wasDerivedFrom, source)
        reports += 1
        _milestone(entry, cell, where, initiative, slug, source, problems)
    if problems:
        raise RoundError(problems)
    return Round(day=day, title=title, triples=entry.triples, reports=reports)


def _milestone(entry: _Entry, cell, where, initiative: str, slug: str, source: str, problems) -> None:
    name = cell("ny milepæl")
    if not name:
        return
    earliest = _date(cell("tidligst (ÅÅÅÅ-MM-DD)"), where("tidligst (ÅÅÅÅ-MM-DD)"), problems)
    latest = _date(cell("senest (ÅÅÅÅ-MM-DD)"), where("senest (ÅÅÅÅ-MM-DD)"), problems)
    words = cell("milepælens dato (kildens ord)") or (latest.isoformat() if latest else "")
    if earliest is None or latest is None:
        return
    milestone = ID[f"milepael/{slug.split('/', 1)[1]}-{_slug(name)}"]
    entry.add(milestone, RDF.type, RG.Milestone)
    entry.add(milestone, RDFS.label, literal(name, lang="da"))
    entry.add(milestone, RG.dateText, literal(words))
    entry.add(milestone, RG.earliest, literal(earliest))
    entry.add(milestone, RG.latest, literal(latest))
    entry.add(milestone, PROV.wasDerivedFrom, source)
    entry.add(initiative, RG.hasMilestone, milestone)


def _slug(text: str) -> str:
    text = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "milepael"


def _date(value, where: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{where}: '{value}' er ikke en dato ÅÅÅÅ-MM-DD (not a date)")
        return None


def _column(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if i < 26 else f"[{i + 1}]"


def _rows(path: Path) -> tuple[list[list[str]], dict[str, object]]:
    if not path.is_file():
        raise RoundError([f"{path}: filen findes ikke (no such file)"])
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [[c or "" for c in row] for row in csv.reader(handle)], {}
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise RoundError([f"{path}: ikke et regneark ({type(error).__name__}) (not a spreadsheet)"]) from None
    if SHEET not in book.sheetnames:
        raise RoundError([f"{path}: arket '{SHEET}' mangler (missing sheet)"])
    rows = [["" if c is None else (c.isoformat() if isinstance(c, date) else str(c)) for c in row]
            for row in book[SHEET].iter_rows(values_only=True)]
    meta = {}
    if META in book.sheetnames:
        for key, value, *_ in book[META].iter_rows(values_only=True):
            meta[str(key)] = value
    return rows, meta


def import_round(path: Path, *, into: Path, engine, day: date | None = None,
                 dry_run: bool = False) -> tuple[Round, Path | None]:
    """Read, validate with the graph, and (unless dry_run) write ``into``/status-DATE.ttl.
    Nothing is written unless every row is sound and the whole result conforms."""
    import pyoxigraph as ox

    from .store import write_atomic
    from .validate import check_entries

    round_ = read_round(engine, path, day=day)
    target = into / f"status-{round_.day.isoformat()}.ttl"
    if target.exists():
        raise RoundError([f"{target} findes allerede: runden er indlæst (the round is already imported)"])
    check = check_entries(round_.triples, engine)
    if not check.report.conforms:
        labels = Labels(check.engine, "da")
        raise RoundError([f"{labels.display(iri(str(r.focus_node)))}: {r.path or ''} {r.message()}"
                          for r in check.report.violations])
    if dry_run:
        return round_, None
    header = (f"# Statusrunde {round_.day.isoformat()}: {round_.title}\n"
              f"# Indlæst fra {path.name} med `rammegraf round import`.\n\n")
    body = ox.serialize(round_.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    write_atomic(target, header.encode("utf-8") + body)
    return round_, target
