"""The `rammegraf` command: a thin skin over the library.

Each command parses its arguments, calls one library function and prints the
result. A RammegrafError becomes its sentence on stderr and its exit code:
0 ok, 1 does not conform, 2 cannot load or bad usage. Heavy libraries (rdflib,
pySHACL, networkx) are imported inside the commands, so `--help` is instant.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from .errors import RammegrafError

LANG = click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
                    help="Sprog for etiketter og beskeder (language of labels and messages).")
ENDPOINT_URL = click.option("--endpoint", envvar="RAMMEGRAF_ENDPOINT", metavar="URL",
                            help="Read from this SPARQL 1.1 query endpoint instead of the shipped files "
                                 "(also $RAMMEGRAF_ENDPOINT).")


def _remember_timeout(ctx, param, value):
    ctx.meta["rammegraf.remote_timeout"] = value
    return value


REMOTE_TIMEOUT = click.option("--timeout", type=click.FloatRange(0.1, 86400), default=30.0, show_default=True,
                              expose_value=False, callback=_remember_timeout, metavar="SECONDS",
                              help="With --endpoint: seconds a server has for each whole answer "
                                   "(connecting, headers and body); past it, a sentence and exit 2.")


def _allow_insecure(ctx, param, value):
    if value:   # the worker processes of serve --endpoint read it too
        os.environ["RAMMEGRAF_ALLOW_INSECURE_AUTH"] = "1"
    return value


ALLOW_INSECURE = click.option("--allow-insecure-auth", is_flag=True, expose_value=False, callback=_allow_insecure,
                              help="Send a password by HTTP Basic over plain http to another machine when the "
                                   "server asks (refused by default: use https; also "
                                   "$RAMMEGRAF_ALLOW_INSECURE_AUTH=1).")


def ENDPOINT(command):  # noqa: N802  (used like the other option constants)
    """--endpoint, --timeout and --allow-insecure-auth for a command that can read from a SPARQL server."""
    return ENDPOINT_URL(REMOTE_TIMEOUT(ALLOW_INSECURE(command)))
GRAPH = click.option("--graph", "graph_iri", metavar="IRI",
                     help="With --endpoint: the named graph holding the data (default: the default graph).")
DATA = click.option("--data", "data_dirs", multiple=True,
                    type=click.Path(file_okay=False, path_type=Path),
                    help="Læs data fra denne mappe i stedet for de medfølgende (repeatable).")


USERS_FILE = click.option("--users", "users_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                          help="The accounts file (default: $RAMMEGRAF_USERS, else "
                               "~/.config/rammegraf/users.json).")


def friendly(command):
    """Turn a RammegrafError into its message and exit code, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RammegrafError as error:
            click.echo(f"rammegraf: {error}", err=True)
            sys.exit(error.exit_code)
    return wrapper


def _engine(data_dirs, endpoint: str | None = None, graph_iri: str | None = None, *, in_memory: bool = False):
    """The store a command reads: the shipped files (or --data), or an endpoint."""
    from .engine import open_engine

    context = click.get_current_context(silent=True)
    timeout = context.meta.get("rammegraf.remote_timeout", 30.0) if context else 30.0
    return open_engine(data_dirs or None, endpoint=endpoint, graph_iri=graph_iri,
                       persistent=False if in_memory else None, timeout=timeout)


IN_MEMORY = click.option("--in-memory", "in_memory", is_flag=True,
                         help="Load a large folder into memory instead of opening its on-disk store: "
                              "slower to start, much faster for queries that read most of the graph.")


def _emit(text: str, output: Path | None = None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        from .store import write_atomic

        write_atomic(output, text.encode("utf-8"))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="rammegraf", prog_name="rammegraf")
def main():
    """Vidensgrafen over Rammeaftale 2025-26 (Midtjylland).

    A knowledge graph of the Midtjylland framework agreement on the specialised
    social area: validate entries, run named SPARQL queries, describe and export.

    Exit codes: 0 ok, 1 does not conform, 2 cannot load or bad usage.
    """


# --------------------------------------------------------------------------- validate

@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text",
              show_default=True, help="text for people, json for programs, ttl = the SHACL report graph.")
@click.option("--engine", "validator", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph",
              show_default=True, help="oxigraph: the shapes compiled to SPARQL (fast); pyshacl: the "
              "reference implementation, for comparison (slow on large graphs).")
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def validate(files, fmt, lang, data_dirs, endpoint, graph_iri, validator):
    """Validér grafen, eller nye filer sammen med grafen (validate).

    Without FILES, validates the shipped graph. With FILES, validates them
    together with the ontology and data, so a new status report may point at an
    existing initiative. Exit 0 conforms (warnings allowed), 1 violations, 2
    cannot load.

    \b
    Example:
      rammegraf validate
      rammegraf validate ny-statusrunde.ttl --lang en
    """
    from .report import format_report
    from .validate import validate as run_validation
    from .validate import validate_entries

    engine = _engine(data_dirs, endpoint, graph_iri)
    if files:
        with validate_entries(list(files), engine=engine, validator=validator) as check:
            report = check.report
            _emit(format_report(report, check.engine, fmt, lang=lang, hidden_warnings=check.hidden_warnings))
    else:
        report = run_validation(engine, engine=validator)
        _emit(format_report(report, engine, fmt, lang=lang))
    sys.exit(0 if report.conforms else 1)


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shapes", "shapes", multiple=True, required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A shapes graph file (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text",
              show_default=True, help="text for people, json for programs, ttl = the SHACL results graph.")
@LANG
@friendly
def shacl(data, shapes, fmt, lang):
    """Validér egne grafer mod egne former (validate your own graphs against your own shapes).

    The validator on DATA files and --shapes files of your choosing, nothing
    else loaded (not the plan's ontology, data or shapes). Exit 0 conforms
    (warnings allowed), 1 violations, 2 cannot load or bad usage.

    \b
    Example:
      rammegraf shacl data.ttl --shapes shapes.ttl
      rammegraf shacl a.ttl b.nt --shapes shapes.ttl --format ttl
    """
    from .report import format_report
    from .validate import validate_files

    check = validate_files(list(data), list(shapes))
    _emit(format_report(check.report, check.engine, fmt, lang=lang))
    sys.exit(0 if check.report.conforms else 1)


# --------------------------------------------------------------------------- query

def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' skal skrives navn=værdi (must be name=value)",
                                     param_hint="--param")
        params[key.strip()] = value
    return params


def _load_query(source: str):
    from .query import get_query, parse_query_text, read_query

    if source == "-":
        return parse_query_text(sys.stdin.read(), name="-")
    path = Path(source)
    if source.endswith(".rq") or path.is_file():
        if not path.is_file():
            from .query import QueryError

            raise QueryError("filen findes ikke (no such file)", query=source)
        return read_query(path)
    return get_query(source)


@main.command()
@click.argument("source", metavar="NAME|FILE.rq|-")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter from the query's header (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]),
              default="table", show_default=True)
@click.option("--iris", is_flag=True, help="Show IRIs instead of labels.")
@LANG
@DATA
@IN_MEMORY
@ENDPOINT
@GRAPH
@friendly
def query(source, params, fmt, iris, lang, data_dirs, in_memory, endpoint, graph_iri):
    """Kør en navngiven forespørgsel, en .rq-fil eller stdin (run a query).

    Parameters are typed by the query's header and bound, never pasted into it.
    Results show labels in the chosen language; ASK prints ja/nej (yes/no);
    CONSTRUCT and DESCRIBE print Turtle.

    \b
    Example:
      rammegraf query afhaenger-af-milepael
      rammegraf query afhaenger-af-milepael --param deadline=2026-06-30
      rammegraf query status-i-rapport -p date=2025-04-08 --format csv
    """
    from .labels import Labels
    from .query import run_on
    from .tables import render_result

    named = _load_query(source)
    values = _parse_params(params)
    engine = _engine(data_dirs, endpoint, graph_iri, in_memory=in_memory)
    answer = run_on(engine, named, values)
    captions = [named.caption(v, lang) for v in answer.vars] if answer.form == "SELECT" else None
    _emit(render_result(answer, Labels(engine, lang), fmt, lang=lang, show_labels=not iris, captions=captions))


@main.group(invoke_without_command=True)
@LANG
@click.pass_context
@friendly
def queries(ctx, lang):
    """List de navngivne forespørgsler (list the named queries).

    \b
    Example:
      rammegraf queries
      rammegraf queries show faseskift
    """
    if ctx.invoked_subcommand is not None:
        return
    from .query import named_queries
    from .tables import render

    rows = [[q.name, q.title(lang), ", ".join(p.name for p in q.params)] for q in named_queries()]
    headers = ["navn", "titel", "parametre"] if lang == "da" else ["name", "title", "parameters"]
    click.echo(render(headers, rows, "table", max_width=90), nl=False)


@queries.command("show")
@click.argument("name")
@LANG
@friendly
def queries_show(name, lang):
    """Vis en forespørgsels hoved, parametre og tekst (show one query).

    \b
    Example:
      rammegraf queries show afhaenger-af-milepael
    """
    from .query import get_query

    q = get_query(name)
    lines = [q.title(lang), "", q.description(lang), ""]
    if q.params:
        lines.append("Parametre:" if lang == "da" else "Parameters:")
        for p in q.params:
            cls = f" ({p.cls})" if p.cls else ""
            default = f" = {p.default}" if p.default is not None else \
                (" (påkrævet)" if lang == "da" else " (required)")
            lines.append(f"  {p.name}: {p.type}{cls}{default}")
        lines.append("")
    lines.append(q.text.rstrip())
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- describe, export, stats

@main.command()
@click.argument("resource", metavar="IRI|LABEL")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text",
              show_default=True)
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def describe(resource, fmt, lang, data_dirs, endpoint, graph_iri):
    """Alt om én ressource (everything about one resource).

    Kinds, properties with labels, incoming links, and for an initiative its
    status history by date with the source document of each. RESOURCE is an
    IRI, a path like initiativ/botilbudsteams, or a label.

    \b
    Example:
      rammegraf describe Botilbudsteams
      rammegraf describe initiativ/monitorering-af-f-act --lang en
    """
    from .describe import describe as describe_resource
    from .describe import render_description, resolve

    engine = _engine(data_dirs, endpoint, graph_iri)
    node = resolve(engine, resource)
    _emit(render_description(describe_resource(engine, node, lang=lang), engine, fmt, lang=lang))


@main.command()
@click.argument("words", nargs=-1, required=True, metavar="TEXT...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "tsv"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="At most this many hits.")
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def search(words, fmt, limit, lang, data_dirs, endpoint, graph_iri):
    """Find resources from words of their names (search).

    Searches labels, other names, notations ("§ 108"), municipality codes and
    descriptions. Danish letters may be written ae, oe, aa; a word may be the
    start of a name; a typing slip is forgiven. Hits are grouped by kind, with
    the development area and, for an initiative, its latest phase. Exits 1 when
    nothing is found.

    \b
    Example:
      rammegraf search botilbud
      rammegraf search faelles principper --format json
      rammegraf search "§ 108"
    """
    import json

    from .search import grouped, open_index
    from .tables import safe_cell

    text = " ".join(words)
    index = open_index(_engine(data_dirs, endpoint, graph_iri))
    hits = index.search(text, lang=lang, limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"query": text, "count": len(hits), "capped": index.capped,
                               "results": [{"iri": h.iri, "label": h.label, "kind": h.kind,
                                            "kind_label": h.kind_label, "areas": h.areas, "phase": h.phase_label,
                                            "phase_date": h.phase_date, "matched": h.matched, "score": h.score}
                                           for h in hits]}, ensure_ascii=False, indent=1))
    elif fmt == "tsv":
        click.echo("\t".join(["kind", "label", "area", "phase", "iri"]))
        for h in hits:
            cells = [h.kind_label, h.label, ", ".join(h.areas), h.phase_label or "", h.iri]
            click.echo("\t".join(safe_cell(c).replace("\t", " ").replace("\n", " ") for c in cells))
    else:
        for group in grouped(hits):
            click.echo(f"{group.label} ({len(group.hits)})")
            for h in group.hits:
                details = [", ".join(h.areas), f"{h.phase_label} {h.phase_date}" if h.phase_label else "", h.matched]
                extra = " · ".join(d for d in details if d)
                click.echo(f"  {h.label}" + (f"  · {extra}" if extra else ""))
                click.echo(f"    {h.iri}")
        if index.capped:
            click.echo("(ordet findes i rigtig mange ressourcer; de bedste vises — "
                       "the word is in very many resources; the best are shown)", err=True)
    if not hits:
        click.echo(f"intet fundet for '{text}' (nothing found)", err=True)
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "trig", "jsonld", "rdfxml", "graphml", "gexf"]),
              default="ttl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@LANG
@DATA
@friendly
def export(fmt, output, lang, data_dirs):
    """Eksportér den samlede graf (export the merged graph).

    RDF as Turtle, N-Triples, TriG, JSON-LD or RDF/XML; GraphML or GEXF (for Gephi)
    through the network projection.

    \b
    Example:
      rammegraf export --format ttl -o rammegraf.ttl
      rammegraf export --format gexf -o rammegraf.gexf
    """
    from .export import export as export_graph
    from .store import write_atomic

    data = export_graph(_engine(data_dirs), fmt, lang=lang)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        write_atomic(output, data)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "md", "json"]), default="table",
              show_default=True)
@LANG
@DATA
@friendly
def stats(fmt, lang, data_dirs):
    """Tal: klasser, faser pr. rapportdato og valideringen (statistics).

    \b
    Example:
      rammegraf stats
    """
    from .stats import compute, render_stats

    result = compute(_engine(data_dirs), lang=lang)
    _emit(render_stats(result, fmt, lang=lang))
    sys.exit(0 if result.conforms else 1)


# --------------------------------------------------------------------------- graph, analyse

@main.command()
@click.option("--view", default="all", show_default=True, metavar="all|area:SLUG|actor:SLUG|initiative:SLUG|law:SLUG",
              help="The whole graph, or the neighbourhood of one resource.")
@click.option("--depth", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Hops from the resource a view is centred on.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Colour initiatives by their phase as of this date (ÅÅÅÅ-MM-DD); default: the latest report.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the page to this file (atomically); default: standard output.")
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def graph(view, depth, as_of, output, lang, data_dirs, endpoint, graph_iri):
    """Interaktiv netværksgraf som én HTML-fil (an interactive graph page).

    The page opens offline (vis-network is embedded), with a legend, search,
    filters by kind and development area, a report-date control, a side panel
    per node, and the same nodes and links as a sortable table.

    \b
    Example:
      rammegraf graph -o plan.html
      rammegraf graph --view area:mental-sundhed-og-psykiatri --depth 1 -o omraade1.html
      rammegraf graph --view actor:dassos --as-of 2025-04-08 -o dassos.html
    """
    from .viz import view_page

    page, shown = view_page(_engine(data_dirs, endpoint, graph_iri), view=view, depth=depth,
                            as_of=as_of.date() if as_of else None, lang=lang)
    if shown.note:
        click.echo(f"bemærk: {shown.note}", err=True)
    _emit(page, output)


@main.command()
@click.option("--section", type=click.Choice(["all", "actors", "chains", "components"]), default="all",
              show_default=True, help="Which table; csv and tsv take one (all means actors there).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]), default="table",
              show_default=True)
@LANG
@DATA
@friendly
def analyse(section, fmt, lang, data_dirs):
    """Netværksanalyse: centrale aktører, afhængighedskæder, komponenter (analysis).

    Degree and betweenness centrality of actors with the number of initiatives
    each takes part in, the longest rg:dependsOn chains, and the connected
    components of the network projection.

    \b
    Example:
      rammegraf analyse
      rammegraf analyse --section actors --format csv > aktoerer.csv
    """
    from .analyse_report import render_analysis

    _emit(render_analysis(_engine(data_dirs), section=section, fmt=fmt, lang=lang))


# --------------------------------------------------------------------------- serve

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: only this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds a query or page may wait and run before it is stopped (503).")
@click.option("--validate-timeout", type=click.FloatRange(0.1, 3600), default=60.0, show_default=True,
              help="Seconds a validation on the Validér page may wait and run.")
@click.option("--page-timeout", type=click.FloatRange(0, 86400), default=120.0, show_default=True,
              help="Seconds a page may be computed in all: a reader is answered 503 at --timeout, and the "
                   "page is finished and kept for the next reader (0: stopped at --timeout).")
@click.option("--row-cap", type=click.IntRange(1), default=10_000, show_default=True,
              help="Result rows past this are cut, with a notice.")
@click.option("--workers", type=click.IntRange(2, 64), default=None,
              help="Worker processes that run queries and pages (default: one more than the cores).")
@click.option("--answer-cache", "answer_cache", type=click.IntRange(0), default=32, show_default=True,
              metavar="MB", help="Megabytes of answers kept for queries sent again (0: none).")
@click.option("--page-cache-disk", "page_cache_disk", type=click.IntRange(0), default=1000, show_default=True,
              metavar="MB", help="Megabytes of pages too large for the page cache in memory (over 8 MB) kept "
                                 "on disk until a save, in a folder of the server's own (0: none).")
@click.option("--endpoint-keep", "endpoint_keep", type=click.FloatRange(0, 86400), default=0.0, show_default=True,
              metavar="SECONDS", help="With --endpoint: keep each page computed from the server this many seconds, "
                                     "and compute the front page ahead and again as often (0: every page asks the "
                                     "server anew).")
@click.option("--worker-memory", "worker_memory", type=click.IntRange(0), default=2048, show_default=True,
              metavar="MB", help="Megabytes of memory each worker may use; a query that needs more is stopped "
                                 "with 503 (0: no cap).")
@click.option("--max-connections", "max_connections", type=click.IntRange(1), default=None, metavar="N",
              help="Connections held open at once; past it, 503 and closed (default: half the file "
                   "descriptors the process may open, at most 1000).")
@click.option("--get", "get_path", metavar="/PATH",
              help="Answer one request in-process, print the body, and exit (0: 2xx/3xx, 1: 4xx, 2: 5xx).")
@click.option("--accept", default="text/html", show_default=True, help="The Accept header for --get.")
@click.option("--write", is_flag=True,
              help="Let the entry forms (/ny) save: each conforming entry becomes its own file in "
                   "DATA/indtastet/ (the first --data folder). Off by default. Needs an identity: "
                   "the accounts of 'rammegraf users', or --trust-proxy-user.")
@USERS_FILE
@click.option("--trust-proxy-user", "proxy_user_header", metavar="HEADER",
              help="With --proxy: the header in which the reverse proxy names the signed-in user "
                   "(e.g. X-Forwarded-User); read only from the --proxy addresses, never from anyone else.")
@click.option("--proxy", "proxies", multiple=True, metavar="ADDRESS",
              help="The reverse proxy's IP address or network (CIDR; repeatable). Only from there are "
                   "--trust-proxy-user, X-Forwarded-Host, -Proto and -For read.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="HOST[:PORT]",
              help="A host name the server answers to (repeatable; without a port, any port). Default: the "
                   "address it listens on, with localhost and 127.0.0.1 on loopback. Other Host headers get "
                   "421 (DNS rebinding).")
@click.option("--access-log", "access_log", metavar="FILE",
              help="Append a line per request to FILE (Combined Log Format with the user); default: "
                   "standard error.")
@DATA
@IN_MEMORY
@ENDPOINT_URL
@ALLOW_INSECURE
@GRAPH
@friendly
def serve(host, port, timeout, validate_timeout, page_timeout, row_cap, workers, answer_cache, page_cache_disk,
          endpoint_keep, worker_memory, max_connections,
          get_path, accept, write, users_path, proxy_user_header, proxies, allowed_hosts, access_log,
          data_dirs, in_memory, endpoint, graph_iri):
    """Webappen til analytikere og et SPARQL-endpoint (the web app).

    Pages in Danish (?lang=en for English): the front page, named queries with
    forms and downloads, a SPARQL editor, a page per resource (/id/…), the graph
    views, validation of pasted Turtle, entry forms made from the shapes (/ny;
    they save only with --write), and the ontology. /sparql is a read-only
    SPARQL 1.1 Protocol endpoint. Every query and page runs in a pool of worker
    processes, each with the store opened read-only, within the time limit.

    \b
    Example:
      rammegraf serve                        # http://127.0.0.1:8000/
      rammegraf serve --port 8080 --timeout 5
      rammegraf serve --get /id/initiativ/botilbudsteams --accept text/turtle
      rammegraf serve --write --data ./mine-data   # the forms at /ny save into ./mine-data/indtastet
      rammegraf serve --write --host 0.0.0.0 --allowed-host rammegraf.intranet:8000
      rammegraf serve --write --trust-proxy-user X-Forwarded-User --proxy 127.0.0.1
    """
    from .web import Settings, create_app, get_once
    from .web.pool import default_workers

    _check_proxy(proxy_user_header, proxies, allowed_hosts)
    if endpoint_keep and not endpoint:
        raise RammegrafError("--endpoint-keep gælder kun med --endpoint (is for --endpoint only: local pages "
                             "are kept until a save)")
    users = None
    if write:
        _writable(data_dirs, endpoint)
        users = _writers(users_path, proxy_user_header)

    settings = Settings(timeout=timeout, validate_timeout=validate_timeout, page_timeout=page_timeout,
                        row_cap=row_cap,
                        workers=workers or default_workers(), answer_cache=answer_cache * 1_000_000,
                        page_cache_disk=page_cache_disk * 1_000_000,
                        in_memory_limit=2**62 if in_memory else Settings.in_memory_limit,
                        data_dirs=tuple(data_dirs), write=write, worker_memory=worker_memory,
                        endpoint=endpoint, graph_iri=graph_iri, endpoint_keep=endpoint_keep, users=users,
                        proxy_user_header=proxy_user_header, proxies=tuple(proxies),
                        warm=get_path is None)     # the front page computed ahead, unless one GET is all
    if get_path is not None:
        # the request is made in-process, to 127.0.0.1
        settings.allowed_hosts = (*allowed_hosts, "127.0.0.1") if allowed_hosts else ("127.0.0.1",)
        settings.access_log = access_log
        status, body, _ = get_once(create_app(settings), get_path, accept=accept)
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        sys.exit(0 if status < 400 else 1 if status < 500 else 2)
    import uvicorn

    from .web.app import default_allowed_hosts

    sock = _listening_socket(host, port)
    port = sock.getsockname()[1]
    settings.allowed_hosts = tuple(allowed_hosts) or default_allowed_hosts(host, port)
    settings.access_log = access_log or "-"
    app = create_app(settings)
    click.echo(f"rammegraf kører på http://{host}:{port}/  (Ctrl-C stopper / stops)")
    click.echo(f"rammegraf svarer på (answers to): {', '.join(settings.allowed_hosts)}")
    if write:
        from .entries import FOLDER, data_folder

        click.echo(f"rammegraf gemmer nye poster fra /ny i {data_folder(data_dirs or None) / FOLDER} "
                   "(saves new entries there)")
        if host not in ("127.0.0.1", "::1", "localhost"):
            click.echo(f"rammegraf: advarsel: {host}:{port} kan nås fra andre maskiner; sæt https foran (en "
                       "omvendt proxy med TLS), for ellers går adgangskoder og sessionscookien ukrypteret over "
                       "nettet, og cookien er kun Secure over https (warning: put https in front: otherwise "
                       "passwords and the session cookie cross the network in clear text)", err=True)
    from .web.server import Limits, config

    uvicorn.Server(config(app, host=host, port=port, limits=Limits(connections=max_connections))).run(sockets=[sock])


def _check_proxy(header, proxies, allowed_hosts) -> None:
    """--trust-proxy-user needs --proxy; each address is an IP address or a network; each host a host."""
    import ipaddress

    from .web.app import split_host

    if header and not proxies:
        raise RammegrafError("--trust-proxy-user kræver --proxy ADRESSE: headeren læses kun fra den omvendte "
                             "proxy, aldrig fra andre (--trust-proxy-user needs --proxy ADDRESS)")
    if header and not all(c.isalnum() or c in "-_" for c in header):
        raise RammegrafError(f"'{header}' er ikke navnet på en header (not a header name)")
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise RammegrafError(f"--proxy '{proxy}' er ikke en IP-adresse eller et netværk som 10.0.0.0/8 "
                                 "(not an IP address or network)") from None
    for host in allowed_hosts:
        if split_host(host) is None:
            raise RammegrafError(f"--allowed-host '{host}' er ikke et værtsnavn med en eventuel port, fx "
                                 "rammegraf.intranet:8000 (not a host name with an optional port)")


def _writers(users_path, proxy_user_header):
    """--write needs someone to name who saves: the accounts file (returned when it has
    accounts) or the trusted proxy; neither is exit 2 with how to add a user."""
    from .auth import Accounts, users_file

    path = users_file(users_path)
    accounts = Accounts(path)
    if accounts.names():
        if path.stat().st_mode & 0o077:
            click.echo(f"rammegraf: advarsel: {path} kan læses af andre; gør den privat med 'chmod 600 {path}' "
                       "(warning: the users file is readable by others)", err=True)
        return path
    if proxy_user_header:
        return None
    raise RammegrafError(f"--write kræver, at man logger ind: der er ingen brugere i {path}. Tilføj en med "
                         "'rammegraf users add NAVN' (eller brug --trust-proxy-user HEADER --proxy ADRESSE bag en "
                         "omvendt proxy med login) (--write needs sign-in: add a user with 'rammegraf users add "
                         "NAME')")


def _writable(data_dirs, endpoint) -> None:
    """--write needs local files it may write (refused with a sentence otherwise)."""
    if endpoint:
        raise RammegrafError("--write gemmer i datamappen og kan ikke bruges med --endpoint; gem på serveren "
                             "med 'rammegraf push' (--write saves to the data folder, not to a SPARQL server)")
    from .entries import data_folder

    folder = data_folder(data_dirs or None)
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise RammegrafError(f"{folder}: datamappen findes ikke eller kan ikke skrives i; --write gemmer "
                             "nye poster her (the data folder is missing or not writable)")


def _listening_socket(host: str, port: int):
    """The server's socket, bound before anything is said: a busy port or a bad
    address is one sentence that says what to do, not uvicorn's error after a
    'kører på' line."""
    import errno
    import socket

    from .errors import RammegrafError

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        raise RammegrafError(f"adressen '{host}' kendes ikke; brug fx --host 127.0.0.1 "
                             "(unknown address: use e.g. --host 127.0.0.1)") from None
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else 8080
            raise RammegrafError(f"port {port} på {host} er optaget af et andet program; vælg en anden med "
                                 f"--port {other} (med make: make run PORT={other}) "
                                 "(the port is in use: choose another)") from None
        raise RammegrafError(f"kan ikke lytte på {host}:{port}: {error.strerror} "
                             "(cannot listen on that address and port)") from None
    sock.set_inheritable(True)
    return sock


# --------------------------------------------------------------------------- push

@main.command()
@click.option("--endpoint", envvar="RAMMEGRAF_ENDPOINT", metavar="URL",
              help="The server's query endpoint; for Oxigraph (…/query) the graph store is found from it.")
@click.option("--store", "store_url", metavar="URL",
              help="The Graph Store Protocol URL (Oxigraph …/store, Fuseki …/DATASET/data, "
                   "GraphDB …/repositories/REPO/rdf-graphs/service).")
@GRAPH
@DATA
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=30.0, show_default=True, metavar="SECONDS",
              help="Seconds the store has to take the whole graph and answer.")
@ALLOW_INSECURE
@friendly
def push(endpoint, store_url, graph_iri, data_dirs, timeout):
    """Læg grafen på en SPARQL-server (load the graph into a shared server).

    Replaces the default graph (or --graph IRI) with the ontology and data by an
    HTTP PUT over the Graph Store Protocol: pushing twice replaces, never doubles.

    \b
    Example:
      rammegraf push --endpoint http://127.0.0.1:7878/query
      rammegraf push --store http://localhost:3030/rammegraf/data --graph https://w3id.org/rammegraf/graph
    """
    from .engine import push as push_graph
    from .errors import RammegrafError

    if not store_url:
        if not endpoint or not endpoint.rstrip("/").endswith("/query"):
            raise RammegrafError("angiv --store med Graph Store-adressen; den kan kun findes ud fra et "
                                 "Oxigraph-endpoint (…/query) (give --store)")
        store_url = endpoint.rstrip("/")[: -len("/query")] + "/store"
    count = push_graph(_engine(data_dirs), store_url, graph_iri=graph_iri, timeout=timeout)
    target = graph_iri or ("standardgrafen" + " (the default graph)")
    click.echo(f"{count} tripler lagt i {target} på {store_url}")


# --------------------------------------------------------------------------- deadlines

@main.command()
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date to look from (ÅÅÅÅ-MM-DD); default: today.")
@click.option("--within", type=click.IntRange(0, 3650), default=90, show_default=True,
              help="Days ahead that count as upcoming.")
@click.option("--ics", "ics_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every milestone as an iCalendar file (all-day events over its interval).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "md"]), default="table",
              show_default=True)
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def deadlines(as_of, within, ics_path, fmt, lang, data_dirs, endpoint, graph_iri):
    """Frister: nåede, overskredne, forfaldne og kommende milepæle (deadlines).

    A fuzzy milestone ("primo 2026") is due while its interval is open and
    overdue only after its latest day and only if no status report of that date
    or earlier shows it reached: the report says so (rg:reached), has the
    initiative it is the start of in progress or further (rg:startOf), or says
    the task it is the deadline of was done (rg:deadlineOf). Then it is
    "reached", with the report and the reason. A milestone of a parked
    initiative is "on hold", not due.

    \b
    Example:
      rammegraf deadlines --as-of 2026-02-15
      rammegraf deadlines --within 180 --ics milepaele.ics
    """
    from datetime import date

    from .rounds import deadlines as find_deadlines
    from .rounds import render_deadlines, to_ics
    from .store import write_atomic

    engine = _engine(data_dirs, endpoint, graph_iri)
    day = as_of.date() if as_of else date.today()
    _emit(render_deadlines(find_deadlines(engine, as_of=day, within=within, lang=lang), fmt, lang=lang))
    if ics_path is not None:
        every = find_deadlines(engine, as_of=day, within=within, lang=lang, include_all=True)
        write_atomic(ics_path, to_ics(every, lang=lang, as_of=day))


# --------------------------------------------------------------------------- changes

@main.command()
@click.option("--from", "from_date", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The earlier status round (ÅÅÅÅ-MM-DD).")
@click.option("--to", "to_date", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The later status round (ÅÅÅÅ-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html", "json"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def changes(from_date, to_date, fmt, output, lang, data_dirs, endpoint, graph_iri):
    """Hvad ændrede sig mellem to statusrunder (what changed between two rounds).

    Phase changes (from → to), initiatives that are new or dropped out (only
    rounds are compared: a single update made in a form is no round),
    milestones first reported in the later round, what was reached since the
    earlier round with what shows it, and milestones whose last day fell
    between the two.

    \b
    Example:
      rammegraf changes --from 2025-04-08 --to 2025-08-20
      rammegraf changes --from 2025-04-08 --to 2025-08-20 --format html -o aendringer.html
    """
    from .rounds import changes as find_changes
    from .rounds import render_changes

    result = find_changes(_engine(data_dirs, endpoint, graph_iri), from_date=from_date.date(),
                          to_date=to_date.date(), lang=lang)
    _emit(render_changes(result, fmt, lang=lang), output)


# --------------------------------------------------------------------------- report

@main.command()
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The status round the report is of (ÅÅÅÅ-MM-DD); default: the latest round.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The earlier round to say what changed since (default: the round before).")
@click.option("--template", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="A Word template (.docx, docxtpl) to use instead of the shipped one: restyle it in Word.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write; its suffix chooses the format: .docx, .pdf, .html or .md.")
@LANG
@DATA
@ENDPOINT
@GRAPH
@friendly
def report(as_of, since, template, output, lang, data_dirs, endpoint, graph_iri):
    """Statusrapporten for en runde (the status report of a round, as DOCX, PDF, HTML or Markdown).

    In the layout of the sources: a summary (the phases at a glance, what changed
    since the round before, the next deadlines), then per development area its goals
    and a table with a row per initiative of the round: what it is worked on under,
    its tasks, the round's phase and status text, its milestones with their state
    (reached with the reason, overdue, due, upcoming) and what the round reports
    reached. Every fact cites its source document. A date that is no round exits 2.

    \b
    Example:
      rammegraf report -o status.docx
      rammegraf report --as-of 2025-04-08 -o status-april.pdf
      rammegraf report --as-of 2025-08-20 --since 2025-04-08 --lang en -o status.html
      rammegraf report --template vores-skabelon.docx -o status.docx
    """
    from .statusdoc import write_report

    doc = write_report(_engine(data_dirs, endpoint, graph_iri), output, as_of=as_of.date() if as_of else None,
                       since=since.date() if since else None, lang=lang, template=template)
    count = sum(len(area["initiatives"]) for area in doc["areas"])
    click.echo(f"statusrapporten pr. {doc['as_of']} ({count} initiativer) er skrevet til {output}")


# --------------------------------------------------------------------------- round

@main.group(name="round")
def round_group():
    """Statusrunder som regneark eller Word-dokument (status rounds as spreadsheets or Word documents).

    \b
    Example:
      rammegraf round new --date 2025-12-01 --title "Status pr. 1. december" -o runde.xlsx
      rammegraf round new --date 2025-12-01 --title "Status pr. 1. december" -o runde.docx
      rammegraf round import runde.xlsx --dry-run
      rammegraf round import runde.xlsx
    """


@round_group.command("new")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The round's date (ÅÅÅÅ-MM-DD).")
@click.option("--title", required=True, help="The round's title, e.g. 'Status pr. 1. december 2025'.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write: .xlsx (with a drop-down of the phases), .csv, or .docx (a Word "
                   "document: a table per development area).")
@DATA
@friendly
def round_new(day, title, output, data_dirs):
    """Lav regnearket eller Word-dokumentet til en ny statusrunde (write a new round's sheet or document).

    One row per initiative that is not finished, with its last phase, text and
    date, and empty columns for the new phase, the new text and a new milestone.
    """
    from .roundsheet import new_round

    count = new_round(_engine(data_dirs), output, day=day.date(), title=title)
    click.echo(f"{count} initiativer skrevet til {output}")


@round_group.command("import")
@click.argument("spreadsheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The round's date, when the sheet does not give it (a .csv).")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The data folder to write status-DATE.ttl into (default: data/rammeaftale-2025-26).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--updates", is_flag=True,
              help="The filled rows are single updates, not a status round: no other initiative becomes "
                   "'not in the report'.")
@DATA
@friendly
def round_import(spreadsheet, day, into, dry_run, updates, data_dirs):
    """Indlæs en udfyldt statusrunde (import a filled-in round).

    A .xlsx, .csv or .docx (the Word round of 'round new'). Every problem is
    named by sheet (or table), row and column (exit 1); nothing is written
    unless the whole round validates with the graph. Importing a round twice is
    refused. A round is a report on the whole plan: an initiative that had a
    status before and whose row is left empty is "not in the report" of the
    round (the import says how many). With --updates the filled rows are single
    updates instead, and their source is no round.
    """
    from .roundsheet import import_round
    from .store import shipped_root

    from .store import store_location

    into = into or shipped_root() / "data" / "rammeaftale-2025-26"
    before = store_location(data_dirs or None)     # the on-disk store of the data as it is now (if any)
    round_, target = import_round(spreadsheet, into=into, open_engine=lambda: _engine(data_dirs),
                                  day=day.date() if day else None, dry_run=dry_run, updates=updates)
    if target is not None:
        import getpass

        from .auth import record

        record(data_dirs or None, user=getpass.getuser(), action="import", file=target)
        _follow_import(data_dirs, before, target, round_.triples)
    for note in round_.notes:
        click.echo(f"bemærk: {note}", err=True)
    where = f"skrevet til {target}" if target else "intet skrevet (--dry-run)"
    click.echo(f"{round_.reports} statusrapporter pr. {round_.day.isoformat()} er gyldige; {where}")


def _follow_import(data_dirs, before: Path, target: Path, triples: list) -> None:
    """After a round import into a large folder: the next on-disk store, its search index
    and its derived facts made from the ones before by the round's triples (seconds at a
    million triples), instead of indexing every file again at the next command."""
    from .store import MANIFEST, follow, graph_files, on_disk, store_location

    files = graph_files(data_dirs or None)
    if not on_disk(files) or not (before / MANIFEST).is_file() \
            or target.resolve() not in {f.resolve() for f in files}:
        return
    after = store_location(data_dirs or None)
    if (after / MANIFEST).is_file():
        return
    try:
        follow(before, files, after, add=triples)
    except Exception as error:   # the round is written; the next command builds the store from the files
        click.echo(f"bemærk: lageret bygges igen ved næste kommando ({error}) "
                   "(the store is built again by the next command)", err=True)


# --------------------------------------------------------------------------- users, log

@main.group()
def users():
    """Brugere, der kan logge ind og gemme med serve --write (accounts for signing in).

    Each account is a name and an argon2 hash of its password, in a file outside
    the data (--users FILE, else $RAMMEGRAF_USERS, else ~/.config/rammegraf/users.json),
    readable by its owner only. A running server reads the file again when it
    changes: a removed user or a new password ends that user's sessions.

    \b
    Example:
      rammegraf users add lise                 # asks for the password twice
      echo "$PASSWORD" | rammegraf users add ci --password-stdin
      rammegraf users list
    """


PASSWORD_STDIN = click.option("--password-stdin", is_flag=True,
                              help="Read the password from the first line of standard input (for scripts).")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Adgangskode (password)", hide_input=True,
                        confirmation_prompt="Gentag adgangskoden (repeat the password)", err=True)


@users.command("add")
@click.argument("name")
@PASSWORD_STDIN
@USERS_FILE
@friendly
def users_add(name, password_stdin, users_path):
    """Tilføj en bruger (add a user; the password is asked for twice, without echo).

    \b
    Example:
      rammegraf users add "Søren Ærø"
    """
    from .auth import Accounts, users_file

    accounts = Accounts(users_file(users_path))
    accounts.require(name, exists=False)   # before asking for a password
    added = accounts.add(name, _new_password(password_stdin))
    click.echo(f"brugeren '{added}' er tilføjet i {accounts.path} (user added)")


@users.command("passwd")
@click.argument("name")
@PASSWORD_STDIN
@USERS_FILE
@friendly
def users_passwd(name, password_stdin, users_path):
    """Skift en brugers adgangskode (change a password; ends the user's sessions).

    \b
    Example:
      rammegraf users passwd lise
    """
    from .auth import Accounts, users_file

    accounts = Accounts(users_file(users_path))
    accounts.require(name, exists=True)   # before asking for a password
    changed = accounts.passwd(name, _new_password(password_stdin))
    click.echo(f"adgangskoden for '{changed}' er skiftet (password changed)")


@users.command("remove")
@click.argument("name")
@USERS_FILE
@friendly
def users_remove(name, users_path):
    """Fjern en bruger (remove a user; their sessions end at once).

    \b
    Example:
      rammegraf users remove lise
    """
    from .auth import Accounts, users_file

    removed = Accounts(users_file(users_path)).remove(name)
    click.echo(f"brugeren '{removed}' er fjernet (user removed)")


@users.command("list")
@USERS_FILE
@friendly
def users_list(users_path):
    """Vis brugerne (list the users, never their hashes).

    \b
    Example:
      rammegraf users list
    """
    from .auth import Accounts, users_file

    accounts = Accounts(users_file(users_path))
    names = accounts.names()
    for name in names:
        click.echo(name)
    if not names:
        click.echo(f"ingen brugere i {accounts.path}; tilføj en med 'rammegraf users add NAVN' (no users)", err=True)


@main.command("log")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only lines from this date on (ÅÅÅÅ-MM-DD, UTC).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@DATA
@friendly
def log_command(since, fmt, data_dirs):
    """Hvem gemte, rettede og indlæste hvad (the audit log of writes).

    One line per entry saved or edited in the browser and per 'round import' that
    wrote: when (UTC), who, what (save, edit, import), the file and its SHA-256.
    The log is DATA/.rammegraf/audit.jsonl in the first data folder.

    \b
    Example:
      rammegraf log
      rammegraf log --since 2025-12-01 --format json
    """
    import json

    from .auth import audit_file, read_log
    from .tables import render

    lines = read_log(data_dirs or None, since=since.date() if since else None)
    if fmt == "json":
        click.echo(json.dumps(lines, ensure_ascii=False, indent=1))
    elif lines:
        rows = [[line["time"], line["user"], line["action"], line["file"], line["sha256"]] for line in lines]
        click.echo(render(["tid (UTC)", "hvem", "hvad", "fil", "sha256"], rows, "table", max_width=200), nl=False)
    if not lines:
        click.echo(f"ingen linjer i {audit_file(data_dirs or None)} (no lines in the audit log)", err=True)


# --------------------------------------------------------------------------- pictures

def _picture_format(output: Path, allowed: tuple[str, ...]) -> str:
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise click.BadParameter(f"filen skal ende på {', '.join('.' + a for a in allowed)} "
                                 f"(the file must end in one of these)", param_hint="-o")
    return fmt


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The picture: .svg or .png.")
@LANG
@DATA
@friendly
def timeline(output, lang, data_dirs):
    """Tidslinje: status og milepæle pr. initiativ (a timeline picture).

    Status reports as dots coloured by phase, milestones as bars over their
    interval, initiatives grouped by development area, every name whole
    (drawn with Vega-Lite by vl-convert: no browser, no display).

    \b
    Example:
      rammegraf timeline -o tidslinje.svg
    """
    from .pictures import timeline as draw
    from .store import write_atomic

    write_atomic(output, draw(_engine(data_dirs), _picture_format(output, ("svg", "png")), lang=lang))


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The matrix: .csv, or a picture as .svg or .png.")
@LANG
@DATA
@friendly
def matrix(output, lang, data_dirs):
    """Kommuner × initiativer: hvem er involveret i hvad (the municipality matrix).

    Each cell says how an initiative names the municipality: responsible,
    involved or potential partner, or through its health cluster (empty: not
    at all); the picture shows it as colour and shape, with a legend.

    \b
    Example:
      rammegraf matrix -o matrix.csv
      rammegraf matrix -o matrix.png
    """
    from .pictures import matrix_csv, matrix_picture
    from .store import write_atomic

    fmt = _picture_format(output, ("csv", "svg", "png"))
    engine = _engine(data_dirs)
    write_atomic(output, matrix_csv(engine, lang=lang) if fmt == "csv" else matrix_picture(engine, fmt, lang=lang))
