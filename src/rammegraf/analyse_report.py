"""`rammegraf analyse` output: the analysis as tables or JSON."""

from __future__ import annotations

import json

from .analysis import actor_scores, components, dependency_chains
from .network import build_network
from .tables import render
from .viz import KIND_LABELS

HEAD = {
    "da": {"actors": "Aktører", "chains": "Længste afhængighedskæder (rg:dependsOn)",
           "components": "Sammenhængende komponenter", "cols": ["aktør", "slags", "initiativer",
           "gradcentralitet", "mellemcentralitet"], "chain": ["længde", "kæde"], "comp": ["størrelse", "knuder"]},
    "en": {"actors": "Actors", "chains": "Longest dependency chains (rg:dependsOn)",
           "components": "Connected components", "cols": ["actor", "kind", "initiatives",
           "degree centrality", "betweenness centrality"], "chain": ["length", "chain"], "comp": ["size", "nodes"]},
}


def render_analysis(engine, *, section: str = "all", fmt: str = "table", lang: str = "da") -> str:
    net = build_network(engine, lang=lang)
    words = HEAD[lang]
    label = lambda n: net.nodes[n]["label"]  # noqa: E731
    actors = [[a.label, KIND_LABELS[lang][a.kind], str(a.initiatives), f"{a.degree:.4f}", f"{a.betweenness:.4f}"]
              for a in actor_scores(net)]
    chains = [[str(len(c) - 1), " → ".join(label(n) for n in c)] for c in dependency_chains(net)]
    parts = components(net)
    comps = [[str(len(c)), "; ".join(label(n) for n in c[:8]) + (" …" if len(c) > 8 else "")] for c in parts]
    if fmt == "json":
        return json.dumps({
            "actors": [dict(zip(["iri", "label", "kind", "initiatives", "degree", "betweenness"],
                                [a.iri, a.label, a.kind, a.initiatives, a.degree, a.betweenness]))
                       for a in actor_scores(net)],
            "chains": [[{"iri": n, "label": label(n)} for n in c] for c in dependency_chains(net)],
            "components": [{"size": len(c), "nodes": c} for c in parts],
        }, ensure_ascii=False, indent=2) + "\n"
    tables = {"actors": (words["cols"], actors), "chains": (words["chain"], chains),
              "components": (words["comp"], comps)}
    if fmt in ("csv", "tsv"):
        headers, rows = tables["actors" if section == "all" else section]
        return render(headers, rows, fmt)
    chosen = list(tables) if section == "all" else [section]
    out = []
    for name in chosen:
        headers, rows = tables[name]
        out.append(f"{words[name]}:\n" + render(headers, rows, fmt, max_width=110))
    return "\n".join(out)
