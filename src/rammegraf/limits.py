"""Run work that may not finish (a user's SPARQL query, a validation) with a time limit.

rdflib cannot interrupt a running query, so the work runs in a forked child
process: it inherits the loaded graph copy-on-write (nothing is reloaded, and
what the child adds to the graph never reaches the parent), sends back its
result through a pipe, and is killed when the time is up. The caller's thread
only waits, so a server keeps answering other requests meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback

from .errors import RammegrafError


class TimeLimitExceeded(RammegrafError):
    """The work ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"forespørgslen blev stoppet efter {seconds:g} sekunder (tidsgrænse) "
                         f"(stopped at the time limit of {seconds:g} s)")
        self.seconds = seconds


class WorkFailed(RammegrafError):
    """The work raised an error the user can act on (carried over as its sentence)."""


def run_limited(function, *args, seconds: float):
    """``function(*args)`` in a forked child; its result, or TimeLimitExceeded."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome = ("ok", function(*args))
        except RammegrafError as error:
            outcome = ("error", str(error))
        except BaseException:  # noqa: BLE001 - report any crash to the parent as text
            outcome = ("crash", traceback.format_exc(limit=3))
        try:
            sender.send(outcome)
        finally:
            os._exit(0)  # no atexit handlers, no flushing of the parent's buffers

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TimeLimitExceeded(seconds)
        kind, value = receiver.recv()
    except EOFError:
        raise WorkFailed("arbejdet stoppede uden svar (the worker ended without an answer)") from None
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if kind == "ok":
        return value
    if kind == "error":
        raise WorkFailed(value)
    raise RuntimeError(value)
