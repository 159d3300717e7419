"""The validation report for people (text), programs (JSON) and RDF tools (Turtle)."""

from __future__ import annotations

import json

from .labels import Labels
from .validate import ValidationReport, ValidationResult, term_text

SEVERITY = {"da": {"Violation": "FEJL", "Warning": "ADVARSEL", "Info": "INFO"},
            "en": {"Violation": "VIOLATION", "Warning": "WARNING", "Info": "INFO"}}


def headline(report: ValidationReport, lang: str = "da", *, hidden_warnings: int = 0) -> str:
    v, w = len(report.violations), len(report.warnings)
    if lang == "en":
        verdict = "Conforms" if report.conforms else "Does not conform"
        text = f"{verdict}: {v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}."
        if hidden_warnings:
            text += f" ({hidden_warnings} warning{'s' * (hidden_warnings != 1)} in the existing data not shown.)"
        return text
    verdict = "Gyldig" if report.conforms else "Ikke gyldig"
    text = f"{verdict}: {v} fejl, {w} {'advarsel' if w == 1 else 'advarsler'}."
    if hidden_warnings:
        noun = "advarsel" if hidden_warnings == 1 else "advarsler"
        text += f" ({hidden_warnings} {noun} i de eksisterende data er ikke vist.)"
    return text


def format_report(report: ValidationReport, engine, fmt: str = "text", *,
                  lang: str = "da", hidden_warnings: int = 0) -> str:
    """The report for people (text), programs (json) or RDF tools (ttl); labels
    of the focus nodes come from ``engine``."""
    if fmt == "ttl":
        return report.turtle()
    labels = focus_labels(report, engine, lang)
    if fmt == "json":
        return json.dumps(_as_json(report, labels, lang, hidden_warnings),
                          ensure_ascii=False, indent=2) + "\n"
    return _as_text(report, labels, lang, hidden_warnings)


def focus_labels(report: ValidationReport, engine, lang: str) -> dict[str, str | None]:
    """The label of every focus node of the report (IRI string → label)."""
    import pyoxigraph as ox

    labels = Labels(engine, lang)
    nodes = list({r.focus_node for r in report.results if isinstance(r.focus_node, ox.NamedNode)})
    labels.load(nodes)
    return {node.value: labels.of(node) for node in nodes}


def _as_text(report: ValidationReport, labels: dict, lang: str, hidden_warnings: int) -> str:
    lines = [headline(report, lang, hidden_warnings=hidden_warnings)]
    groups: dict = {}
    for result in report.results:
        groups.setdefault(result.focus, []).append(result)
    for focus in sorted(groups, key=lambda f: _focus_key(labels, f, groups[f])):
        results = sorted(groups[focus], key=lambda r: (r.severity != "Violation", r.path or ""))
        label = labels.get(str(focus))
        lines.append("")
        lines.append(f"{label}  <{focus}>" if label else f"<{focus}>")
        width = max(len(r.path or "") for r in results)
        for result in results:
            severity = SEVERITY.get(lang, SEVERITY["en"]).get(result.severity, result.severity)
            value = f"  [{term_text(result.value)}]" if result.value is not None and result.path else ""
            lines.append(f"  {severity:<9} {(result.path or '').ljust(width)}  {result.message(lang)}{value}")
    return "\n".join(lines) + "\n"


def _focus_key(labels: dict, focus, results: list[ValidationResult]) -> tuple:
    """Focus nodes with a violation first, then by label."""
    rank = 0 if any(r.severity == "Violation" for r in results) else 1
    return (rank, (labels.get(str(focus)) or "").casefold(), str(focus))


def _as_json(report: ValidationReport, labels: dict, lang: str, hidden_warnings: int) -> dict:
    return {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "hiddenWarnings": hidden_warnings,
        "results": [{
            "focusNode": r.focus,
            "focusLabel": labels.get(r.focus),
            "path": r.path,
            "severity": r.severity,
            "message": r.message(lang),
            "constraint": r.constraint,
            "sourceShape": term_text(r.source_shape),
            "value": None if r.value is None else term_text(r.value),
        } for r in report.results],
    }
