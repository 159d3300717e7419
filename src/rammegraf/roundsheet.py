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

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from .errors import RammegrafError
from .labels import label_of
from .namespaces import ID, RG, bind_prefixes
from .network import status_as_of

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
    graph: Graph            # the source document and the new status reports (and milestones)
    reports: int


def phases(graph: Graph) -> dict[str, URIRef]:
    """Every way to write a phase (Danish or English label, or its key) to the phase."""
    out = {}
    for phase in graph.subjects(RDF.type, RG.Phase):
        for label in graph.objects(phase, RDFS.label):
            out[str(label).casefold()] = phase
        out[str(phase).rsplit("#", 1)[-1].casefold()] = phase
    return out


def open_initiatives(graph: Graph) -> list[URIRef]:
    """Initiatives whose latest phase is not Implemented, by development area and name."""
    latest = status_as_of(graph)
    rows = []
    for initiative in graph.subjects(RDF.type, RG.Initiative):
        if latest.get(initiative) and latest[initiative].phase == "Implemented":
            continue
        area = min((str(graph.value(a, URIRef("http://www.w3.org/2004/02/skos/core#notation")) or "9")
                    for a in graph.objects(initiative, RG.developmentArea)), default="9")
        rows.append((area, (label_of(graph, initiative) or "").casefold(), initiative))
    return [i for _, _, i in sorted(rows)]


def new_round(graph: Graph, path: Path, *, day: date, title: str) -> int:
    """Write the round's spreadsheet (.xlsx, or .csv); returns the number of rows."""
    latest = status_as_of(graph)
    rows = []
    for initiative in open_initiatives(graph):
        status = latest.get(initiative)
        area = next(iter(sorted(label_of(graph, a) or "" for a in graph.objects(initiative, RG.developmentArea))), "")
        rows.append([str(initiative)[len(str(ID)):], label_of(graph, initiative) or "", area,
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
        data = _xlsx(rows, graph, day=day, title=title)
    from .store import write_atomic

    write_atomic(path, data)
    return len(rows)


def _xlsx(rows, graph: Graph, *, day: date, title: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    names = sorted({label_of(graph, p) for p in graph.subjects(RDF.type, RG.Phase)},
                   key=lambda n: n.casefold())
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


def read_round(graph: Graph, path: Path, *, day: date | None = None, title: str | None = None) -> Round:
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
    known = phases(graph)
    entry = bind_prefixes(Graph())
    source = ID[f"kilde/statusrunde-{day.isoformat()}"]
    if (source, None, None) in graph:
        raise RoundError([f"runden pr. {day.isoformat()} er allerede indlæst ({source}) "
                          "(this round is already imported)"])
    entry.add((source, RDF.type, RG.SourceDocument))
    entry.add((source, RDFS.label, Literal(title, lang="da")))
    entry.add((source, DCTERMS.title, Literal(title, lang="da")))
    entry.add((source, DCTERMS.date, Literal(day.isoformat(), datatype=XSD.date)))
    reports = 0
    for number, row in enumerate(rows[1:], start=2):
        cell = lambda name: (row[index[name]] if index.get(name) is not None and index[name] < len(row)  # noqa: E731
                             else "").strip()
        where = lambda name: f"{SHEET}!{_column(index[name])}{number}"  # noqa: E731
        phase_text, text = cell("ny fase"), cell("ny statustekst")
        if not phase_text and not text:
            continue  # no new status for this initiative in this round
        slug = cell("id")
        initiative = ID[slug] if re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)+", slug) else None
        if initiative is None or (initiative, RDF.type, RG.Initiative) not in graph:
            problems.append(f"{where('id')}: '{slug}' er ikke et initiativ i grafen (unknown initiative id)")
            continue
        phase = known.get(phase_text.casefold())
        if phase is None:
            names = ", ".join(sorted({label_of(graph, p) for p in known.values()}))
            problems.append(f"{where('ny fase')}: fasen '{phase_text}' findes ikke; brug en af: {names} "
                            "(unknown phase)")
        if not text:
            problems.append(f"{where('ny statustekst')}: statusteksten er tom (empty status text)")
        if phase is None or not text:
            continue
        report = ID[f"status/{slug.split('/', 1)[1]}-{day.isoformat()}"]
        label = f"Status for {label_of(graph, initiative)} pr. {day.day}.{day.month}.{day.year}"
        for triple in ((report, RDF.type, RG.StatusReport), (report, RDFS.label, Literal(label, lang="da")),
                       (report, RG.statusOf, initiative), (report, RG.asOf, Literal(day.isoformat(), datatype=XSD.date)),
                       (report, RG.phase, phase), (report, RG.text, Literal(text, lang="da")),
                       (report, PROV.wasDerivedFrom, source)):
            entry.add(triple)
        reports += 1
        _milestone(entry, cell, where, initiative, slug, source, problems)
    if problems:
        raise RoundError(problems)
    return Round(day=day, title=title, graph=entry, reports=reports)


def _milestone(entry, cell, where, initiative, slug, source, problems) -> None:
    name = cell("ny milepæl")
    if not name:
        return
    earliest = _date(cell("tidligst (ÅÅÅÅ-MM-DD)"), where("tidligst (ÅÅÅÅ-MM-DD)"), problems)
    latest = _date(cell("senest (ÅÅÅÅ-MM-DD)"), where("senest (ÅÅÅÅ-MM-DD)"), problems)
    words = cell("milepælens dato (kildens ord)") or (latest.isoformat() if latest else "")
    if earliest is None or latest is None:
        return
    milestone = ID[f"milepael/{slug.split('/', 1)[1]}-{_slug(name)}"]
    for triple in ((milestone, RDF.type, RG.Milestone), (milestone, RDFS.label, Literal(name, lang="da")),
                   (milestone, RG.dateText, Literal(words)),
                   (milestone, RG.earliest, Literal(earliest.isoformat(), datatype=XSD.date)),
                   (milestone, RG.latest, Literal(latest.isoformat(), datatype=XSD.date)),
                   (milestone, PROV.wasDerivedFrom, source), (initiative, RG.hasMilestone, milestone)):
        entry.add(triple)


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


def import_round(path: Path, *, into: Path, data_dirs=None, day: date | None = None,
                 dry_run: bool = False) -> tuple[Round, Path | None]:
    """Read, validate with the graph, and (unless dry_run) write ``into``/status-DATE.ttl.
    Nothing is written unless every row is sound and the whole result conforms."""
    from .store import load, write_atomic
    from .validate import check_entries

    graph = load(data_dirs=data_dirs)
    round_ = read_round(graph, path, day=day)
    target = into / f"status-{round_.day.isoformat()}.ttl"
    if target.exists():
        raise RoundError([f"{target} findes allerede: runden er indlæst (the round is already imported)"])
    check = check_entries(round_.graph, graph)
    if not check.report.conforms:
        raise RoundError([f"{label_of(check.graph, r.focus_node) or r.focus_node}: {r.path or ''} {r.message()}"
                          for r in check.report.violations])
    if dry_run:
        return round_, None
    header = (f"# Statusrunde {round_.day.isoformat()}: {round_.title}\n"
              f"# Indlæst fra {path.name} med `rammegraf round import`.\n\n")
    write_atomic(target, header.encode("utf-8") + round_.graph.serialize(format="turtle", encoding="utf-8"))
    return round_, target
