"""A fixed pool of worker processes, each with the store opened read-only.

Everything that reads the store runs in a worker: a user's SPARQL query, a named
query, the data of a page, a validation. The event loop only schedules, so no
query is parsed or run on it:

- a request's time limit covers waiting in the queue, parsing and running; past
  it a queued job is dropped and a running one is stopped (its worker killed and
  replaced), and the answer is 503;
- a request whose client has gone away is dropped from the queue or stopped;
- a job whose kind (fingerprint: for a SPARQL query its shape, so a comment or
  a constant changed does not make a new kind) ran longer than ``slow_after``
  before waits in the slow queue, and at most ``workers - 1`` slow jobs run at
  once, so one worker is always left for quick work; when every worker is busy
  with long jobs while quick work waits, the youngest long job is stopped with
  503 and ``Retry-After`` (its client may try again; it then waits its turn as
  slow);
- fair between clients: each lane holds one queue per client (its address, or
  the signed-in user), taken in turn, so a client that sends a hundred jobs
  makes others wait for one of them, not a hundred; a client may have at most
  ``slow_per_client`` slow jobs waiting or running (past that, 503 at once),
  and at most ``slow_running_per_client`` slow ones running; a kind that
  finished quickly before goes ahead of its client's untried work;
- a full queue answers 503 with ``Retry-After`` at once, never a hang; but a
  client with fewer jobs waiting than the one with the most gets in, and that
  one's newest job is answered 503 instead;
- a worker that runs out of its memory cap ends; its job is answered 503 with
  a sentence (OutOfMemory) and another worker takes its place. A bug's
  traceback goes to the server's log under an incident number; the client gets
  the number, never the traceback.

Workers are forked from a fork server that has imported the engine and jobs
once, so a replacement is ready in milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import Counter, OrderedDict, deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..errors import RammegrafError

MEMORY_ERROR = 507   # a worker's answer when a job ran out of its memory cap (answered 503, OutOfMemory)


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


class OutOfMemory(RammegrafError):
    """A job needed more memory than a worker may use (HTTP 503)."""

    def __init__(self, megabytes: int) -> None:
        cap = f" ({megabytes:,} MB)".replace(",", ".") if megabytes else ""
        super().__init__(f"forespørgslen brugte mere hukommelse, end en arbejder må{cap}; gør den mindre, fx med "
                         f"LIMIT eller færre mellemresultater (the query needed more memory than a worker may use"
                         f"{cap}: make it smaller)")
        self.retry_after = 5


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
    client: str = ""                     # who asked: the lanes take clients in turn
    slow: bool = False                   # in the slow lane (known, or found, to run long)
    started: float | None = None
    worker: Worker | None = None
    id: int = 0
    timers: list = field(default_factory=list)
    size: int = 0                        # bytes of its pickled answer (what a cache keeping it holds)


class Lane:
    """Jobs waiting: one queue per client, the clients taken in turn (a client
    served goes to the back of the rotation)."""

    def __init__(self) -> None:
        self.queues: OrderedDict[str, deque[Job]] = OrderedDict()
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        return (job for queue in self.queues.values() for job in queue)

    def __contains__(self, job: Job) -> bool:
        return job in self.queues.get(job.client, ())

    def of(self, client: str) -> int:
        return len(self.queues.get(client, ()))

    def append(self, job: Job, *, first: bool = False) -> None:
        queue = self.queues.setdefault(job.client, deque())
        queue.appendleft(job) if first else queue.append(job)
        self.count += 1

    def remove(self, job: Job) -> None:
        queue = self.queues[job.client]
        queue.remove(job)
        self.count -= 1
        if not queue:
            del self.queues[job.client]

    def clear(self) -> None:
        self.queues.clear()
        self.count = 0

    def pop(self, allowed=None) -> Job | None:
        """The next job of the first client in the rotation (that ``allowed`` lets run)."""
        for client in list(self.queues):
            if allowed is not None and not allowed(client):
                continue
            queue = self.queues.pop(client)
            job = queue.popleft()
            self.count -= 1
            if queue:
                self.queues[client] = queue   # to the back: the others go first next time
            return job
        return None


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
                 remember: float = 600.0, memory: int = 0, slow_per_client: int = 4) -> None:
        self.spec = spec
        self.size = max(2, workers)
        self.queue_limit = queue if queue is not None else 64 * self.size
        self.slow_queue_limit = slow_queue if slow_queue is not None else 4 * self.size
        self.slow_per_client = slow_per_client
        self.slow_running_per_client = max(1, (self.size - 1) // 2)
        self.slow_after = slow_after
        self.remember = remember
        self.memory = memory                 # megabytes of heap a worker may use (0: no cap)
        self.workers: list[Worker] = []
        self.retiring: list[Worker] = []   # on old data: finish their job, take no more, then stop
        self.fast = Lane()
        self.slow = Lane()
        self.known_slow: OrderedDict[str, float] = OrderedDict()
        self.known_quick: OrderedDict[str, float] = OrderedDict()   # kinds that finished quickly
        self.incidents = itertools.count(1)
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
        process = context.Process(target=worker_main, args=(theirs, self.spec, self.memory), daemon=True)
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
                raw = worker.conn.recv_bytes()  # what recv() reads, kept to know the answer's size
            message = pickle.loads(raw)
        except (EOFError, OSError):
            job = worker.job
            worker.job = None
            self._replace(worker)
            if job is not None:
                self._finish(job, error=self._died(worker, job))
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
                job.size = len(raw)
                self._finish(job, result=payload)
            elif kind == "error":
                status, text = payload
                self._finish(job, error=OutOfMemory(self.memory) if status == MEMORY_ERROR
                             else JobFailed(text, status=status))
            else:
                self._finish(job, error=self._incident(job, payload))
        if kind == "fatal" or (kind == "error" and payload[0] == MEMORY_ERROR):
            # the worker ends after this answer (worker._run_jobs): given the next job before its
            # end was seen, that job failed as "the worker process ended with exit code 0" (10M)
            self._replace(worker)
        self._dispatch()

    def _died(self, worker: Worker, job: Job) -> Exception:
        """Why a worker ended in the middle of a job: its memory cap (an allocation
        that failed aborts the process), or something to look into."""
        code = worker.process.exitcode
        # V8 (vl-convert's charts) that cannot reserve memory under the cap ends with SIGTRAP
        if code in (-signal.SIGABRT, -signal.SIGKILL) or (self.memory and code in (1, -signal.SIGTRAP)):
            return OutOfMemory(self.memory)
        return self._incident(job, f"the worker process ended with exit code {code}")

    def _incident(self, job: Job, details: str) -> JobFailed:
        """A bug: the details go to the server's log with a number; the client gets the number."""
        number = next(self.incidents)
        print(f"rammegraf: hændelse {number} (incident {number}) i jobbet {job.name}:\n{details}",
              file=sys.stderr, flush=True)
        return JobFailed(f"intern fejl; den er skrevet i serverens log som hændelse {number} "
                         f"(internal error, written to the server's log as incident {number})", status=500)

    # --- jobs -------------------------------------------------------------------------
    async def run(self, name: str, *args, timeout: float, fingerprint: str | None = None, client: str = "",
                  sized: bool = False):
        """Run job ``name`` with ``args`` in a worker, within ``timeout`` seconds
        counted from now (waiting included). ``fingerprint`` names the job's kind
        (default: its name and arguments); ``client`` who asked. ``sized``: answer
        (result, bytes of the answer as it came from the worker), for a cache's budget."""
        if self.closed:
            raise Busy("serveren lukker (the server is shutting down)")
        future = self.loop.create_future()
        key = fingerprint or f"{name}:{args!r}"[:2000]
        job = Job(name, args, key, timeout, future, client=client, id=next(self.ids))
        job.slow = self._known_slow(key)
        refused = self._refusal(job)
        if refused is not None:
            raise refused
        if job.slow:
            self.slow.append(job)
        else:   # a kind known to be quick goes before its client's untried work
            self.fast.append(job, first=key in self.known_quick and not self._known_slow(key))
        job.timers.append(self.loop.call_later(timeout, self._expire, job))
        self._dispatch()
        try:
            result = await future
        except asyncio.CancelledError:  # the client went away
            self._cancel(job)
            raise
        return (result, job.size) if sized else result

    def _refusal(self, job: Job) -> Busy | None:
        """Busy when the job's lane, or its client's share of it, is full."""
        if job.slow:
            mine = self.slow.of(job.client) + sum(1 for j in self._running() if j.slow and j.client == job.client)
            if len(self.slow) >= self.slow_queue_limit or mine >= self.slow_per_client:
                return Busy("serveren er optaget af lange forespørgsler; prøv igen om lidt "
                            "(the server is busy with long queries; try again shortly)",
                            retry_after=max(1, int(self.slow_after * 4)))
            return None
        if len(self.fast) >= self.queue_limit:
            # full: a client with a fair share gets in by the newest job of the client with the most
            heaviest = max(self.fast.queues, key=self.fast.of)
            if self.fast.of(heaviest) <= self.fast.of(job.client) + 1:
                return Busy("serveren er optaget; prøv igen om lidt (the server is busy; try again shortly)",
                            retry_after=1)
            dropped = self.fast.queues[heaviest][-1]
            self.fast.remove(dropped)
            self._finish(dropped, error=Busy("serveren er optaget; prøv igen om lidt "
                                             "(the server is busy; try again shortly)", retry_after=1))
        return None

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
            job = self.fast.pop()
            if not self._known_slow(job.fingerprint):
                return job
            job.slow = True
            refused = self._refusal(job)
            if refused is None:
                self.slow.append(job)
            else:
                self._finish(job, error=refused)
        running = [j for j in self._running() if j.slow]
        if self.slow and len(running) < max_slow:
            per_client = Counter(j.client for j in running)
            return self.slow.pop(lambda client: per_client[client] < self.slow_running_per_client)
        return None

    def _start(self, worker: Worker, job: Job) -> None:
        job.worker = worker
        job.started = time.monotonic()
        worker.job = job
        try:
            with _blocking(worker.conn):
                worker.conn.send((job.id, job.name, job.args, job.timeout))
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
        if error is None and job.started is not None and not job.slow \
                and time.monotonic() - job.started < self.slow_after:
            self.known_quick[job.fingerprint] = time.monotonic()
            self.known_quick.move_to_end(job.fingerprint)
            while len(self.known_quick) > 2000:
                self.known_quick.popitem(last=False)
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
