"""The compiled validator on a real Oxigraph server (`oxigraph serve`, the conftest
`server` fixture): the local report on the whole shipped graph, and on the shipped
graph with every file of tests/bad/ in it. (Virtuoso: tests/test_virtuoso.py.)"""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import planted_store

from rammegraf.cli import main
from rammegraf.engine import RemoteEngine, push
from rammegraf.validate import validate

PLANTED_GRAPH = "https://w3id.org/rammegraf/graph/every-violation"


def test_validate_whole_graph_on_the_server_is_the_local_report(server):
    remote = CliRunner().invoke(main, ["validate", "--endpoint", f"{server}/query", "--format", "json"])
    local = CliRunner().invoke(main, ["validate", "--format", "json"])
    assert (remote.exit_code, local.exit_code) == (0, 0), remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_validate_every_kind_of_violation_on_the_server(server, engine):
    local = planted_store(engine)
    push(local, f"{server}/store", graph_iri=PLANTED_GRAPH)
    remote = validate(RemoteEngine(f"{server}/query", graph=PLANTED_GRAPH))
    ours = validate(local)
    assert sorted((r.key() for r in remote.results), key=str) == sorted((r.key() for r in ours.results), key=str)
    assert len(ours.violations) >= 30
