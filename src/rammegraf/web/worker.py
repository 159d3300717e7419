"""A worker process: opens the store read-only once, then runs jobs sent to it.

The pool (rammegraf.web.pool) sends ``(id, job name, args)``; the worker answers
``("ok", id, result)``, ``("error", id, (HTTP status, sentence))`` for an error
the user can act on, or ``("crash", id, traceback)`` for a bug (the traceback
goes to the server's log, never to the client). After ``("error", id, (MEMORY_ERROR,
""))`` (its memory cap) or ``("fatal", id, traceback)`` (a Rust panic: a bug whose
library is in an unknown state) the worker ends, and the pool starts another.

Before it opens the store, a worker that reads local data gives up the network
for good and caps its memory (rammegraf.sandbox); jobs run on a thread with a
deep stack. A worker that forwards to a SPARQL server (``serve --endpoint``)
must reach that server, so it keeps the network: there the query check is the
guard, and the query leaves only for that server.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from pathlib import Path

from ..errors import LoadError, RammegrafError
from . import jobs  # noqa: F401 - imported in the fork server, so workers start with it
from .pool import MEMORY_ERROR


def open_spec(spec: tuple):
    """The engine a worker reads: ("files", paths, index) loads small files into memory
    (with the search index the server built for them, or None);
    ("store", path) opens an on-disk store read-only; ("remote", url, graph,
    timeout, copies, keep) asks a SPARQL server, keeping a replica of its graph (or its
    search index and derived facts) in the folder ``copies`` for ``keep`` seconds (None:
    nothing kept; rammegraf.servercopy)."""
    from ..engine import OxigraphEngine, RemoteEngine

    kind = spec[0]
    if kind == "files":
        from ..store import load_in_memory

        engine = OxigraphEngine(load_in_memory(spec[1]))
        engine.index_path = spec[2] if len(spec) > 2 else None  # a search index built by the server
        if engine.index_path:   # and the derived facts beside it (rammegraf.facts)
            from ..facts import FACTS_FILE

            engine.facts_path = str(Path(engine.index_path).parent / FACTS_FILE)
        return engine
    if kind == "store":
        import pyoxigraph as ox

        return OxigraphEngine(ox.Store.read_only(spec[1]), folder=Path(spec[1]))
    if kind == "remote":
        engine = RemoteEngine(spec[1], graph=spec[2], timeout=spec[3])
        if len(spec) > 5 and spec[4]:   # where the server's copies are kept, and for how long
            from ..servercopy import attach

            attach(engine, spec[4], spec[5])
        return engine
    raise ValueError(f"unknown engine spec {spec!r}")


def status_of(error: RammegrafError) -> int:
    from ..query import QueryError, QueryRefused
    from ..rounds import NoSuchRound

    if isinstance(error, QueryRefused):
        return 403
    if isinstance(error, (jobs.NotFound, NoSuchRound)):
        return 404
    if isinstance(error, jobs.NotAcceptable):
        return 406
    if isinstance(error, (QueryError, LoadError)):
        return 400
    from ..engine import EndpointError

    if isinstance(error, EndpointError):
        return 502
    return 400


def worker_main(conn, spec: tuple, memory: int = 0) -> None:
    """Guard the process, open the store, then run jobs until the pipe closes.
    ``memory``: megabytes of heap the worker may use (0: no cap)."""
    from ..sandbox import JOB_STACK, SandboxError, forbid_network, limit_memory

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    os.environ["RUST_BACKTRACE"] = "0"            # an allocation that fails: one line in the log, not 50
    try:
        if spec[0] != "remote":
            forbid_network()
        limit_memory(memory)
    except (SandboxError, OSError, ValueError) as error:
        conn.send(("failed", 0, f"arbejderen kan ikke spærres af fra netværket (the worker cannot be "
                                f"cut off from the network): {error}"))
        return
    try:
        engine = open_spec(spec)
    except Exception as error:  # noqa: BLE001 - report why, in one sentence, and stop
        conn.send(("failed", 0, f"lageret kan ikke åbnes (the store cannot be opened): {error}"))
        return
    conn.send(("ready", 0, None))
    threading.stack_size(JOB_STACK)   # read when a thread starts
    runner = threading.Thread(target=_run_jobs, args=(conn, engine), name="jobs")
    runner.start()
    threading.stack_size(0)           # threads a job starts (validation's) get the usual stack
    runner.join()


# jobs that ask the server itself even when a replica of it is kept: /sparql always asks it
# anew, and a replica is read from the server
ASK_THE_SERVER = frozenset({"sparql", "server_copies"})
_REPLICA: dict = {}     # the replica this worker has open: {"engine": OxigraphEngine}


def _replica_of(engine):
    """An engine on the newest usable replica of the server ``engine`` asks (rammegraf.servercopy),
    opened read-only once per replica; None when there is none (the job then asks the server)."""
    from ..servercopy import replica

    folder = replica(engine)
    if folder is None:
        return None
    found = _REPLICA.get("engine")
    if found is not None and found.folder == folder:
        return found
    import pyoxigraph as ox

    from ..engine import OxigraphEngine

    try:
        found = OxigraphEngine(ox.Store.read_only(str(folder)), folder=folder)
    except (OSError, ValueError):
        return None
    _REPLICA["engine"] = found
    return found


def _run_jobs(conn, engine) -> None:
    remote = getattr(engine, "remote", False)
    while True:
        try:
            job_id, name, args, *limit = conn.recv()
        except (EOFError, OSError):
            return
        if remote and limit:
            # a SPARQL server has as long for each answer as the job has in all: a page finished in
            # the background (Settings.page_timeout) or computed ahead (warm_timeout) was stopped at
            # the reader's --timeout by the first slow answer (the front page at 1M on Virtuoso)
            engine.timeout = limit[0]
        try:
            target = engine
            if remote and name not in ASK_THE_SERVER:
                target = _replica_of(engine) or engine
            outcome = ("ok", job_id, jobs.JOBS[name](target, *args))
        except RammegrafError as error:
            outcome = ("error", job_id, (status_of(error), str(error)))
        except MemoryError:
            # the heap is at its cap: answer, then end, so that a fresh worker takes over
            conn.send(("error", job_id, (MEMORY_ERROR, "")))
            return
        except Exception:  # noqa: BLE001 - a bug: its traceback goes to the server log
            outcome = ("crash", job_id, traceback.format_exc(limit=6))
        except BaseException as error:  # noqa: BLE001 - pyo3's PanicException (a Rust panic) is no Exception
            # Uncaught, it ended this thread and the worker with exit code 0, and the reader got "exit
            # code 0" (10M, /frister). A panic over a Python object that could not be made is the memory
            # cap; either way the worker ends, as the state of the library that panicked is unknown.
            if _capped() and "null" in str(error).lower():
                conn.send(("error", job_id, (MEMORY_ERROR, "")))
            else:
                conn.send(("fatal", job_id, traceback.format_exc(limit=6)))   # a crash, and the worker ends
            return
        conn.send(outcome)


def _capped() -> bool:
    """Whether this process's memory is capped (sandbox.limit_memory)."""
    import resource

    return resource.getrlimit(resource.RLIMIT_DATA)[0] != resource.RLIM_INFINITY
