"""Counts per class, initiatives per phase per report date, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, ORG, OWL, RDF

from .labels import label_of
from .namespaces import RG
from .tables import render


@dataclass(frozen=True)
class Stats:
    triples: int
    classes: tuple[tuple[str, int], ...]                 # (class label, instances)
    dates: tuple[str, ...]                               # report dates, oldest first
    phases: tuple[tuple[str, tuple[int, ...]], ...]      # (phase label, count per date)
    conforms: bool
    violations: int
    warnings: int


def compute(graph: Graph, *, lang: str = "da", validate_graph: bool = True) -> Stats:
    classes = [c for c in graph.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and str(c).startswith(str(RG))] + [ORG.Organization, FOAF.Person]
    counts = []
    for cls in classes:
        n = len(set(graph.subjects(RDF.type, cls)))
        if n:
            counts.append((label_of(graph, cls, lang) or str(cls), n))
    counts.sort(key=lambda row: (-row[1], row[0]))

    phases = sorted(graph.subjects(RDF.type, RG.Phase), key=lambda p: int(graph.value(p, RG.phaseOrder)))
    per: dict[tuple[URIRef, str], int] = {}
    for report in graph.subjects(RDF.type, RG.StatusReport):
        key = (graph.value(report, RG.phase), str(graph.value(report, RG.asOf)))
        per[key] = per.get(key, 0) + 1
    dates = tuple(sorted({d for _, d in per}))
    phase_rows = tuple((label_of(graph, p, lang) or str(p), tuple(per.get((p, d), 0) for d in dates))
                       for p in phases)

    conforms, violations, warnings = True, 0, 0
    if validate_graph:
        from .validate import validate

        report = validate(graph)
        conforms, violations, warnings = report.conforms, len(report.violations), len(report.warnings)
    return Stats(len(graph), tuple(counts), dates, phase_rows, conforms, violations, warnings)


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
