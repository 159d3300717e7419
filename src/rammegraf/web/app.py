"""The web app: routes from each page family, security headers, and the worker pool's life."""

from __future__ import annotations

import functools
import time
from contextlib import asynccontextmanager

from .auth import BROWSER_COOKIE, CURRENT, SCOPE_KEY, Guard, SignIn, current
from .base import Settings, Web
from .endpoint import PATHS, Endpoint
from .entries import Entries
from .graphs import Graphs
from .pages import Pages
from .queries import Queries
from .report import Report
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

    web = Web(settings or Settings())
    guard = Guard(web.settings)
    web.env.globals["auth"] = current        # base.html: who is signed in, and the forms' CSRF tokens
    pages = Pages(web)
    endpoint = Endpoint(web)
    # Entries before Resources: /id/…/rediger is an entry's form, not a resource called …/rediger
    families = [pages, Queries(web, pages), endpoint, Entries(pages), Resources(pages), Graphs(pages),
                Validation(web), Rounds(pages), Report(pages), Search(pages), SignIn(web, guard)]
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
    app.state.guard = guard
    return SecurityHeaders(app, fast={path: endpoint.asgi for path in PATHS}, guard=guard,
                           allowed=web.settings.allowed_hosts, log=AccessLog.open(web.settings.access_log))


class SecurityHeaders:
    """What every request goes through before any route: the Host allow-list (421:
    DNS rebinding), the cross-site check of a POST (403), who the request comes from
    (rammegraf.web.auth), the security headers of every response (a page may set
    its own CSP), and a line in the access log.

    ``fast`` maps a path to a plain ASGI handler that skips Starlette's router and
    middleware: the SPARQL endpoint, whose every request costs the main process
    time that a busy server needs for the next one.
    """

    def __init__(self, app, *, fast: dict | None = None, guard: Guard | None = None,
                 allowed: tuple[str, ...] | None = None, log: AccessLog | None = None) -> None:
        self.app = app
        self.state = app.state
        self.fast = fast or {}
        self.guard = guard or Guard(Settings())
        self.allowed = [split_host(entry) for entry in (allowed if allowed is not None else Settings.allowed_hosts)]
        self.log = log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.time()
        who = self.guard.identify(scope)
        scope[SCOPE_KEY] = who
        context = CURRENT.set(who)
        answered = {"status": None, "bytes": 0}
        shared = open_to_all(scope)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if shared:   # a read any page may make, without credentials (CORS)
                    headers.append((b"access-control-allow-origin", b"*"))
                    headers.append((b"access-control-expose-headers", EXPOSED))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                if who.minted:   # a form on this page needed a CSRF token before sign-in
                    headers.append((b"set-cookie", self.guard.cookie(BROWSER_COOKIE, who.minted, who).encode()))
                message = {**message, "headers": headers}
                answered["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answered["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            host = self.guard.host(scope)
            if not host_allowed(host, self.allowed, https=who.https):
                return await refuse(send_with_headers, 421, misdirected(host))
            if scope["method"] == "OPTIONS" and shared:
                return await preflight(send_with_headers)
            if scope["method"] not in SAFE_METHODS and not shared and cross_site(scope, self.guard):
                return await refuse(send_with_headers, 403, CROSS_SITE)
            handler = self.fast.get(scope["path"])
            await (handler or self.app)(scope, receive, send_with_headers)
        finally:
            CURRENT.reset(context)
            if self.log is not None:
                self.log.write(scope, who, answered["status"], answered["bytes"], started)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
EXPOSED = b"content-type, content-disposition, x-rammegraf-truncated, retry-after"


def open_to_all(scope) -> bool:
    """A request any page may make and read (CORS, ``Access-Control-Allow-Origin: *``):
    the read-only SPARQL endpoint (a query by GET or POST, and its preflight) and the
    reads of a resource (/id/…). No credentials are allowed, so a page elsewhere reads
    only what anyone may read; every other POST keeps its cross-site refusal."""
    path = scope["path"]
    if path in PATHS:
        return scope["method"] in ("GET", "HEAD", "POST", "OPTIONS")
    return path.startswith("/id/") and not path.endswith("/rediger") and scope["method"] in ("GET", "HEAD",
                                                                                               "OPTIONS")


async def preflight(send) -> None:
    """The answer to a CORS preflight: which methods and headers a page elsewhere may use."""
    await send({"type": "http.response.start", "status": 204,
                "headers": [(b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
                            (b"access-control-allow-headers", b"accept, content-type"),
                            (b"access-control-max-age", b"600"), (b"vary", b"origin"),
                            (b"allow", b"GET, HEAD, POST, OPTIONS")]})
    await send({"type": "http.response.body", "body": b""})
CROSS_SITE = ("Afvist: forespørgslen kom fra en side på et andet websted. Brug rammegrafs egne sider, "
              "eller send den uden en browser.\n(Refused: a cross-site request. Use rammegraf's own pages, "
              "or send it from a program rather than a browser.)\n").encode("utf-8")


def misdirected(host: bytes | None) -> bytes:
    shown = "".join(c for c in (host or b"").decode("latin-1") if c.isprintable())[:100]
    return (f"Afvist: serveren svarer ikke på navnet '{shown}' (beskyttelse mod DNS-rebinding). Brug den adresse, "
            "serveren blev startet med, eller start den med --allowed-host NAVN[:PORT].\n"
            f"(Refused: this server does not answer to the host '{shown}' (a guard against DNS rebinding). Use "
            "the address it was started on, or start it with --allowed-host NAME[:PORT].)\n").encode("utf-8")


def split_host(value: str | bytes | None) -> tuple[str, int | None] | None:
    """A Host value (or an --allowed-host entry) as (name, port or None); None when it
    is not a host name or address with an optional port."""
    import re

    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = (value or "").strip().lower()
    if text.startswith("["):
        found = re.fullmatch(r"\[([0-9a-f:.%]+)\](?::(\d{1,5}))?", text)
    elif text.count(":") > 1:   # a bare IPv6 address (an --allowed-host entry)
        found = re.fullmatch(r"([0-9a-f:.]+)()", text)
    else:
        found = re.fullmatch(r"([a-z0-9_.-]+?)\.?(?::(\d{1,5}))?", text)
    if not found or not found.group(1):
        return None
    port = found.group(2)
    return found.group(1), int(port) if port else None


def default_allowed_hosts(host: str, port: int) -> tuple[str, ...]:
    """The Host values a server listening on ``host``:``port`` answers by default:
    that address, with localhost, 127.0.0.1 and [::1] on loopback; on a wildcard
    address (0.0.0.0, ::) those and the machine's own names and addresses."""
    import ipaddress
    import socket

    def form(name: str) -> str:
        return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"

    loopback = [form("127.0.0.1"), form("localhost"), form("::1")]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or (address is not None and address.is_loopback):
        return tuple(dict.fromkeys([form(host), *loopback]))
    names = [form(host)] if address is None or not address.is_unspecified else []
    if address is not None and address.is_unspecified:
        names += loopback
    machine = {socket.gethostname(), socket.getfqdn()} - {"localhost"}
    if address is not None and address.is_unspecified:   # then every address of this machine
        machine.update(_machine_addresses())
    names += [form(n.lower()) for n in sorted(machine) if n and split_host(form(n)) is not None]
    return tuple(dict.fromkeys(names))


def _machine_addresses() -> set[str]:
    """This machine's IP addresses (its interfaces' on Linux, else what its name resolves to)."""
    import ipaddress
    import socket
    import struct

    found = set()
    try:
        import fcntl

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            for _, name in socket.if_nameindex():
                try:
                    packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))  # SIOCGIFADDR
                    found.add(socket.inet_ntoa(packed[20:24]))
                except OSError:
                    pass
    except (ImportError, OSError, AttributeError):
        pass
    try:   # IPv6: /proc/net/if_inet6 lists each interface's addresses (link-local ones cannot be a Host)
        for line in open("/proc/net/if_inet6", encoding="ascii"):
            ip = ipaddress.ip_address(int(line.split()[0], 16))
            if not ip.is_link_local:
                found.add(str(ip))
    except (OSError, ValueError, IndexError):
        pass
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM))
    except OSError:
        pass
    this_network = ipaddress.ip_network("0.0.0.0/8")   # no address a browser can ask for
    return {a for a in found if not (ipaddress.ip_address(a).version == 4 and ipaddress.ip_address(a) in this_network)}


def host_allowed(host: bytes | None, allowed, *, https: bool = False) -> bool:
    """Whether a request's Host is on the allow-list (an entry without a port allows any port)."""
    parsed = split_host(host)
    if parsed is None:
        return False
    name, port = parsed
    port = port or (443 if https else 80)
    return any(entry is not None and entry[0] == name and entry[1] in (None, port) for entry in allowed)


def cross_site(scope, guard: Guard | None = None) -> bool:
    """Whether a browser sent this request from a page on another origin (CSRF).

    Browsers say where a request comes from: Sec-Fetch-Site (same-origin, same-site,
    cross-site, none), or at least Origin on a POST. Programs (curl, SPARQLWrapper,
    rammegraf --endpoint) send neither and are let through; a page elsewhere, even
    another port or another scheme on the same host, is not: Origin is compared with
    this request's own scheme, host and port. Behind the trusted proxy the public
    host and scheme are its X-Forwarded-Host and X-Forwarded-Proto (from anyone
    else those headers are ignored)."""
    from urllib.parse import urlsplit

    guard = guard or Guard(Settings())
    headers = dict(scope["headers"])
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site not in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    if origin is None:
        return False
    scheme = "https" if guard.https(scope) else "http"
    ours = split_host(guard.host(scope))
    try:
        theirs = urlsplit(origin.decode("latin-1").strip())
        their_port = theirs.port
    except ValueError:
        return True
    if ours is None or theirs.scheme not in ("http", "https") or not theirs.hostname:
        return True
    default = {"http": 80, "https": 443}
    return (theirs.scheme, theirs.hostname.lower().rstrip("."), their_port or default[theirs.scheme]) != \
        (scheme, ours[0], ours[1] or default[scheme])


async def refuse(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"vary", b"origin"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One line per request, in the Combined Log Format with the signed-in user as
    its user field: address, user, time, request line, status, bytes, referer and
    user agent. No cookie, password or Authorization header is ever written."""

    def __init__(self, stream, *, own: bool = False) -> None:
        self.stream = stream
        self.own = own
        self.broken = False

    @classmethod
    def open(cls, target: str | None) -> AccessLog | None:
        import sys

        if target is None:
            return None
        if target == "-":
            return cls(sys.stderr)
        try:
            return cls(open(target, "a", encoding="utf-8", buffering=1), own=True)
        except OSError as error:
            from ..errors import RammegrafError

            raise RammegrafError(f"{target}: adgangsloggen kan ikke åbnes: {error.strerror} "
                                 "(cannot open the access log)") from None

    def write(self, scope, who, status: int | None, size: int, started: float) -> None:
        headers = dict(scope["headers"])
        target = scope.get("raw_path") or scope["path"].encode("utf-8")
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        when = _when(int(started))
        request = f"{scope['method']} {target.decode('latin-1')} HTTP/{scope.get('http_version', '1.1')}"
        line = (f"{_field(who.address) or '-'} - {_field(who.user or '', space=True) or '-'} [{when}] "
                f"\"{_field(request)}\" {status or '-'} {size or '-'} "
                f"\"{_field(headers.get(b'referer', b'-').decode('latin-1'))}\" "
                f"\"{_field(headers.get(b'user-agent', b'-').decode('latin-1'))}\"\n")
        try:
            self.stream.write(line)
            self.stream.flush()
        except (OSError, ValueError):
            if not self.broken:
                self.broken = True
                import sys

                print("rammegraf: adgangsloggen kan ikke skrives (cannot write the access log)", file=sys.stderr)


@functools.lru_cache(maxsize=4)
def _when(second: int) -> str:
    """A log line's time (one formatting a second, not one a request)."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(second, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _field(text: str, *, space: bool = False) -> str:
    """A log field: backslash, quote and control characters escaped as Apache does (\\xHH);
    with ``space``, spaces too (the user field is not quoted)."""
    if text.isprintable() and "\\" not in text and '"' not in text and not (space and " " in text):
        return text   # the common case, without a loop over its characters
    out = []
    for c in text:
        if c in "\\\"":
            out.append("\\" + c)
        elif not c.isprintable() or (space and c.isspace()):
            out.append("".join(f"\\x{b:02x}" for b in c.encode("utf-8")))
        else:
            out.append(c)
    return "".join(out)


def get_once(app, path: str, *, accept: str = "text/html") -> tuple[int, bytes, str]:
    """Answer one request in-process (``rammegraf serve --get``)."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get(path, headers={"accept": accept})
    return response.status_code, response.content, response.headers.get("content-type", "")
