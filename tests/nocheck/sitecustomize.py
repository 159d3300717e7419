"""Loaded at start-up by every Python process started with this folder on
PYTHONPATH: a test server, its fork server and its workers (tests/test_sandbox.py),
or a baseline server of benchmarks/limits.py.

- RAMMEGRAF_TEST_NO_QUERY_CHECK=1 switches the SPARQL check's read-only rule off,
  so that nothing but the workers' sandbox stands between a SERVICE query and the
  network;
- RAMMEGRAF_TEST_NO_SANDBOX=1 switches the workers' network guard off (the
  control: with both off, the query does connect; and the benchmark's baseline).
"""

import os

if os.environ.get("RAMMEGRAF_TEST_NO_QUERY_CHECK") == "1":
    import rammegraf.sparql

    rammegraf.sparql.refuse = lambda text, tokens, name: None
if os.environ.get("RAMMEGRAF_TEST_NO_SANDBOX") == "1":
    import rammegraf.sandbox

    rammegraf.sandbox.forbid_network = lambda: None
