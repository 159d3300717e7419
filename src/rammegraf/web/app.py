"""The web app: routes from each page family, security headers, and the worker pool's life."""

from __future__ import annotations

from contextlib import asynccontextmanager

from .base import Settings, Web
from .endpoint import PATHS, Endpoint
from .entries import Entries
from .graphs import Graphs
from .pages import Pages
from .queries import Queries
from .resources import Resources
from .rounds import Rounds
from .search import Search
from .validation import Validation

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"), (b"cross-origin-opener-policy", b"same-origin")]


def create_app(settings: Settings | None = None):
    """The ASGI app; the store is opened (and the workers started) at start-up."""
    from starlette.applications import Starlette
    from starlette.routing import Router

    web = Web(settings or Settings())
    pages = Pages(web)
    endpoint = Endpoint(web)
    # Entries before Resources: /id/…/rediger is an entry's form, not a resource called …/rediger
    families = [pages, Queries(web, pages), endpoint, Entries(pages), Resources(pages), Graphs(pages),
                Validation(web), Rounds(pages), Search(pages)]
    routes = [route for family in families for route in family.routes()]

    @asynccontextmanager
    async def lifespan(app):
        await web.start()
        try:
            yield
        finally:
            await web.stop()

    async def not_found(request, exc):
        return web.not_found(request)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
    app.router.redirect_slashes = False  # a redirect would be built from the Host header
    app.state.web = web
    return SecurityHeaders(app, fast={path: endpoint.asgi for path in PATHS})


class SecurityHeaders:
    """Every response gets the security headers (a page may set its own CSP).

    ``fast`` maps a path to a plain ASGI handler that skips Starlette's router and
    middleware: the SPARQL endpoint, whose every request costs the main process
    time that a busy server needs for the next one.
    """

    def __init__(self, app, *, fast: dict | None = None) -> None:
        self.app = app
        self.state = app.state
        self.fast = fast or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] not in SAFE_METHODS and cross_site(scope):
            return await refuse_cross_site(send_with_headers)
        handler = self.fast.get(scope["path"])
        await (handler or self.app)(scope, receive, send_with_headers)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CROSS_SITE = ("Afvist: forespørgslen kom fra en side på et andet websted. Brug rammegrafs egne sider, "
              "eller send den uden en browser.\n(Refused: a cross-site request. Use rammegraf's own pages, "
              "or send it from a program rather than a browser.)\n").encode("utf-8")


def cross_site(scope) -> bool:
    """Whether a browser sent this request from a page on another site (CSRF).

    Browsers say where a request comes from: Sec-Fetch-Site (same-origin, same-site,
    cross-site, none), or at least Origin on a POST. Programs (curl, SPARQLWrapper,
    rammegraf --endpoint) send neither and are let through; a page elsewhere, even
    another port on the same host, is not. Behind a reverse proxy the public host
    is the X-Forwarded-Host the proxy sets (a cross-site page cannot set it)."""
    headers = dict(scope["headers"])
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site not in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    if origin is None:
        return False
    from urllib.parse import urlsplit

    host = headers.get(b"x-forwarded-host") or headers.get(b"host") or b""
    try:
        return urlsplit(origin.decode("latin-1")).netloc.lower() != host.decode("latin-1").lower()
    except ValueError:
        return True


async def refuse_cross_site(send) -> None:
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"vary", b"origin"),
                            (b"content-length", str(len(CROSS_SITE)).encode())]})
    await send({"type": "http.response.body", "body": CROSS_SITE})


def get_once(app, path: str, *, accept: str = "text/html") -> tuple[int, bytes, str]:
    """Answer one request in-process (``rammegraf serve --get``)."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get(path, headers={"accept": accept})
    return response.status_code, response.content, response.headers.get("content-type", "")
