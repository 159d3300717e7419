from __future__ import annotations

import socket
import threading

import pytest
from rdflib import Graph

from rammegraf.engine import OxigraphEngine
from rammegraf.terms import text
from rammegraf.validate import ValidationReport, load_shapes, rdflib_graph, validate


@pytest.fixture(scope="session")
def engine() -> OxigraphEngine:
    """The shipped graph in an in-memory Oxigraph store. Read-only: use with_turtle to add."""
    return OxigraphEngine.open()


@pytest.fixture(scope="session")
def shipped(engine: OxigraphEngine) -> Graph:
    """The same graph as an rdflib graph: the oracle that pySHACL and rdflib's own
    SPARQL engine read in the comparison tests. Read-only: copy it before adding to it."""
    from rammegraf.namespaces import bind_prefixes

    return bind_prefixes(rdflib_graph(engine.dump()))


def with_turtle(engine: OxigraphEngine, turtle: str) -> OxigraphEngine:
    """A copy of the engine's graph with some Turtle added."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri="urn:test:")
    return OxigraphEngine(store)


def planted_store(engine: OxigraphEngine) -> OxigraphEngine:
    """The shipped graph with every invalid entry of tests/bad/ in it (in memory)."""
    from pathlib import Path

    import pyoxigraph as ox

    from rammegraf.store import parse_file

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for path in sorted((Path(__file__).parent / "bad").glob("*.ttl")) for t in parse_file(path))
    return OxigraphEngine(store)


def rows(answer) -> list[list[str]]:
    """An answer's header and rows as plain text (IRIs and lexical forms)."""
    return [list(answer.vars)] + [[text(term) for term in row] for row in answer.rows]


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def shipped_report(shipped: Graph, shapes: Graph) -> ValidationReport:
    return validate(shipped, shapes=shapes)


# --- a copy of the shipped data, and the command line in-process -------------------------

@pytest.fixture
def data(tmp_path):
    """A copy of the shipped data folder that a test may write to."""
    import shutil

    from rammegraf.store import shipped_root

    folder = tmp_path / "data"
    shutil.copytree(shipped_root() / "data", folder)
    return folder


def cli(*args, stdin: str | None = None):
    """`rammegraf ARGS` in-process; never a traceback, whatever the exit code."""
    from click.testing import CliRunner

    from rammegraf.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], input=stdin)
    assert "Traceback" not in result.output and "Traceback" not in (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# --- a listener that must see nothing ------------------------------------------------

class Watch:
    """A loopback listener that records every connection made to it, for as long as it is open."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections: list = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.socket.settimeout(0.2)
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections.append(connection)
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()



class SilentListener:
    """A loopback port that records every connection made to it."""

    def __init__(self) -> None:
        import socket
        import threading

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(1)
        self.socket.settimeout(1.0)
        self.port = self.socket.getsockname()[1]
        self.connections: list = []
        self.thread = threading.Thread(target=self._accept)
        self.thread.start()

    def _accept(self) -> None:
        try:
            self.connections.append(self.socket.accept())
        except OSError:
            pass

    def close(self) -> list:
        self.thread.join()
        self.socket.close()
        return self.connections


@pytest.fixture
def listener():
    watch = SilentListener()
    yield watch
    watch.close()


# --- a real browser ----------------------------------------------------------------
import os
import shutil
import subprocess

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = __import__("pathlib").Path(__file__).parents[1] / "out" / "screenshots"


def debian_package(command: str, package: str, why: str) -> str:
    """The path of ``command``, installing Debian's ``package`` first when it is missing
    (as root, as CI runs). Missing fails with what to run, never skips."""
    path = shutil.which(command)
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, env=env, capture_output=True)
        path = shutil.which(command)
    if path is None:
        pytest.fail(f"{package} is not installed and could not be installed: run "
                    f"`apt-get update && apt-get install -y {package}` ({why})")
    return path


def _chromium() -> str:
    """Debian's Chromium, for the browser tests."""
    return debian_package("chromium", "chromium", "the browser tests need it")


def debian_library(check, packages: list[str], why: str) -> None:
    """Install Debian's ``packages`` when ``check()`` is false (as root, as CI runs), like
    debian_package; still false afterwards fails with what to run, never skips."""
    if not check() and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False, env=env, capture_output=True)
    if not check():
        pytest.fail(f"{' '.join(packages)} are not installed and could not be installed: run "
                    f"`apt-get update && apt-get install -y {' '.join(packages)}` ({why})")


def _pango_and_fonts() -> bool:
    """Pango (WeasyPrint lays out text with it) and a font with æ, ø and å (DejaVu)."""
    import ctypes.util

    fonts = subprocess.run(["fc-list", ":lang=da", "family"], capture_output=True, text=True, check=False) \
        if shutil.which("fc-list") else None
    return bool(ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0")
                and fonts is not None and "DejaVu" in fonts.stdout)


@pytest.fixture(scope="session")
def pango():
    """Debian's Pango and DejaVu fonts, for the PDF of `rammegraf report` (WeasyPrint)."""
    debian_library(_pango_and_fonts, ["libpango-1.0-0", "libpangoft2-1.0-0", "fontconfig", "fonts-dejavu-core"],
                   "the PDF report is laid out by WeasyPrint with Pango")


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice Writer without a display, the independent reader of the DOCX report."""
    return debian_package("soffice", "libreoffice-writer-nogui", "a test converts the Word report to PDF")


@pytest.fixture(scope="session")
def pdftotext() -> str:
    """Poppler's pdftotext (and pdffonts), the independent reader of the PDF reports."""
    return debian_package("pdftotext", "poppler-utils", "a test reads the PDF report's text")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


class PageWatch:
    """A page with every request, console error, page error and dialog recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "data:")) or url.startswith(getattr(self, "allowed", "\0")):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def outside_requests(self) -> list[str]:
        allowed = getattr(self, "allowed", "\0")
        return [u for u in self.requests if not u.startswith(("file:", "data:", allowed))]

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser):
    watch = PageWatch(browser)
    yield watch
    watch.close()


# --- the web app on a copy of the data --------------------------------------------------

PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"
XSS = """@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@base <https://w3id.org/rammegraf/id/> .
<initiativ/xss> a rg:Initiative ; <http://www.w3.org/2000/01/rdf-schema#label> "%s"@da ;
    rg:developmentArea <udviklingsomraade/overgangen-til-voksenomraadet> ;
    rg:involves <udvalg/dassos> .
<status/xss-2025-08-20> rg:statusOf <initiativ/xss> ; rg:phase rg:Proposed ;
    rg:asOf "2025-08-20"^^<http://www.w3.org/2001/XMLSchema#date> ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> <kilde/handlingsplan-2025-08-20> .
""" % PAYLOAD


@pytest.fixture(scope="session")
def web_data(tmp_path_factory):
    """The shipped data plus one initiative whose label is a script payload."""
    import shutil

    from rammegraf.store import shipped_root

    folder = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(shipped_root() / "data", folder)
    (folder / "xss.ttl").write_text(XSS, encoding="utf-8")
    return folder


def web_client(**settings):
    """A TestClient for the app with these settings (the pool starts with it)."""
    from starlette.testclient import TestClient

    from rammegraf.web import Settings, create_app

    return TestClient(create_app(Settings(**settings)), base_url="http://127.0.0.1")


# --- a real Oxigraph server, as a shared SPARQL server --------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`oxigraph serve` on a loopback port, loaded with the shipped graph by `rammegraf push`
    (one per test module, so one module's named graphs never reach another's)."""
    import shutil as _shutil
    import socket
    import sys
    import time
    from pathlib import Path

    from click.testing import CliRunner

    from rammegraf.cli import main

    binary = _shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or _shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the oxigraph server (the 'oxigraph' package from PyPI) is not installed")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"oxigraph did not start: {process.stderr.read().decode()[:500]}")
    base = f"http://127.0.0.1:{port}"
    result = CliRunner().invoke(main, ["push", "--endpoint", f"{base}/query"])
    assert result.exit_code == 0, result.output
    yield base
    process.terminate()
    process.wait(timeout=10)


from contextlib import contextmanager  # noqa: E402


@contextmanager
def live_server(limits=None, **settings):
    """The app under uvicorn on a free loopback port, in a thread, configured as
    `rammegraf serve` configures it (rammegraf.web.server): yields (port, app)."""
    import threading
    import time

    import uvicorn

    from rammegraf.web import Settings, create_app
    from rammegraf.web.server import config

    app = create_app(Settings(**settings))
    server = uvicorn.Server(config(app, host="127.0.0.1", port=0, limits=limits))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the server did not start")
    try:
        yield server.servers[0].sockets[0].getsockname()[1], app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def send_chunked(port: int, head: bytes, *, chunks: int = 1000, fill: bytes = b"#") -> tuple[bytes, int]:
    """POST a body without Content-Length, 1 KB a chunk (``head`` is the request line,
    the headers and any first chunk), until the server answers or ``chunks`` are sent.
    Returns the answer's head and the bytes sent: a server that refuses at its cap
    answers while the client is still sending."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head)
        sent, answer = 0, b""
        conn.settimeout(0.05)
        for _ in range(chunks):
            try:
                conn.sendall(b"400\r\n" + fill * 1024 + b"\r\n")
                sent += 1024
                answer += conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if answer:
                break
        conn.settimeout(5)
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(4096)
    return answer, sent


# --- accessibility -------------------------------------------------------------------------

AXE = __import__("pathlib").Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules and best
    practice), one line each: rule, impact, and the first offending elements. axe runs
    through the DevTools protocol, so the page's Content-Security-Policy does not stop it."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(found)


# --- a real Virtuoso 7, as a second shared SPARQL server --------------------------------------

VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def _virtuoso_binary() -> str:
    """Debian's Virtuoso 7 (virtuoso-t), for the Virtuoso tests."""
    return debian_package("virtuoso-t", "virtuoso-opensource-7", "the Virtuoso tests need it")


@contextmanager
def virtuoso_server(folder, *, password: str, buffers: int = 20000):
    """`virtuoso-t -f` with its own database in ``folder``, HTTP and SQL on loopback
    ports; the dba password set to ``password`` (letters and digits) over SQL, so the
    tests never use Virtuoso's default.
    Yields the base URL; stops the server after."""
    import time
    import urllib.request
    from pathlib import Path

    binary = _virtuoso_binary()
    folder = Path(folder)
    http, sql = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, http=http, sql=sql, buffers=buffers,
                                       dirty=buffers * 3 // 4), encoding="utf-8")
    process = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            log = (folder / "virtuoso.log").read_text(errors="replace")[-800:] if (folder / "virtuoso.log").exists() \
                else ""
            pytest.fail(f"Virtuoso did not start: {log}")
        isql = shutil.which("isql-vt") or shutil.which("isql")
        done = subprocess.run([isql, f"127.0.0.1:{sql}", "dba", "dba", f"exec=SET PASSWORD dba {password};"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            pytest.fail(f"the dba password could not be set: {done.stdout[-300:]} {done.stderr[-300:]}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
