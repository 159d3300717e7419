"""A status round as a spreadsheet: `round new` writes it, `round import` reads it back.

The sheet "Statusrunde" has a row per initiative that is not finished, with its
last phase and status, and empty columns for the new phase (a drop-down of the
phases), the new text, and an optional new milestone. Import turns the filled
rows into status reports and a source document for the round, validates them
together with the graph, and only if everything conforms writes one Turtle file
(to a temporary file, then renamed). Every problem names its sheet row and column.

An import is a status round (rg:StatusRound: a report on the whole plan), so an
initiative that had a status before and has no row filled in is "not in the
report" of the round; the import says how many. With ``updates`` the filled rows
are single updates instead: their source is no round, and no other initiative is
"not in the report".
"""

from __future__ import annotations

import csv
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
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
           "tidligst (ÅÅÅÅ-MM-DD)", "senest (ÅÅÅÅ-MM-DD)",
           "åbne milepæle og opgaver", "nået (id'er fra kolonnen før, adskilt af ;)"]
REACHED = COLUMNS[13]   # the ids of the open items (column 12) this round reached
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
    notes: list = field(default_factory=list)   # what the reader should know (an encoding guessed)
    is_round: bool = True   # a status round; False: single updates (``round import --updates``)
    missing: int = 0        # initiatives with an earlier status and no row filled in: "not in the report"


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
    """Write the round's spreadsheet (.xlsx, or .csv) or Word document (.docx, rounddoc);
    returns the number of rows."""
    labels = Labels(engine, "da")
    latest = status_as_of(engine, labels=labels)
    initiatives = open_initiatives(engine, labels, latest)
    area_rows = engine.query("SELECT ?i ?a WHERE { ?i rg:developmentArea ?a }",
                             {"i": initiatives}).rows if initiatives else []
    labels.load(a for _, a in area_rows)
    areas: dict = {}
    for initiative, area in area_rows:
        areas.setdefault(initiative, []).append(labels.display(area))
    still_open = open_items(engine, initiatives, day)
    labels.load(item for items in still_open.values() for item in items)
    rows = []
    for initiative in initiatives:
        status = latest.get(initiative.value)
        rows.append([initiative.value[len(str(ID)):], labels.of(initiative) or "",
                     min(areas.get(initiative, [""])),
                     status.phase_label if status else "", status.text if status else "",
                     status.as_of if status else "", "", "", "", "", "", "",
                     "\n".join(f"{item.value[len(str(ID)):]}: {labels.display(item)}"
                               for item in still_open.get(initiative.value, [])), ""])
    data: bytes
    names = sorted({labels.of(p) or "" for p in set(phases(engine).values())}, key=str.casefold)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from .tables import delimited

        data = delimited(COLUMNS, rows).encode("utf-8")
    elif suffix == ".docx":
        from .rounddoc import write_docx

        data = write_docx(rows, names, day=day, title=title)
    elif suffix == ".xlsx":
        data = _xlsx(rows, names, day=day, title=title)
    else:
        raise RoundError([f"{path.name}: en runde skrives som .xlsx, .csv eller .docx, ikke "
                          f"'{suffix or '(ingen endelse)'}' (the format is chosen by the suffix)"])
    from .store import write_atomic

    write_atomic(path, data)
    return len(rows)


def open_items(engine, initiatives: list | None, day: date) -> dict[str, list]:
    """Each initiative's milestones and tasks that no status report up to ``day``
    says were reached (the named query naaet-pr-initiativ), in its order; all
    initiatives when ``initiatives`` is None."""
    from .query import get_query, run_on

    wanted = None if initiatives is None else {i.value for i in initiatives}
    out: dict[str, list] = {}
    for initiative, item, _kind, reached_on in run_on(engine, get_query("naaet-pr-initiativ"),
                                                       {"date": day.isoformat()}).rows:
        if reached_on is None and (wanted is None or initiative.value in wanted):
            out.setdefault(initiative.value, []).append(item)
    return out


def _xlsx(rows, names: list[str], *, day: date, title: str) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    _append_text(sheet, COLUMNS)
    for row in rows:
        _append_text(sheet, row)
    check = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle="Ukendt fase",
                           error="Vælg en fase fra listen.")
    sheet.add_data_validation(check)
    check.add(f"G2:G{len(rows) + 1}")
    for column, width in zip("ABCDEFGHIJKLMN", (38, 50, 30, 18, 60, 12, 18, 60, 40, 24, 20, 20, 60, 40)):
        sheet.column_dimensions[column].width = width
    meta = book.create_sheet(META)
    _append_text(meta, ["dato", day.isoformat()])
    _append_text(meta, ["titel", title])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append_text(sheet, values) -> None:
    """A row of string cells: openpyxl makes a value starting with = a formula cell,
    so a label like =HYPERLINK(...) would run; as a string cell it is shown as typed."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


class _Entry:
    """The triples of an import, made from IRI strings and literals; their text may
    add up to MAX_ROUND_TEXT (cells may share one string: each under the limit of a
    cell, together far over what one round should write)."""

    def __init__(self) -> None:
        self.triples: list = []
        self.text = 0

    def add(self, subject: str, predicate: str, value) -> None:
        import pyoxigraph as ox

        obj = value if isinstance(value, (ox.Literal, ox.NamedNode)) else iri(value)
        if isinstance(obj, ox.Literal):
            self.text += len(obj.value.encode("utf-8", "surrogatepass"))
            if self.text > MAX_ROUND_TEXT:
                mb = MAX_ROUND_TEXT // 2**20
                raise RoundError([f"rundens tekster fylder over {mb} MB i alt; højst {mb} MB i alt pr. runde "
                                  f"(a round may write at most {mb} MB of text)"])
        self.triples.append(ox.Triple(iri(subject), iri(predicate), obj))


def read_round(engine, path: Path, *, day: date | None = None, title: str | None = None,
               updates: bool = False) -> Round:
    """Read a filled spreadsheet into a Round (a status round; with ``updates``, single
    updates with a source that is no round); a RoundError lists every problem."""
    notes: list[str] = []
    sheet = _rows(path, notes)
    meta = sheet.meta
    problems: list[str] = []
    index = {name: i for i, name in enumerate(sheet.header)}
    for name in REQUIRED:
        if name not in index:
            problems.append(f"{sheet.header_place}: kolonnen '{name}' mangler (missing column)")
    if day is None and meta.get("dato") is None:
        where = f"{path.name}: en CSV-fil har ikke rundens dato" if path.suffix.lower() == ".csv" \
            else f"{sheet.meta_place.get('dato', META + '!B1')}: rundens dato mangler"
        raise RoundError([f"{where}; giv --date ÅÅÅÅ-MM-DD (the round's date is missing: give --date)"])
    day = day or _date(meta.get("dato"), sheet.meta_place.get("dato", f"{META}!B1"), problems)
    title = title or meta.get("titel") or ((f"Opdateringer pr. {day.isoformat()}" if updates
                                            else f"Statusrunde {day.isoformat()}") if day else "")
    _check_cell(str(title), "rundens titel", problems, noun="titlen")
    if problems or day is None:
        raise RoundError(problems or [f"{META}!B1: rundens dato mangler; giv --date (missing date)"])
    labels = Labels(engine, "da")
    known = phases(engine)
    entry = _Entry()
    source = ID[f"kilde/{'opdateringer' if updates else 'statusrunde'}-{day.isoformat()}"]
    if engine.query("ASK { ?s ?p ?o }", {"s": iri(source)}).boolean:
        raise RoundError([f"runden pr. {day.isoformat()} er allerede indlæst ({source}) "
                          "(this round is already imported)"])
    entry.add(source, RDF.type, RG.SourceDocument)
    if not updates:
        entry.add(source, RDF.type, RG.StatusRound)   # a report on the whole plan
    entry.add(source, RDFS.label, literal(title, lang="da"))
    entry.add(source, DCTERMS.title, literal(title, lang="da"))
    entry.add(source, DCTERMS.date, literal(day))
    reports = 0
    reported: set[str] = set()
    still_open: dict | None = None   # the open items of every initiative, read once when needed
    for place, row in sheet.rows:
        cell = lambda name: (row[index[name]] if index.get(name) is not None and index[name] < len(row)  # noqa: E731
                             else "").strip()
        where = lambda name: sheet.where(place, index[name])  # noqa: E731
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
        reported.add(str(initiative))
        _milestone(entry, cell, where, initiative, slug, source, problems)
        if cell(REACHED):
            if still_open is None:
                still_open = {i: {item.value for item in items} for i, items in open_items(engine, None, day).items()}
            _reached(entry, cell(REACHED), where(REACHED), report, still_open.get(str(initiative), set()), problems)
    if problems:
        raise RoundError(problems)
    if not reports:
        raise RoundError([f"{sheet.name}: ingen række har en ny fase og en ny statustekst; intet at indlæse "
                          "(no row is filled in: nothing to import)"])
    missing = 0
    if not updates:
        earlier = engine.query("SELECT DISTINCT ?i WHERE { ?r rg:statusOf ?i ; rg:asOf ?d FILTER (?d < ?day) }",
                               {"day": literal(day)}).rows
        missing = len({i.value for (i,) in earlier} - reported)
        if missing:
            notes.append(f"{missing} initiativer havde en status før og har ingen i runden; de står som »ikke med i "
                         f"rapporten pr. {day.isoformat()}« (not in the report of the round). Er rækkerne enkelte "
                         "opdateringer og ikke en runde, så indlæs med --updates.")
    return Round(day=day, title=title, triples=entry.triples, reports=reports, notes=notes,
                 is_round=not updates, missing=missing)


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


def _reached(entry: _Entry, words: str, where: str, report: str, still_open: set[str],
             problems: list[str]) -> None:
    """The ids written in the "nået" column become rg:reached from the new report;
    each must be one of the initiative's milestones or tasks not reached before."""
    for slug in [w.strip().split(":", 1)[0].strip() for w in re.split(r"[;\n]", words) if w.strip()]:
        item = str(ID[slug]) if re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)+", slug) else None
        if item is None or item not in still_open:
            problems.append(f"{where}: '{slug}' er ikke en åben milepæl eller opgave for initiativet; brug et id "
                            "fra kolonnen 'åbne milepæle og opgaver' (not an open milestone or task)")
            continue
        entry.add(report, RG.reached, item)


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


from .officefiles import MAX_FILE, MAX_UNPACKED  # noqa: E402, F401  (the limits every office file has)

MAX_ROWS = 10_000                    # rows of the sheet (a round has one per initiative)
MAX_ROUND_TEXT = MAX_FILE            # bytes of text one round writes in all: no more than a file may hold


@dataclass
class Sheet:
    """The rows of a round as every reader gives them (the .xlsx's sheet, the .csv, the
    Word document's tables): the header's column names, each data row with the place it
    came from, the round's date and title (``meta``) and where each was read."""

    header: list[str]
    rows: list[tuple[object, list[str]]]          # (place of the row, its cells' text)
    meta: dict = field(default_factory=dict)
    meta_place: dict = field(default_factory=dict)
    name: str = SHEET                             # what the whole is called in a message
    header_place: str = f"{SHEET}!1"
    where: object = None                          # (place, column index) -> "Statusrunde!G5"

    def __post_init__(self) -> None:
        if self.where is None:
            self.where = lambda number, column: f"{SHEET}!{_column(column)}{number}"


def _rows(path: Path, notes: list[str]) -> Sheet:
    from .officefiles import check_size

    check_size(path, _problem)
    suffix = path.suffix.lower()
    if suffix in (".docx", ".docm", ".dotx", ".dotm"):
        from .rounddoc import read_rows

        return read_rows(path)
    if suffix == ".csv":
        rows = _csv_rows(path, notes)
    else:
        rows, meta = _xlsx_rows(path)
        return Sheet(rows[0] if rows else [], list(enumerate(rows[1:], start=2)), meta,
                     {"dato": f"{META}!B1", "titel": f"{META}!B2"})
    return Sheet(rows[0] if rows else [], list(enumerate(rows[1:], start=2)))


def _problem(message: str) -> RoundError:
    """A RoundError of one sentence (for the checks that raise a class with a message)."""
    return RoundError([message])


def _csv_rows(path: Path, notes: list[str]) -> list[list[str]]:
    import io

    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            content = data.decode("utf-16")
        except UnicodeDecodeError:
            raise RoundError([f"{path}: ikke gyldig UTF-16 (not valid UTF-16)"]) from None
    elif b"\x00" in data:
        raise RoundError([f"{path}: ikke en tekstfil (CSV) men binære data (not a text file)"])
    else:
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                content = data.decode("cp1252")
            except UnicodeDecodeError:
                raise RoundError([f"{path}: hverken UTF-8 eller Windows-1252 (neither UTF-8 nor "
                                  "Windows-1252); gem filen som 'CSV UTF-8'"]) from None
            notes.append(f"{path.name} er ikke UTF-8; læst som Windows-1252, som dansk Excel gemmer "
                         "(not UTF-8; read as Windows-1252)")
    rows = []
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        for row in reader:
            if len(rows) > MAX_ROWS:
                raise RoundError([f"{path}: over {MAX_ROWS:,} rækker (too many rows)".replace(",", ".")])
            rows.append([c or "" for c in row])
    except csv.Error as error:
        raise RoundError([f"{path}, linje {reader.line_num}: kan ikke læses som CSV: {error} "
                          f"(a field may be at most {csv.field_size_limit() // 1024} KB)"]) from None
    return rows


def _xlsx_rows(path: Path) -> tuple[list[list[str]], dict[str, object]]:
    from openpyxl import load_workbook

    _check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        _refused_by_defusedxml(error, path)
        raise RoundError([f"{path}: ikke et regneark ({type(error).__name__}) (not a spreadsheet)"]) from None
    try:
        if SHEET not in book.sheetnames:
            raise RoundError([f"{path}: arket '{SHEET}' mangler (missing sheet)"])
        rows, formulas = [], []
        for cells in book[SHEET].iter_rows():
            if len(rows) > MAX_ROWS:
                raise RoundError([f"{path}: over {MAX_ROWS:,} rækker (too many rows)".replace(",", ".")])
            row = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(f"{SHEET}!{cell.coordinate}: cellen er en formel ({str(cell.value)[:40]}); "
                                    "skriv teksten selv (a formula cell: type the text)")
                row.append(_cell_text(cell.value))
                _check_cell(row[-1], f"{SHEET}!{getattr(cell, 'coordinate', '?')}", formulas, raise_now=True)
            rows.append(row)
        if formulas:
            raise RoundError(formulas)
        meta = {}
        if META in book.sheetnames:
            for number, (key, value, *_) in enumerate(book[META].iter_rows(max_row=20, values_only=True), start=1):
                _check_cell(_cell_text(value), f"{META}!B{number}", formulas, raise_now=True)
                meta[str(key)] = value
    except RoundError:
        raise
    except Exception as error:  # a damaged sheet inside a sound zip
        _refused_by_defusedxml(error, path)
        raise RoundError([f"{path}: arket kan ikke læses ({type(error).__name__}) (the sheet cannot be read)"]) from None
    finally:
        book.close()
    return rows, meta


def _check_cell(text: str, where: str, problems: list[str], *, raise_now: bool = False,
                noun: str = "cellen") -> None:
    """A cell (or the title) over the literal limit every reader of the data can hold."""
    from .store import MAX_LITERAL, megabytes, oversize

    size = oversize(text)
    if size is not None:
        problems.append(f"{where}: {noun} fylder {megabytes(size)}; højst {MAX_LITERAL // 1_000_000} MB pr. celle "
                        f"(a cell over {MAX_LITERAL // 1_000_000} MB is refused)")
        if raise_now:   # the rest of a sheet with such cells is not read
            raise RoundError(problems)


def _refused_by_defusedxml(error: BaseException, path: Path) -> None:
    """The sentence when defusedxml (openpyxl's parser, when installed) refused an
    entity or a document type somewhere in the error's chain."""
    seen = 0
    while error is not None and seen < 10:
        if type(error).__module__.startswith("defusedxml"):
            raise RoundError([f"{path}: en del af regnearket erklærer XML-entiteter ({type(error).__name__}); "
                              "de læses ikke (an XML part declares entities: refused)"]) from None
        error, seen = error.__cause__ or error.__context__, seen + 1


def _cell_text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _check_workbook(path: Path) -> None:
    """Refuse a workbook before openpyxl reads it (officefiles.check_package: a zip bomb,
    a part that declares a document type, XML in another encoding than UTF-8, whatever
    the part's name). defusedxml, which openpyxl uses when installed, refuses entities
    inside its parsers as well."""
    from .officefiles import check_package

    check_package(path, kind="xlsx", error=_problem)


def import_round(path: Path, *, into: Path, open_engine, day: date | None = None,
                 dry_run: bool = False, updates: bool = False) -> tuple[Round, Path | None]:
    """Read, validate with the graph, and (unless dry_run) write ``into``/status-DATE.ttl
    (with ``updates``: opdateringer-DATE.ttl, single updates that are no round).
    Nothing is written unless every row is sound and the whole result conforms.

    One import at a time per folder: the folder is locked for the whole import (a
    second one exits with a sentence), the graph is opened (``open_engine()``) only
    once the lock is held, so it includes what an import just before wrote, and the
    file is created exclusively. Temporary files a killed import left are removed."""
    import pyoxigraph as ox

    from .errors import LoadError
    from .store import write_new
    from .validate import check_entries

    with import_lock(into):
        engine = open_engine()
        round_ = read_round(engine, path, day=day, updates=updates)
        target = into / f"{'opdateringer' if updates else 'status'}-{round_.day.isoformat()}.ttl"
        if target.exists():
            raise RoundError([f"{target} findes allerede: runden er indlæst (the round is already imported)"])
        with check_entries(round_.triples, engine) as check:
            if not check.report.conforms:
                labels = Labels(check.engine, "da")
                raise RoundError([f"{labels.display(r.focus_node)}: {r.path or ''} {r.message()}"
                                  for r in check.report.violations])
        if dry_run:
            return round_, None
        # the comment holds nothing from the sheet, and the file name only made one safe line;
        # the title is in the triples, which Oxigraph writes and escapes
        header = (f"# {'Enkelte opdateringer' if updates else 'Statusrunde'} {round_.day.isoformat()}, indlæst fra "
                  f"{comment_safe(path.name)} med `rammegraf round import{' --updates' if updates else ''}`.\n\n")
        body = ox.serialize(round_.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        try:
            # read back as every command will read it, and equal to what was validated, before the rename
            written = write_new(target, header.encode("utf-8") + body, expect=round_.triples)
        except LoadError as error:
            raise RoundError([str(error)]) from None
        if not written:
            raise RoundError([f"{target} findes allerede: runden er indlæst (the round is already imported)"])
        return round_, target


def comment_safe(text: str, limit: int = 200) -> str:
    """``text`` for one line of a comment: every character that could end the line or
    the comment in some reader (line breaks, U+2028/U+2029, any control or format
    character) becomes "?", and it is cut at ``limit`` characters."""
    import unicodedata

    kept = "".join("?" if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c
                   for c in text[:limit])
    return kept + ("…" if len(text) > limit else "")


@contextmanager
def import_lock(folder: Path):
    """Hold an exclusive lock on the data folder for one import; refuse at once if
    another import holds it. Stale temporary files (.status-….ttl.….tmp) found
    under the lock are from a killed import and are removed."""
    import fcntl

    if not Path(folder).is_dir():
        raise RoundError([f"{folder}: mappen findes ikke (no such folder)"])
    handle = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RoundError([f"{folder}: en anden statusrunde indlæses lige nu; prøv igen, når den er "
                              "færdig (another import is running in this folder)"]) from None
        for stale in Path(folder).glob(".status-*.ttl.*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(handle)  # closing releases the lock
