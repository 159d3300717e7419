"""Loaded at start-up by every Python process of a test server started with this
folder on PYTHONPATH: the server, its fork server and its workers
(tests/test_sandbox.py). With RAMMEGRAF_TEST_NO_QUERY_CHECK=1 the SPARQL check's
read-only rule is switched off, so that nothing but the workers' sandbox stands
between a SERVICE query and the network; with RAMMEGRAF_TEST_NO_SANDBOX=1 as
well, the sandbox is off too (the control: then the query does connect)."""

import os

if os.environ.get("RAMMEGRAF_TEST_NO_QUERY_CHECK") == "1":
    import rammegraf.sparql

    rammegraf.sparql.refuse = lambda text, tokens, name: None
    if os.environ.get("RAMMEGRAF_TEST_NO_SANDBOX") == "1":
        import rammegraf.sandbox

        rammegraf.sandbox.forbid_network = lambda: None
