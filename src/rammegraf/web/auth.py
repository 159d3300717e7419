"""Sign-in for writing: who a request comes from, the CSRF check of the forms that
POST, and the pages /log-ind and /log-ud.

A request's user is the trusted proxy's (``--trust-proxy-user HEADER``, read only
when the TCP peer is one of ``--proxy``'s addresses, as UTF-8) or the signed-in
session's (the cookie ``rammegraf_session``). The accounts, sessions, CSRF tokens
and sign-in limits themselves are rammegraf.auth's.
"""

from __future__ import annotations

import asyncio
import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from starlette.responses import JSONResponse, RedirectResponse, Response

from ..auth import Accounts, Csrf, Sessions, SignInLimit, new_browser_id
from ..entries import user_of
from ..errors import RammegrafError
from .urls import link

SESSION_COOKIE = "rammegraf_session"
BROWSER_COOKIE = "rammegraf_browser"     # a random id before sign-in, that the sign-in form's token is bound to
CSRF_FIELD = "_csrf"
CSRF_HEADER = b"x-csrf-token"
SCOPE_KEY = "rammegraf.who"
FORM_LIMIT = 10_000                      # bytes of a sign-in or sign-out form
CURRENT: ContextVar = ContextVar("rammegraf_who", default=None)


class Guard:
    """What the app knows about identities: accounts, sessions, the CSRF key, the
    sign-in limits, and which peers are the trusted proxy."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.accounts = Accounts(settings.users) if settings.users else None
        self.sessions = Sessions()
        self.csrf = Csrf()
        self.limit = SignInLimit()
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in settings.proxies]
        self.header = settings.proxy_user_header.lower().encode("latin-1") if settings.proxy_user_header else None
        self.verifying = asyncio.Semaphore(2)   # argon2 takes 64 MiB a try: at most two at once

    # --- the peer --------------------------------------------------------------------------
    def trusted(self, scope) -> bool:
        """Whether the TCP peer is the trusted proxy."""
        client = scope.get("client")
        return bool(client and self.proxies and _in(client[0], self.proxies))

    def address(self, scope) -> str:
        """The client's address: the peer, or behind the trusted proxy the last address
        of X-Forwarded-For that is not the proxy's own."""
        client = scope.get("client")
        peer = client[0] if client else ""
        if self.trusted(scope):
            forwarded = ",".join(v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for")
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                if not _in(hop, self.proxies):
                    return hop
        return peer

    def https(self, scope) -> bool:
        """Whether the browser's request came over https: to us, or to the trusted proxy."""
        if scope.get("scheme") == "https":
            return True
        if self.trusted(scope):
            proto = _last(scope, b"x-forwarded-proto")
            return proto is not None and proto.strip().lower() == b"https"
        return False

    def host(self, scope) -> bytes | None:
        """The host the browser asked for: Host, or X-Forwarded-Host from the trusted proxy."""
        if self.trusted(scope):
            forwarded = _last(scope, b"x-forwarded-host")
            if forwarded:
                return forwarded.split(b",")[-1].strip()
        return _last(scope, b"host")

    # --- who -------------------------------------------------------------------------------
    def identify(self, scope) -> Who:
        cookies = _cookies(scope)
        query = scope.get("query_string", b"").decode("latin-1")
        who = Who(guard=self, https=self.https(scope), address=self.address(scope),
                  browser=cookies.get(BROWSER_COOKIE) or None,
                  here=safe_next(scope.get("path", "/") + (f"?{query}" if query else "")))
        if self.header is not None and self.trusted(scope):
            user = user_of(_last(scope, self.header))
            if user:
                who.user, who.via = user, "proxy"
        if self.accounts is not None and cookies.get(SESSION_COOKIE):
            token = cookies.get(SESSION_COOKIE)
            session = self.sessions.get(token)
            if session is not None and self._still_valid(session):
                who.session = token
                if who.user is None:
                    who.user, who.via = session.user, "session"
            elif session is not None:
                self.sessions.end(token)
        return who

    def _still_valid(self, session) -> bool:
        """The account is still there with the password it had at sign-in."""
        try:
            return self.accounts.hash_of(session.user) == session.account
        except RammegrafError:   # the users file cannot be read now: nobody is signed in until it can
            return False

    def cookie(self, name: str, value: str, who: Who, *, end: bool = False) -> str:
        """A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, Secure over https;
        without Max-Age (gone when the browser closes) unless it ends one."""
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if who.https:
            parts.append("Secure")
        if end:
            parts.append("Max-Age=0")
        return "; ".join(parts)


@dataclass
class Who:
    """Who a request comes from, and the CSRF token for the forms on its page."""

    guard: Guard | None = None
    user: str | None = None
    via: str | None = None          # "session" or "proxy"
    session: str | None = None      # the valid session token the cookie carried
    browser: str | None = None      # the browser cookie it carried
    minted: str | None = None       # a browser cookie made for this answer
    https: bool = False
    address: str = ""
    here: str = "/"                 # this page, to come back to after signing in

    # for the page header
    @property
    def shown(self) -> bool:
        return bool(self.guard and self.guard.settings.write)

    @property
    def can_sign_in(self) -> bool:
        return bool(self.guard and self.guard.accounts is not None)

    def csrf(self) -> str:
        """The token for a form on this page (a browser cookie is made for it if needed)."""
        if self.guard is None:
            return ""
        if self.session:
            return self.guard.csrf.token("s:" + self.session)
        if not self.browser:
            self.browser = self.minted = new_browser_id()
        return self.guard.csrf.token("b:" + self.browser)

    def csrf_ok(self, token: str | None) -> bool:
        if self.guard is None:
            return False
        bindings = []
        if self.session:
            bindings.append("s:" + self.session)
        if self.browser and self.browser != self.minted:
            bindings.append("b:" + self.browser)
        return self.guard.csrf.valid(token, bindings)


def who(request) -> Who:
    """The identity the middleware found for this request."""
    return request.scope.get(SCOPE_KEY) or Who()


def current() -> Who:
    """The identity of the request being answered (for the templates)."""
    return CURRENT.get() or Who()


# --------------------------------------------------------------------------- CSRF and identity checks

def refuse_csrf(request, posted: dict | None, *, json: bool = False) -> Response | None:
    """None when the form's CSRF token (field ``_csrf`` or header X-CSRF-Token) is right;
    else the 403 that says so. The field is taken out of ``posted``."""
    sent = (posted or {}).pop(CSRF_FIELD, [None])[-1] if posted is not None else None
    header = request.headers.get("x-csrf-token")
    if who(request).csrf_ok(header or sent):
        return None
    message = _say(request, "Formularens sikkerhedsnøgle mangler eller passer ikke (den er for gammel, eller "
                            "formularen kom ikke fra rammegrafs egen side): hent siden igen, og send den derfra.",
                   "The form's security token is missing or wrong (it is too old, or the form did not come "
                   "from rammegraf's own page): reload the page and send it from there.")
    if json:
        return JSONResponse({"error": message}, status_code=403)
    return request.app.state.web.error_page(request, 403, message)


def refuse_anonymous(request, back: str) -> Response | None:
    """None when the request has a user; else a browser is sent to sign in (and back
    to ``back``), and a program gets 401 with a sentence."""
    found = who(request)
    if found.user:
        return None
    web = request.app.state.web
    lang = web.lang(request)
    if found.can_sign_in:
        if _is_browser(request):
            return RedirectResponse(link("/log-ind", lang, next=back), status_code=303)
        message = _say(request, "Log ind for at gemme: /log-ind.", "Sign in to save: /log-ind.")
    else:
        message = _say(request, "Serveren kender ikke din bruger: den omvendte proxy sendte intet brugernavn.",
                       "The server does not know who you are: the reverse proxy sent no user name.")
    return web.error_page(request, 401, message)


def _is_browser(request) -> bool:
    return request.headers.get("sec-fetch-mode") == "navigate" or "text/html" in request.headers.get("accept", "")


def safe_next(value: str | None) -> str:
    """A path on this site to go back to after sign-in: never another site."""
    text = (value or "").strip()
    if not text or any(ord(c) < 0x20 or c == "\\" for c in text):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --------------------------------------------------------------------------- the pages

class SignIn:
    def __init__(self, web, guard: Guard) -> None:
        self.web = web
        self.guard = guard

    def routes(self):
        from starlette.routing import Route

        return [Route("/log-ind", self.sign_in, methods=["GET", "POST"]),
                Route("/log-ud", self.sign_out, methods=["POST"])]

    async def sign_in(self, request):
        if self.guard.accounts is None:
            return self.web.error_page(request, 404, _say(
                request, "Denne server har ingen brugere at logge ind som (den er ikke startet med --write og "
                         "--users).",
                "This server has no users to sign in as (it was not started with --write and --users)."))
        back = safe_next(request.query_params.get("next"))
        if request.method == "GET":
            return self._page(request, back)
        try:
            posted = await self._form(request)
        except RammegrafError as error:
            return self.web.error_page(request, 400, str(error))
        back = safe_next((posted.get("next") or [back])[-1])
        refused = refuse_csrf(request, posted)
        if refused is not None:
            return refused
        name = (posted.get("navn") or [""])[-1]
        password = (posted.get("adgangskode") or [""])[-1]
        me = who(request)
        async with self.guard.verifying:   # the limit is asked again here, so tries sent at once cannot pass it
            wait = self.guard.limit.wait(name, me.address)
            if wait > 0:
                seconds = int(wait) + 1
                return self._page(request, back, name=name, status=429, headers={"retry-after": str(seconds)},
                                  error=_say(request, f"For mange forkerte forsøg: prøv igen om {_minutes(seconds)}.",
                                             f"Too many failed attempts: try again in {_minutes(seconds, 'en')}."))
            try:
                user = await asyncio.get_running_loop().run_in_executor(None, self.guard.accounts.verify,
                                                                        name, password)
            except RammegrafError as error:      # the users file became unreadable
                return self.web.error_page(request, 500, str(error))
        if user is None:
            self.guard.limit.failed(name, me.address)
            return self._page(request, back, name=name, status=401, error=_say(
                request, "Forkert brugernavn eller adgangskode.", "Wrong user name or password."))
        self.guard.limit.succeeded(name)
        self.guard.sessions.end(me.session)
        token = self.guard.sessions.create(user, self.guard.accounts.hash_of(user))
        answer = RedirectResponse(back, status_code=303)
        answer.raw_headers.append((b"set-cookie", self.guard.cookie(SESSION_COOKIE, token, me).encode("latin-1")))
        return answer

    async def sign_out(self, request):
        me = who(request)
        try:
            posted = await self._form(request)
        except RammegrafError as error:
            return self.web.error_page(request, 400, str(error))
        if me.session:
            refused = refuse_csrf(request, posted)
            if refused is not None:
                return refused
            self.guard.sessions.end(me.session)
        answer = RedirectResponse(link("/", self.web.lang(request)), status_code=303)
        answer.raw_headers.append((b"set-cookie", self.guard.cookie(SESSION_COOKIE, "", me, end=True)
                                   .encode("latin-1")))
        return answer

    def _page(self, request, back: str, *, name: str = "", status: int = 200, error: str | None = None,
              headers: dict | None = None):
        lang = self.web.lang(request)
        return self.web.page(request, "signin.html", status=status, headers={**(headers or {}),
                                                                             "cache-control": "no-store"},
                             action=link("/log-ind", lang), back=back, name=name, error=error)

    async def _form(self, request) -> dict:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await self.web.read_body(request, FORM_LIMIT)
        if not body:
            return {}
        if kind != "application/x-www-form-urlencoded":
            raise RammegrafError("formularen sendes som application/x-www-form-urlencoded (unknown form type)")
        try:
            return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
        except ValueError:
            raise RammegrafError("formularen har for mange felter (the form has too many fields)") from None


def sign_in_link(lang: str, here: str) -> str:
    return link("/log-ind", lang, next=here)


def _minutes(seconds: int, lang: str = "da") -> str:
    minutes = max(1, (seconds + 59) // 60)
    if lang == "en":
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes} minut{'ter' if minutes != 1 else ''}"


def _say(request, da: str, en: str) -> str:
    lang = "en" if request.query_params.get("lang") == "en" else "da"
    return f"{da} ({en})" if lang == "da" else en


# --------------------------------------------------------------------------- helpers

def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _last(scope, name: bytes) -> bytes | None:
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


def _cookies(scope) -> dict:
    from starlette.requests import cookie_parser

    raw = b"; ".join(v for k, v in scope["headers"] if k == b"cookie")
    return cookie_parser(raw.decode("latin-1")) if raw else {}

