"""Counts per class, initiatives per phase per report date, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from .labels import Labels
from .tables import render
from .terms import text


@dataclass(frozen=True)
class Stats:
    triples: int
    classes: tuple[tuple[str, int], ...]                 # (class label, instances)
    dates: tuple[str, ...]                               # report dates, oldest first
    phases: tuple[tuple[str, tuple[int, ...]], ...]      # (phase label, count per date)
    conforms: bool
    violations: int
    warnings: int


def compute(engine, *, lang: str = "da", validate_graph: bool = True) -> Stats:
    """Counts per class (the ontology's classes, organisations and people), initiatives
    per phase per report date, and the validation verdict."""
    labels = Labels(engine, lang)
    counts = engine.query("""
        SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
          { ?class a owl:Class FILTER (STRSTARTS(STR(?class), STR(rg:))) }
          UNION { VALUES ?class { org:Organization foaf:Person } }
          ?x a ?class .
        } GROUP BY ?class""").rows
    labels.load(c for c, _ in counts)
    classes = sorted(((labels.display(c), int(n.value)) for c, n in counts), key=lambda r: (-r[1], r[0]))

    phases = engine.query("SELECT ?p ?order WHERE { ?p a rg:Phase ; rg:phaseOrder ?order }").rows
    phases = [p for p, _ in sorted(phases, key=lambda r: int(r[1].value))]
    per = engine.query("""SELECT ?phase ?day (COUNT(?r) AS ?n) WHERE {
        ?r a rg:StatusReport ; rg:phase ?phase ; rg:asOf ?day } GROUP BY ?phase ?day""").rows
    counted = {(p.value, text(d)): int(n.value) for p, d, n in per}
    dates = tuple(sorted({d for _, d in counted}))
    labels.load(phases)
    phase_rows = tuple((labels.display(p), tuple(counted.get((p.value, d), 0) for d in dates)) for p in phases)

    conforms, violations, warnings = True, 0, 0
    if validate_graph:
        from .validate import validate

        report = validate(engine)
        conforms, violations, warnings = report.conforms, len(report.violations), len(report.warnings)
    return Stats(len(engine), tuple(classes), dates, phase_rows, conforms, violations, warnings)


WORDS = {
    "da": ("Tripler", "Klasse", "Antal", "Fase", "Gyldig", "Ikke gyldig", "fejl", "advarsler",
           "Initiativer pr. fase pr. rapportdato"),
    "en": ("Triples", "Class", "Count", "Phase", "Conforms", "Does not conform", "violations",
           "warnings", "Initiatives per phase per report date"),
}


def render_stats(stats: Stats, fmt: str = "table", *, lang: str = "da") -> str:
    triples, cls, count, phase, ok, not_ok, viol, warn, per_phase = WORDS.get(lang, WORDS["en"])
    if fmt == "json":
        import json

        return json.dumps({
            "triples": stats.triples,
            "classes": dict(stats.classes),
            "phases": {label: dict(zip(stats.dates, row)) for label, row in stats.phases},
            "conforms": stats.conforms, "violations": stats.violations, "warnings": stats.warnings,
        }, ensure_ascii=False, indent=2) + "\n"
    verdict = f"{ok if stats.conforms else not_ok}: {stats.violations} {viol}, {stats.warnings} {warn}"
    parts = [f"{triples}: {stats.triples}", verdict, "",
             render([cls, count], [[label, str(n)] for label, n in stats.classes], fmt), "",
             per_phase + ":",
             render([phase, *stats.dates], [[label, *map(str, row)] for label, row in stats.phases], fmt)]
    return "\n".join(parts)
