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


# --- a listener that must see nothing ------------------------------------------------

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


def _chromium() -> str:
    """Debian's Chromium; installed here when missing. A missing browser fails, never skips."""
    path = shutil.which("chromium")
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env,
                       capture_output=True)
        path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is not installed and could not be installed: run "
                    "`apt-get update && apt-get install -y chromium` (the browser tests need it)")
    return path


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
