"""Jobs of the Validér page."""

from __future__ import annotations

import re

from ...namespaces import ID


def validate_entry(engine, raw: bytes, name: str, lang: str) -> dict:
    """Validate an uploaded entry together with the graph; nothing is stored."""
    from pathlib import Path

    from ...report import focus_labels
    from ...store import parse_bytes
    from ...validate import check_entries, term_text

    suffix = Path(name).suffix or ".ttl"
    # relative IRIs resolve against the id namespace, as in the SPARQL editor
    triples = parse_bytes(with_prefixes(raw) if suffix.lower() == ".ttl" else raw, name=name, suffix=suffix,
                          base=str(ID))
    if not triples:   # only prefixes or comments: no verdict on nothing
        from ...errors import LoadError

        raise LoadError("intet at validere: der er ingen tripler (nothing to validate: no triples)", file=name)
    with check_entries(triples, engine) as check:
        labels = focus_labels(check.report, check.engine, lang)
        return {
            "conforms": check.report.conforms,
            "violations": len(check.report.violations), "warnings": len(check.report.warnings),
            "results": [{"focus": r.focus, "label": labels.get(r.focus) or "",
                         "path": r.path or "", "severity": r.severity, "message": r.message(lang),
                         "value": term_text(r.value),
                         "known": engine.query("ASK { ?n ?p ?o }", {"n": r.focus_node}).boolean
                         if r.focus.startswith("http") else False}
                        for r in check.report.results],
        }


def with_prefixes(raw: bytes) -> bytes:
    """Turtle with the prefixes of the SPARQL page declared in front (rg:, rdfs:, xsd:
    …) unless the text declares them itself, all on the text's first line so that
    every line number in a parse error stays the user's."""
    from ...namespaces import PREFIXES

    head = raw.removeprefix(b"\xef\xbb\xbf")
    declared = {m.group(1).decode() for m in re.finditer(rb"(?im)^\s*@?prefix\s+([A-Za-z][\w-]*)?:", head)}
    missing = " ".join(f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p not in declared)
    return (missing + " ").encode() + head if missing else head



JOBS = (validate_entry,)
