"""What every page family shares: settings, templates, the worker pool, reading
a request body with a cap, and turning errors into answers."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from ..errors import RammegrafError
from ..webtext import TEXT
from .pool import Busy, JobFailed, OutOfMemory, Pool, Stopped
from .urls import here as link_here
from .urls import link

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass
class Settings:
    timeout: float = 10.0               # seconds a request may wait and run (queries and pages)
    validate_timeout: float = 60.0      # seconds a validation may wait and run
    row_cap: int = 10_000
    upload_limit: int = 1_000_000       # bytes of an uploaded entry
    query_limit: int = 256_000          # bytes of a query (text, form or body)
    workers: int = 2
    queue: int | None = None            # jobs that may wait (None: 64 per worker); past it, 503 at once
    slow_after: float = 0.5             # a job running longer than this is slow
    worker_memory: int = 2048           # megabytes of heap a worker may use (0: no cap)
    today: date | None = None           # None: the real date (tests fix it)
    cache: Path | None = None           # where the on-disk store lives (None: the default cache)
    in_memory_limit: int = 32_000_000   # bytes of files each worker holds in memory; above, the store on disk
    answer_cache: int = 32_000_000      # bytes of answers kept for queries sent again (0: none)
    page_cache: int = 64_000_000        # bytes (as the workers send them) of pages and results kept
    page_cache_disk: int = 1_000_000_000  # bytes of those too large for it kept on disk instead (0: none)
    whole_graph_limit: int = 1000       # /graf?view=all draws at most this many nodes (viz.MAX_NODES), else says so
    # a page (a cached job) whose reader was answered 503 at ``timeout`` goes on being computed
    # up to this many seconds in all, and is kept for the next reader (0: stopped at ``timeout``)
    page_timeout: float = 120.0
    data_dirs: tuple[Path, ...] = field(default_factory=tuple)
    write: bool = False                 # entry forms may save (serve --write)
    users: Path | None = None           # the accounts file people sign in with (None: no sign-in page)
    proxy_user_header: str | None = None  # the header a trusted proxy names the user in (--trust-proxy-user)
    proxies: tuple[str, ...] = ()       # the trusted proxy's addresses or networks (--proxy)
    # Host values answered (HOST: any port; HOST:PORT: that port); others get 421 (DNS rebinding)
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    access_log: str | None = None       # None: none; "-": standard error; else a file appended to
    endpoint: str | None = None         # forward to this SPARQL server instead of the files
    graph_iri: str | None = None
    # with ``endpoint``: seconds a page computed from the server is kept (0: every page asks it
    # anew); the front page is computed ahead and again every this many seconds (serve --endpoint-keep)
    endpoint_keep: float = 0.0
    # compute the front page in the background after the start and after every save, so its
    # first reader gets it from the cache (serve turns it on; at 1M triples it takes seconds)
    warm: bool = False
    warm_timeout: float = 600.0


class TooLarge(RammegrafError):
    """A request body or query over its limit (HTTP 413)."""


class StillComputing(Busy):
    """A page not ready within the reader's time limit, still being computed for the next
    reader (Settings.page_timeout): 503 with Retry-After."""

    def __init__(self, waited: float, limit: float) -> None:
        super().__init__(f"siden er ikke beregnet efter {waited:g} sekunder; den beregnes færdig (højst "
                         f"{limit:g} sekunder i alt) og gemmes, så prøv igen om lidt (the page was not ready "
                         f"after {waited:g} s; it is being finished, at most {limit:g} s in all, and kept: "
                         f"try again shortly)", retry_after=max(1, int(waited)))


class ClientGone(Exception):
    """The client closed the connection before the answer was ready."""


class Web:
    """The app's shared state: settings, templates, named queries and the pool."""

    def __init__(self, settings: Settings) -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        from ..query import named_queries

        self.settings = settings
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        self.env.filters["fid"] = field_id
        self.env.filters["cap"] = lambda text: text[:1].upper() + text[1:] if text else text
        self.queries = {q.name: q for q in named_queries()}
        self.pool: Pool | None = None
        # a local store changes only by a save, which empties the cache; a remote server may change
        # any time, so its pages are kept only for endpoint_keep seconds (the front page is refreshed)
        self.cache = JobCache(settings.page_cache, settings.page_cache_disk,
                              max_age=settings.endpoint_keep if settings.endpoint else None,
                              lasting=self.front_page_keys())
        self.answers = AnswerCache(0 if settings.endpoint else settings.answer_cache)
        self.generation = 0                 # counts saves: an answer begun before one is not kept
        self.inflight: dict = {}            # cached jobs running now: a second asker waits for the same answer
        self.warming: asyncio.Task | None = None
        self.cycle = 0.0                    # when a server's copies were last read (the loop's clock)
        self.ahead: list = []               # what else is computed ahead, after the front page (web.report)
        self.write_lock = asyncio.Lock()    # one save at a time in this server

    # --- start and stop ------------------------------------------------------------------
    def spec(self, change=None) -> tuple:
        """What each worker opens: the files themselves when they are small (an
        in-memory store answers a small query twice as fast as one on disk), else
        the on-disk store (built here first if needed), or the remote server.
        After a save (``change``) the on-disk store and the search index are made
        from the ones the workers read, by that change, not from every file again."""
        settings = self.settings
        if settings.endpoint:
            copies = None
            if settings.endpoint_keep > 0:
                # the search index and the derived facts read from the server once for every
                # worker while its pages are kept (rammegraf.servercopy)
                from ..servercopy import folder_for, prune

                copies = str(folder_for(settings.endpoint, settings.graph_iri, settings.cache))
                prune(settings.cache, Path(copies))    # other servers' copies unused for a week
            return ("remote", settings.endpoint, settings.graph_iri, settings.timeout, copies,
                    settings.endpoint_keep)
        from ..store import IN_MEMORY_LIMIT, MANIFEST, ensure_store, graph_files, load_in_memory, store_location

        files = graph_files(settings.data_dirs or None)
        size = sum(f.stat().st_size for f in files)
        before = self.pool.spec if self.pool is not None else None
        if size <= settings.in_memory_limit:
            store = load_in_memory(files)  # a file that does not parse stops the server here, with its sentence
            index = None
            if size > IN_MEMORY_LIMIT:
                # mid-sized data: the search index is built once, into the cache, not by each worker
                from ..engine import OxigraphEngine
                from ..facts import ensure_facts
                from ..search import ensure_index
                from ..store import mend_beside

                folder = store_location(settings.data_dirs or None, cache=settings.cache)
                folder.mkdir(parents=True, exist_ok=True)
                engine = OxigraphEngine(store)
                if change is not None and before and before[0] == "files" and before[2]:
                    mend_beside(Path(before[2]).parent, folder, engine, change.subjects)
                index = str(ensure_index(folder, engine))
                ensure_facts(folder, engine)   # once here, not in every worker (facts_path)
            return ("files", tuple(str(f) for f in files), index)
        target = store_location(settings.data_dirs or None, cache=settings.cache)
        if change is not None and change.exact and before and before[0] == "store" \
                and not (target / MANIFEST).is_file():
            from ..store import follow

            follow(Path(before[1]), files, target, add=change.add, remove=change.remove, subjects=change.subjects)
        folder = ensure_store(settings.data_dirs or None, cache=settings.cache)
        # the search index beside the store, built once here (not at a worker's first search,
        # which would pass the request's time limit at a million triples)
        import pyoxigraph as ox

        from ..engine import OxigraphEngine
        from ..search import ensure_index

        from ..facts import ensure_facts

        engine = OxigraphEngine(ox.Store.read_only(str(folder)), folder)
        ensure_index(folder, engine)
        ensure_facts(folder, engine)   # what the front page, /frister and the report read (rammegraf.facts)
        return ("store", str(folder))

    async def start(self) -> None:
        spec = await asyncio.get_running_loop().run_in_executor(None, self.spec)
        self.pool = Pool(spec, workers=self.settings.workers, queue=self.settings.queue,
                         slow_after=self.settings.slow_after, memory=self.settings.worker_memory)
        await self.pool.start()
        self._warm()

    async def stop(self) -> None:
        if self.warming is not None:
            self.warming.cancel()
        if self.pool is not None:
            await self.pool.close()
        self.cache.close()

    def front_page_keys(self) -> list[tuple]:
        """The cache keys of the front page (the latest round, Danish and English)."""
        return [("dashboard", (None, lang)) for lang in ("da", "en")]

    def keeps(self) -> bool:
        """Whether pages are kept: always from local data, from a server only for a time."""
        return not self.settings.endpoint or self.settings.endpoint_keep > 0

    def _warm(self) -> None:
        """Start computing the front page in the background (Settings.warm)."""
        if not self.settings.warm or not self.keeps():
            return
        if self.warming is not None:
            self.warming.cancel()
        self.warming = asyncio.ensure_future(self._warm_all())

    async def _warm_all(self) -> None:
        # from a server: its copies first, as part of the front page's computation, so that a
        # reader of the front page joins it rather than computing the page without them
        self.cycle = asyncio.get_running_loop().time()
        await self._warm_front_page(first=self._copy_server if self.settings.endpoint else None)
        for compute in self.ahead:
            await compute()
        if self.settings.endpoint:
            await self._refresh_front_page()

    async def _refresh_front_page(self) -> None:
        """From a server, its copies (servercopy), the front page and the report again every
        ``endpoint_keep`` seconds, in the background: the front page's readers get the page last computed (at most
        that many seconds and one computation old), never a wait; the other pages are computed again
        by their first reader after they expire."""
        import logging

        loop = asyncio.get_running_loop()
        while True:
            # every endpoint_keep seconds from when the copies were last read (not from when the
            # front page and the report after them were done): a replica is then read again as
            # it turns stale, while the workers go on with the one before, and no page in between
            # finds none young enough and asks the server
            await asyncio.sleep(max(0.0, self.settings.endpoint_keep - (loop.time() - self.cycle)))
            self.cycle = loop.time()
            await self._copy_server()
            langs = tuple(key[1][1] for key in self.front_page_keys())
            try:
                pages, size = await self.pool.run("dashboards", None, langs, timeout=self.settings.warm_timeout,
                                                  client="rammegraf:warm", sized=True)
            except asyncio.CancelledError:
                raise
            except Exception as error:      # the page last computed stays; the log says why
                logging.getLogger("rammegraf.web").warning("the front page was not computed again: %s", error)
                continue
            for key in self.front_page_keys():
                self.cache.put(key, pages[key[1][1]], size // len(langs))
            for compute in self.ahead:      # the report's page and files (web.report)
                await compute()

    async def _copy_server(self) -> None:
        """From a server whose pages are kept: its graph read into a replica with its search
        index and derived facts (rammegraf.servercopy), which the pages are then computed from,
        before the front page; when no replica can be made, the index and the facts alone,
        both at once, for the pages that then ask the server."""
        import logging

        async def one(which) -> bool:
            try:
                return await self.pool.run("server_copies", which, timeout=self.settings.warm_timeout,
                                           client="rammegraf:warm")
            except asyncio.CancelledError:
                raise
            except Exception as error:      # each page then reads it for itself; the log says why
                logging.getLogger("rammegraf.web").warning("the server's %s was not read ahead: %s", which, error)
                return False
        if not await one("replica"):
            await asyncio.gather(one("facts"), one("search"))

    def beside(self) -> Path | None:
        """The folder of the on-disk store the workers read, where what is computed of it is kept
        (a store is made for one version of the data: a save makes a new one); None for data
        held in memory or on a remote server."""
        spec = self.pool.spec if self.pool is not None else None
        return Path(spec[1]) if spec and spec[0] == "store" else None

    async def kept_file(self, name: str) -> bytes | None:
        """The bytes kept beside the on-disk store under ``name`` (``keep_file``), or None: for
        answers too large for the page cache (JobCache keeps none over an eighth of its budget)."""
        folder = self.beside()
        if folder is None:
            return None

        def read():
            try:
                return (folder / name).read_bytes()
            except OSError:
                return None
        return await asyncio.get_running_loop().run_in_executor(None, read)

    async def keep_file(self, name: str, data: bytes, *, replaces: str = "") -> None:
        """Keep ``data`` beside the on-disk store under ``name`` (a temporary file, then renamed),
        removing the files that match the pattern ``replaces`` (an older day's); nothing for data
        held in memory, nor when the cache cannot be written (then it is only computed again)."""
        from ..store import write_atomic

        folder = self.beside()
        if folder is None:
            return

        def write():
            try:
                for old in folder.glob(replaces) if replaces else ():
                    if old.name != name:
                        old.unlink(missing_ok=True)
                write_atomic(folder / name, data)
            except OSError:
                pass
        await asyncio.get_running_loop().run_in_executor(None, write)

    def _kept(self, lang: str) -> Path | None:
        """Where the front page is kept beside an on-disk store, or None."""
        folder = self.beside()
        return folder / f"forside-{lang}.json" if folder is not None else None

    async def _warm_front_page(self, first=None) -> None:
        """The front page in every language: read where it is kept beside the store, else
        computed by one job for the languages missing (the named queries' rows are the same in
        each), each language's page joinable by a reader as soon as the job runs; after
        ``first()`` (a server's copies) when given, joinable while that runs."""
        import json
        import logging

        loop = asyncio.get_running_loop()
        missing = []
        for key in self.front_page_keys():
            kept = self._kept(key[1][1])
            if kept is not None and kept.is_file():
                try:
                    # computed for this store before (by this server or one before it): read, not computed
                    data = await loop.run_in_executor(None, lambda: json.loads(kept.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    data = {}
                if data.get("version") == KEPT_VERSION:
                    self.cache.put(key, data["page"], kept.stat().st_size)
                    continue
            if key not in self.cache:
                missing.append(key)
        if not missing:
            if first is not None:
                await first()
            return
        langs = tuple(key[1][1] for key in missing)

        async def compute():
            if first is not None:
                await first()
            return await self.pool.run("dashboards", None, langs, timeout=self.settings.warm_timeout,
                                       client="rammegraf:warm", sized=True)
        both = asyncio.ensure_future(compute())
        for key in missing:
            async def one(lang=key[1][1]):
                pages, size = await asyncio.shield(both)
                return pages[lang], size // len(langs)
            self._running(key, one)
        try:
            pages, _ = await both
            for lang, page in pages.items():
                kept = self._kept(lang)
                if kept is not None:
                    await loop.run_in_executor(None, _keep, kept, {"version": KEPT_VERSION, "page": page})
        except asyncio.CancelledError:
            both.cancel()
            raise
        except Exception as error:      # the page says it again to its reader; the log says it here
            logging.getLogger("rammegraf.web").warning("the front page was not computed ahead: %s", error)

    async def _shared(self, key, start):
        """The answer of a cached job: from the cache, from the same job already running
        (both askers wait for one computation), or from a new one (``start()``)."""
        found = self.cache.get(key)
        if found is not MISSING:
            return found
        return (await asyncio.shield(self._running(key, start)))[0]

    def _running(self, key, start, *, on_disk: bool = False) -> asyncio.Future:
        """The computation of a cached job: the one already running, or a new one
        (``start()``, answering (result, size)) whose result goes into the cache (on disk
        with ``on_disk``: JobCache.put)."""
        running = self.inflight.get(key)
        if running is None:
            generation = self.generation
            running = asyncio.ensure_future(start())
            self.inflight[key] = running

            def done(task, key=key, generation=generation):
                if self.inflight.get(key) is task:
                    del self.inflight[key]
                if not task.cancelled() and task.exception() is None and generation == self.generation:
                    self.cache.put(key, *task.result(), on_disk=on_disk)
            running.add_done_callback(done)
        return running

    async def reload(self, change=None) -> None:
        """The data changed (an entry was saved): workers on the new files, and no
        answer kept from before."""
        spec = await asyncio.get_running_loop().run_in_executor(None, self.spec, change)
        await self.pool.reload(spec)
        self.generation += 1
        self.cache.clear()
        self.inflight.clear()     # a page still computed on the data before is no one's answer now
        self.answers.clear()
        self._warm()

    # --- pages ---------------------------------------------------------------------------
    def lang(self, request) -> str:
        return "en" if request.query_params.get("lang") == "en" else "da"

    def today(self) -> str:
        return (self.settings.today or date.today()).isoformat()

    def page(self, request, template: str, status: int = 200, headers: dict | None = None, **context):
        from starlette.responses import HTMLResponse

        lang = self.lang(request)
        params = dict(request.query_params)
        params["lang"] = TEXT[lang]["other_code"]
        # the same page in the other language, always on this site: a request path such as
        # //evil.example/x (or /\evil.example) would otherwise become an off-site link
        here = link_here(request).split("?", 1)[0]
        html = self.env.get_template(template).render(
            t=TEXT[lang], lang=lang, u=lambda path, **q: link(path, lang, **q),
            switch=f"{here}?{urlencode(params)}", **context)
        return HTMLResponse(html, status_code=status, headers=headers)

    def error_page(self, request, status: int, message: str, headers: dict | None = None):
        return self.page(request, "error.html", status=status, message=message, headers=headers)

    def not_found(self, request, detail: str = ""):
        text = TEXT[self.lang(request)]["not_found_text"]
        return self.error_page(request, 404, f"{detail}: {text}" if detail else text)

    # --- work in the pool ----------------------------------------------------------------
    def client(self, request) -> str:
        """Who is asking, for the pool's fair turns: the signed-in user, else the
        client's address (behind the trusted proxy, the address it forwards)."""
        from .auth import SCOPE_KEY

        found = request.scope.get(SCOPE_KEY)
        if found is not None:
            return f"user:{found.user}" if found.user else found.address
        return request.client.host if request.client else ""

    async def job(self, request, name: str, *args, timeout: float | None = None, cached: bool = False,
                  fingerprint: str | None = None):
        """Run a job in a worker; stopped when the client goes away (ClientGone).
        The watch for a gone client reads the request's messages: read a POST's
        body (read_body) before the first job, or the watch swallows it.
        ``cached`` keeps the answer: the local store changes only by a save, which empties the cache
        (a remote server may change any time: its answers are kept for Settings.endpoint_keep
        seconds, or not at all)."""
        cached = cached and self.keeps()
        key = (name, frozen(args)) if cached else None
        found = self.cache.get(key) if cached else MISSING
        if found is not MISSING:
            return found
        if cached and key in self.inflight:     # computed ahead right now (the front page): wait for it
            return (await self._join(request, self.inflight[key], timeout or self.settings.timeout,
                                     finishing=True))[0]
        limit = timeout or self.settings.timeout
        if cached and self.settings.page_timeout > limit:
            # the reader waits ``limit``; the page goes on past it, for whoever asks next
            running = self._running(key, lambda: self.pool.run(
                name, *args, timeout=self.settings.page_timeout, fingerprint=fingerprint,
                client=self.client(request), sized=True))
            return (await self._join(request, running, limit, finishing=True))[0]
        generation = self.generation
        work = asyncio.ensure_future(self.pool.run(name, *args, timeout=limit,
                                                   fingerprint=fingerprint, client=self.client(request),
                                                   sized=True))
        watcher = asyncio.ensure_future(_disconnected(request))
        try:
            done, _ = await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            work.cancel()
            watcher.cancel()
            raise
        if work not in done:
            work.cancel()
            raise ClientGone()
        watcher.cancel()
        result, size = work.result()
        if cached and generation == self.generation:
            self.cache.put(key, result, size)
        return result

    async def _join(self, request, running, timeout: float, finishing: bool = False):
        """Wait for a job that is already running, within ``timeout``; ClientGone if the client
        goes. The job goes on either way; with ``finishing`` a reader who waited ``timeout`` in
        vain is told that the page is still being computed (StillComputing), not stopped."""
        from .pool import Stopped

        waiting = asyncio.ensure_future(asyncio.wait_for(asyncio.shield(running), timeout))
        watcher = asyncio.ensure_future(_disconnected(request))
        try:
            done, _ = await asyncio.wait({waiting, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if waiting not in done:
            waiting.cancel()
            raise ClientGone()
        try:
            return waiting.result()
        except asyncio.TimeoutError:
            if finishing and not running.done():
                raise StillComputing(timeout, self.settings.page_timeout) from None
            raise Stopped(timeout) from None

    async def read_body(self, request, limit: int) -> bytes:
        """The request body, refused (TooLarge) by its Content-Length before it is
        read, or as soon as a streamed body passes ``limit``; never spooled to disk."""
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                raise RammegrafError("Content-Length er ikke et tal (Content-Length is not a number)") from None
            if size > limit:
                raise TooLarge(_too_large(limit))
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise TooLarge(_too_large(limit))
            chunks.append(chunk)
        return b"".join(chunks)


KEPT_VERSION = 1   # the kept front page's layout (a newer rammegraf computes it again)


def _keep(path: Path, data: dict) -> None:
    """Write the front page beside the store: a temporary file, then renamed."""
    import json
    import os

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def frozen(value):
    """A job's arguments as a cache key: dicts and lists (a named query's parameters)
    as sorted tuples, so that equal arguments make equal keys."""
    if isinstance(value, dict):
        return ("{}",) + tuple(sorted((k, frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


MISSING = object()


class JobCache:
    """Pages and results kept from jobs, by their name and arguments, until a save:
    least recently used first out when their bytes (as the workers sent them) pass
    the budget. One over an eighth of it would push out the rest: it is kept on disk
    instead, within ``disk_budget`` bytes (0: not kept), in a folder of this process's
    own (made when first needed, readable by its owner alone, removed by ``close``).
    At a million triples the report of an older round is 14 MB and takes a minute:
    computed to its end for the next reader (Settings.page_timeout), then thrown away,
    it was a 503 every time."""

    def __init__(self, budget: int, disk_budget: int = 0, *, max_age: float | None = None,
                 lasting=(), clock=None) -> None:
        import time

        self.budget = budget
        self.size = 0
        self.entries: OrderedDict = OrderedDict()   # key -> (value, size)
        self.disk_budget = disk_budget
        self.disk_size = 0
        self.spilled: OrderedDict = OrderedDict()   # key -> (path, size)
        self.folder: Path | None = None
        # with ``max_age``, a value older than that many seconds is gone, but for the keys of
        # ``lasting`` (kept until replaced: the front page, refreshed in the background)
        self.max_age = max_age
        self.lasting = frozenset(lasting)
        self.clock = clock or time.monotonic
        self.born: dict = {}

    def _expired(self, key) -> bool:
        if not self.max_age or key in self.lasting or key not in self.born:
            return False
        if self.clock() - self.born[key] <= self.max_age:
            return False
        self.born.pop(key)
        if key in self.entries:
            self.size -= self.entries.pop(key)[1]
        if key in self.spilled:
            self._unspill(key)
        return True

    def __contains__(self, key) -> bool:
        return (key in self.entries or key in self.spilled) and not self._expired(key)

    def __len__(self) -> int:
        return len(self.entries) + len(self.spilled)

    def age(self, key) -> float | None:
        """Seconds since the value kept under ``key`` was put, or None."""
        return self.clock() - self.born[key] if key in self.born and key in self else None

    def get(self, key, default=MISSING):
        """The value kept under ``key``, or ``default`` (also when its file cannot be read, or
        it is older than ``max_age``)."""
        import pickle

        if self._expired(key):
            return default
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key][0]
        if key in self.spilled:
            path, _ = self.spilled[key]
            try:
                value = pickle.loads(path.read_bytes())
            except Exception:   # noqa: BLE001 - a file gone or spoilt is only computed again
                self._unspill(key)
                return default
            self.spilled.move_to_end(key)
            return value
        return default

    def __getitem__(self, key):
        value = self.get(key)
        if value is MISSING:
            raise KeyError(key)
        return value

    def put(self, key, value, size: int, *, on_disk: bool = False) -> None:
        """Keep ``value``; ``on_disk`` keeps it on disk whatever its size (what is computed
        ahead for its readers, which the pages in memory would otherwise push out)."""
        if key in self.spilled:
            self._unspill(key)
        if not self.budget:
            return
        self.born[key] = self.clock()
        if size > self.budget // 8 or (on_disk and self.disk_budget):
            self._spill(key, value)
            return
        if key in self.entries:
            self.size -= self.entries.pop(key)[1]
        self.entries[key] = (value, size)
        self.size += size
        while self.size > self.budget:
            gone, (_, old) = self.entries.popitem(last=False)
            self.size -= old
            self.born.pop(gone, None)

    def _spill(self, key, value) -> None:
        import os
        import pickle
        import tempfile

        if not self.disk_budget:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > self.disk_budget // 4:
                return
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="rammegraf-sider-"))   # mode 0700
            fd, name = tempfile.mkstemp(dir=self.folder, suffix=".pickle")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            return      # not kept: computed again when asked
        if key in self.entries:
            self.size -= self.entries.pop(key)[1]
        self.spilled[key] = (Path(name), len(data))
        self.disk_size += len(data)
        while self.disk_size > self.disk_budget:
            self._unspill(next(iter(self.spilled)))

    def _unspill(self, key) -> None:
        self.born.pop(key, None)
        path, size = self.spilled.pop(key)
        self.disk_size -= size
        path.unlink(missing_ok=True)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0
        self.born.clear()
        for key in list(self.spilled):
            self._unspill(key)

    def close(self) -> None:
        """Empty, and remove the folder of what was kept on disk."""
        import shutil

        self.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


class AnswerCache:
    """Serialized answers to queries sent before, by their exact text and the
    format asked for: the local store changes only when an entry is saved (then
    every answer goes), so the same query gives the same bytes. Least recently used first out; an answer
    over a thirty-second of the budget is not kept."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.entries: OrderedDict = OrderedDict()

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0

    def get(self, key):
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key, outcome: dict) -> None:
        size = len(outcome["body"]) + len(key[0])
        if not self.budget or size > self.budget // 32 or key in self.entries:
            return
        self.entries[key] = outcome
        self.size += size
        while self.size > self.budget:
            old_key, old = self.entries.popitem(last=False)
            self.size -= len(old["body"]) + len(old_key[0])


def field_id(name: str) -> str:
    """An HTML id for a form field's name (rg-phase, rdfs-label@da, inv-rg-statusOf.rg-asOf)."""
    import re

    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(name))


def _too_large(limit: int) -> str:
    return f"for stor: højst {limit:,} bytes (too large: at most {limit:,} bytes)".replace(",", ".")


async def _disconnected(request) -> None:
    """Returns when the client has closed the connection."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def status_of(error: Exception) -> int:
    """The HTTP status for an error a job or a check raised."""
    if isinstance(error, (Busy, Stopped, OutOfMemory)):
        return 503
    if isinstance(error, TooLarge):
        return 413
    if isinstance(error, JobFailed):
        return error.status
    if isinstance(error, RammegrafError):
        from .worker import status_of as worker_status

        return worker_status(error)
    return 500


def error_headers(error: Exception) -> dict:
    if isinstance(error, Busy):
        return {"retry-after": str(error.retry_after)}
    if isinstance(error, (Stopped, OutOfMemory)):
        return {"retry-after": "5"}
    return {}
