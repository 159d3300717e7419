from __future__ import annotations

import pytest
from rdflib import Graph

from rammegraf.store import load
from rammegraf.validate import ValidationReport, load_shapes, validate


@pytest.fixture(scope="session")
def shipped() -> Graph:
    """The whole shipped graph. Read-only: copy it before adding to it."""
    return load()


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def shipped_report(shipped: Graph, shapes: Graph) -> ValidationReport:
    return validate(shipped, shapes=shapes)
