"""A fixed pool of worker processes, each with the store opened read-only.

Everything that reads the store runs in a worker: a user's SPARQL query, a named
query, the data of a page, a validation. The event loop only schedules, so no
query is parsed or run on it:

- a request's time limit covers waiting in the queue, parsing and running; past
  it a queued job is dropped and a running one is stopped (its worker killed and
  replaced), and the answer is 503;
- a request whose client has gone away is dropped from the queue or stopped;
- a job whose kind (fingerprint) ran longer than ``slow_after`` before waits in
  the slow queue, and at most ``workers - 1`` slow jobs run at once, so one
  worker is always left for quick work; when every worker is busy with long
  jobs while quick work waits, the youngest long job is stopped with 503 and
  ``Retry-After`` (its client may try again; it then waits its turn as slow);
- a full queue answers 503 with ``Retry-After`` at once, never a hang.

Workers are forked from a fork server that has imported the engine and jobs
once, so a replacement is ready in milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import time
from collections import OrderedDict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import RammegrafError


class Busy(RammegrafError):
    """The server cannot take the job now; the client should try again later."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Stopped(RammegrafError):
    """A job ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"forespørgslen blev stoppet efter {seconds:g} sekunder (tidsgrænse) "
                         f"(stopped at the time limit of {seconds:g} s)")
        self.seconds = seconds


class JobFailed(RammegrafError):
    """A job raised an error the user can act on, carried over with its HTTP status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(eq=False)
class Job:
    name: str
    args: tuple
    fingerprint: str
    timeout: float
    future: asyncio.Future
    slow: bool = False                   # in the slow lane (known, or found, to run long)
    started: float | None = None
    worker: Worker | None = None
    id: int = 0
    timers: list = field(default_factory=list)


@dataclass(eq=False)
class Worker:
    process: object
    conn: object
    ready: bool = False
    job: Job | None = None


class Pool:
    """Worker processes that run named jobs (rammegraf.web.worker.JOBS)."""

    def __init__(self, spec: tuple, *, workers: int = 2, queue: int | None = None,
                 slow_queue: int | None = None, slow_after: float = 0.5,
                 remember: float = 600.0) -> None:
        self.spec = spec
        self.size = max(2, workers)
        self.queue_limit = queue if queue is not None else 64 * self.size
        self.slow_queue_limit = slow_queue if slow_queue is not None else 2 * self.size
        self.slow_after = slow_after
        self.remember = remember
        self.workers: list[Worker] = []
        self.retiring: list[Worker] = []   # on old data: finish their job, take no more, then stop
        self.fast: deque[Job] = deque()
        self.slow: deque[Job] = deque()
        self.known_slow: OrderedDict[str, float] = OrderedDict()
        self.ids = itertools.count(1)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.starting: set[asyncio.Future] = set()
        self.closed = False

    # --- life ------------------------------------------------------------------------
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        waiting = [self._spawn() for _ in range(self.size)]
        await asyncio.gather(*waiting)

    async def close(self) -> None:
        self.closed = True
        for job in [*self.fast, *self.slow]:
            self._finish(job, error=Busy("serveren lukker (the server is shutting down)"))
        self.fast.clear()
        self.slow.clear()
        for worker in [*self.workers, *self.retiring]:
            self._stop_worker(worker)
        self.workers.clear()
        self.retiring.clear()

    async def reload(self, spec: tuple) -> None:
        """Workers on new data (an entry was saved): new workers open ``spec``; once
        every one is ready, the old ones take no more jobs, finish the one they
        run, and stop. A job sent after this returns sees the new data."""
        old = list(self.workers)
        self.spec = spec
        started = [self._spawn() for _ in range(self.size)]
        outcomes = await asyncio.gather(*started, return_exceptions=True)
        failed = next((o for o in outcomes if isinstance(o, BaseException) or o is False), None)
        if failed is not None:
            raise failed if isinstance(failed, RammegrafError) else RammegrafError(
                f"arbejderne kunne ikke starte på de nye data (the workers could not start on the new data): {failed}")
        for worker in old:
            if worker in self.workers:
                self.workers.remove(worker)
            if worker.job is None:
                self._stop_worker(worker)
            else:
                self.retiring.append(worker)
        self._dispatch()

    def _context(self):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["rammegraf.web.worker"])
        return context

    def _spawn(self) -> asyncio.Future:
        """Start a worker; the future is done when it has opened the store."""
        from .worker import worker_main

        context = self._context()
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=worker_main, args=(theirs, self.spec), daemon=True)
        process.start()
        theirs.close()
        worker = Worker(process, ours)
        self.workers.append(worker)
        ready = self.loop.create_future()
        self.starting.add(ready)
        worker.ready_future = ready  # type: ignore[attr-defined]
        self.loop.add_reader(ours.fileno(), self._readable, worker)
        return ready

    def _stop_worker(self, worker: Worker, *, failure: Exception | None = None) -> None:
        try:
            self.loop.remove_reader(worker.conn.fileno())
        except (OSError, ValueError):
            pass
        worker.process.kill()
        worker.conn.close()
        worker.process.join(timeout=5)
        ready = getattr(worker, "ready_future", None)
        if ready is not None and not ready.done():
            if failure is not None:
                ready.set_exception(failure)
            else:
                ready.set_result(False)
            self.starting.discard(ready)

    def _replace(self, worker: Worker) -> None:
        """Kill a worker (it is stopped or dead) and start another in its place
        (a retiring worker is not replaced)."""
        if worker in self.retiring:
            self.retiring.remove(worker)
            self._stop_worker(worker)
            return
        if worker in self.workers:
            self.workers.remove(worker)
        self._stop_worker(worker)
        if not self.closed:
            self._spawn()

    # --- messages from workers ----------------------------------------------------------
    def _readable(self, worker: Worker) -> None:
        try:
            with _blocking(worker.conn):
                message = worker.conn.recv()
        except (EOFError, OSError):
            job = worker.job
            worker.job = None
            self._replace(worker)
            if job is not None:
                self._finish(job, error=JobFailed("arbejdet stoppede uden svar (the worker ended "
                                                  "without an answer)", status=500))
            self._dispatch()
            return
        kind, job_id, payload = message
        if kind == "failed":  # the worker could not open the store: no point in starting another
            self.workers.remove(worker)
            self._stop_worker(worker, failure=RammegrafError(payload))
            return
        if kind == "ready":
            worker.ready = True
            ready = worker.ready_future  # type: ignore[attr-defined]
            self.starting.discard(ready)
            if not ready.done():
                ready.set_result(True)
            self._dispatch()
            return
        job = worker.job
        worker.job = None
        if worker in self.retiring:
            self.retiring.remove(worker)
            self._stop_worker(worker)
        if job is not None and job.id == job_id:
            if kind == "ok":
                self._finish(job, result=payload)
            elif kind == "error":
                status, text = payload
                self._finish(job, error=JobFailed(text, status=status))
            else:
                self._finish(job, error=JobFailed(f"intern fejl (internal error): {payload}", status=500))
        self._dispatch()

    # --- jobs -------------------------------------------------------------------------
    async def run(self, name: str, *args, timeout: float, fingerprint: str | None = None):
        """Run job ``name`` with ``args`` in a worker, within ``timeout`` seconds
        counted from now (waiting included)."""
        if self.closed:
            raise Busy("serveren lukker (the server is shutting down)")
        future = self.loop.create_future()
        key = fingerprint or f"{name}:{args!r}"[:2000]
        job = Job(name, args, key, timeout, future, id=next(self.ids))
        job.slow = self._known_slow(key)
        lane, limit = (self.slow, self.slow_queue_limit) if job.slow else (self.fast, self.queue_limit)
        if len(lane) >= limit:
            raise Busy("serveren er optaget; prøv igen om lidt (the server is busy; try again shortly)",
                       retry_after=1 if not job.slow else max(1, int(self.slow_after * 4)))
        lane.append(job)
        job.timers.append(self.loop.call_later(timeout, self._expire, job))
        self._dispatch()
        try:
            return await future
        except asyncio.CancelledError:  # the client went away
            self._cancel(job)
            raise

    def _known_slow(self, key: str) -> bool:
        seen = self.known_slow.get(key)
        if seen is None:
            return False
        if time.monotonic() - seen > self.remember:
            del self.known_slow[key]
            return False
        return True

    def _remember_slow(self, key: str) -> None:
        self.known_slow[key] = time.monotonic()
        self.known_slow.move_to_end(key)
        while len(self.known_slow) > 2000:
            self.known_slow.popitem(last=False)

    def _running(self) -> list[Job]:
        return [w.job for w in self.workers if w.job is not None]

    def _dispatch(self) -> None:
        """Give idle workers the next jobs: quick ones first, slow ones while a
        worker stays free for quick work."""
        idle = [w for w in self.workers if w.ready and w.job is None]
        max_slow = self.size - 1
        for worker in idle:
            job = self._next(max_slow)
            if job is None:
                break
            self._start(worker, job)
        self._preempt()

    def _next(self, max_slow: int) -> Job | None:
        """The next job to run: quick work first (a queued job found slow meanwhile
        moves to the slow lane, or is turned away when that is full), then slow
        work while a worker stays free for quick work."""
        while self.fast:
            job = self.fast.popleft()
            if not self._known_slow(job.fingerprint):
                return job
            job.slow = True
            if len(self.slow) < self.slow_queue_limit:
                self.slow.append(job)
            else:
                self._finish(job, error=Busy("serveren er optaget af lange forespørgsler; prøv igen om lidt "
                                             "(the server is busy with long queries; try again shortly)",
                                             retry_after=max(1, int(self.slow_after * 4))))
        slow_running = sum(1 for j in self._running() if j.slow)
        if self.slow and slow_running < max_slow:
            return self.slow.popleft()
        return None

    def _start(self, worker: Worker, job: Job) -> None:
        job.worker = worker
        job.started = time.monotonic()
        worker.job = job
        try:
            with _blocking(worker.conn):
                worker.conn.send((job.id, job.name, job.args))
        except (OSError, ValueError):
            worker.job = None
            self._replace(worker)
            self._finish(job, error=JobFailed("arbejderen kunne ikke nås (the worker could not be reached)",
                                              status=500))
            return
        if not job.slow:
            job.timers.append(self.loop.call_later(self.slow_after, self._turned_slow, job))

    def _turned_slow(self, job: Job) -> None:
        if job.future.done() or job.worker is None:
            return
        job.slow = True
        self._remember_slow(job.fingerprint)
        self._preempt()

    def _preempt(self) -> None:
        """Quick work waits while every worker runs a long job: stop the youngest."""
        if not self.fast or self.starting:
            return
        if any(w.ready and w.job is None for w in self.workers):
            return
        running = self._running()
        if not running or not all(j.slow for j in running):
            return
        youngest = max(running, key=lambda j: j.started or 0)
        self._remember_slow(youngest.fingerprint)
        self._stop(youngest, Busy("serveren er optaget af lange forespørgsler; prøv igen om lidt "
                                  "(the server is busy with long queries; try again shortly)",
                                  retry_after=max(1, int(self.slow_after * 4))))

    def _expire(self, job: Job) -> None:
        self._stop(job, Stopped(job.timeout))

    def _cancel(self, job: Job) -> None:
        self._stop(job, None)

    def _stop(self, job: Job, error: Exception | None) -> None:
        """Drop a queued job or kill the worker running it; answer with ``error``."""
        if job in self.fast:
            self.fast.remove(job)
        elif job in self.slow:
            self.slow.remove(job)
        elif job.worker is not None and job.worker.job is job:
            worker = job.worker
            worker.job = None
            self._replace(worker)
        self._finish(job, error=error)
        self._dispatch()

    def _finish(self, job: Job, *, result=None, error: Exception | None = None) -> None:
        for timer in job.timers:
            timer.cancel()
        job.worker = None
        if job.future.done():
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    # --- for tests and the status line ---------------------------------------------------
    def pids(self) -> list[int]:
        return [w.process.pid for w in self.workers]


def default_workers() -> int:
    """One more than the cores: while one worker waits for the main process, another computes."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2
    return max(2, cores + 1)


@contextmanager
def _blocking(conn):
    """The pipe in blocking mode for one whole message. uvloop's add_reader (libuv's
    poll handle) turns the descriptor non-blocking, and a large answer (a graph page)
    that arrives in pieces on a busy machine would otherwise raise BlockingIOError
    half-way: read as a dead worker, the job answered 500."""
    fd = conn.fileno()
    was = os.get_blocking(fd)
    os.set_blocking(fd, True)
    try:
        yield
    finally:
        os.set_blocking(fd, was)
