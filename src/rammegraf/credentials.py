"""The user name and password a SPARQL server asks for, never from the command line.

Where they come from, first found wins:

1. ``RAMMEGRAF_USER`` and ``RAMMEGRAF_PASSWORD`` in the environment (both);
2. the ``machine`` entry for the server's host in ``~/.netrc`` (or the file
   ``$NETRC`` names), the convention curl and requests follow;
3. a user name and password written in the URL itself (``http://user:pw@host/``),
   which works but leaves the password in the shell's history.

They are sent only when the server asks (HTTP 401): by HTTP Digest when its
challenge says Digest (Virtuoso's ``/sparql-auth`` and graph store), else by HTTP
Basic (Fuseki, GraphDB, a reverse proxy). They stay with their host:

- the environment's pair is used only for the hosts ``RAMMEGRAF_AUTH_HOST``
  names (``host`` or ``host:port``, comma-separated) when it is set;
- Basic, which sends the password itself, is never sent over plain http to a
  host other than this machine (localhost, 127.0.0.0/8, ::1) unless the user
  says so (``--allow-insecure-auth``, or ``RAMMEGRAF_ALLOW_INSECURE_AUTH=1``);
  Digest, which sends a hash, is;
- they are never printed: every message about a server shows its URL without
  the user information, and a message is scrubbed of the password in every
  form a server may echo it (as written, URL-encoded, and base64 in a Basic
  header) before it is shown.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import RammegrafError


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str          # where they came from, for messages ("RAMMEGRAF_USER", "~/.netrc", "the URL")

    def __repr__(self) -> str:   # never the password, not even in a traceback's locals
        return f"Credentials(user={self.user!r}, source={self.source!r})"


class CredentialsError(RammegrafError):
    """The credentials cannot be read (a .netrc that does not parse, half of a pair)."""


def for_url(url: str) -> Credentials | None:
    """The credentials for the server at ``url``, or None when none are given."""
    parts = urlsplit(url)
    user, password = os.environ.get("RAMMEGRAF_USER"), os.environ.get("RAMMEGRAF_PASSWORD")
    if user is not None or password is not None:
        if not user or password is None:
            raise CredentialsError("sæt både RAMMEGRAF_USER og RAMMEGRAF_PASSWORD, eller ingen af dem "
                                   "(set both RAMMEGRAF_USER and RAMMEGRAF_PASSWORD, or neither)")
        if for_host(parts):
            return Credentials(user, password, "RAMMEGRAF_USER/RAMMEGRAF_PASSWORD")
    found = _netrc(parts.hostname or "")
    if found is not None:
        return found
    if parts.username is not None:
        from urllib.parse import unquote

        return Credentials(unquote(parts.username), unquote(parts.password or ""), "the URL")
    return None


def for_host(parts) -> bool:
    """Whether the environment's credentials may go to this URL's host: always,
    unless RAMMEGRAF_AUTH_HOST names others."""
    allowed = [h.strip().lower() for h in os.environ.get("RAMMEGRAF_AUTH_HOST", "").split(",") if h.strip()]
    if not allowed:
        return True
    host = (parts.hostname or "").lower()
    with_port = f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    return any(entry.strip("[]") == host or entry.replace("[", "").replace("]", "") == with_port
               for entry in allowed)


def refused_here(url: str) -> str | None:
    """Why the environment's credentials were kept from this URL's host, or None."""
    if os.environ.get("RAMMEGRAF_USER") and not for_host(urlsplit(url)):
        return (f"RAMMEGRAF_USER gælder kun {os.environ['RAMMEGRAF_AUTH_HOST']} (RAMMEGRAF_AUTH_HOST), ikke "
                f"{urlsplit(url).hostname} (the environment's credentials are for another host)")
    return None


def loopback(host: str | None) -> bool:
    """Whether a URL's host is this machine, by its name or address as written."""
    import ipaddress

    host = (host or "").lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_allowed() -> bool:
    return os.environ.get("RAMMEGRAF_ALLOW_INSECURE_AUTH") == "1"


class InsecureAuth(CredentialsError):
    """A server asked for Basic over plain http: the password would cross the network as it is."""


def _netrc(host: str) -> Credentials | None:
    import netrc

    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not host or not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as error:
        # the parser's message may quote a token of the file (a password): only where it is
        raise CredentialsError(f"{path} kan ikke læses (linje {error.lineno}); ret filen "
                               "(the .netrc file does not parse)") from None
    except OSError as error:
        raise CredentialsError(f"{path} kan ikke læses: {error.strerror} (cannot read the .netrc file)") from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(login or "", password or "", str(path))


def shown(url: str) -> str:
    """The URL as messages show it: without a user name or password in it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<adressen kan ikke vises>"
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def scrub(text: str, credentials: Credentials | None) -> str:
    """A message with the password taken out, wherever a server or library put it:
    as written, URL-encoded, and base64 (alone, or with the user name as a Basic
    header carries it, in either base64 alphabet)."""
    if credentials is None or not credentials.password or len(credentials.password) < 3:
        return text
    from urllib.parse import quote, quote_plus

    pair = f"{credentials.user}:{credentials.password}".encode("utf-8")
    secret = credentials.password.encode("utf-8")
    forms = {credentials.password, quote(credentials.password, safe=""), quote_plus(credentials.password)}
    for raw in (pair, secret):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(raw).decode("ascii")
            forms |= {encoded, encoded.rstrip("=")}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def auth(credentials: Credentials | None):
    """An httpx auth flow that answers the server's challenge with the credentials:
    Digest when the server asks for Digest, else Basic (never over plain http to
    another machine, unless allowed: InsecureAuth); nothing before it asks."""
    if credentials is None:
        return None
    import httpx2 as httpx

    class Challenged(httpx.Auth):
        requires_response_body = False

        def __init__(self) -> None:
            self.digest = httpx.DigestAuth(credentials.user, credentials.password)
            self.basic = None

        def auth_flow(self, request):
            if self.basic is not None:            # the server asked for Basic before: ask no more
                request.headers["Authorization"] = self.basic
                yield request
                return
            if self.digest._last_challenge:
                yield from self.digest.auth_flow(request)
                return
            response = yield request
            if response.status_code != 401:
                return
            challenges = [c.lower() for c in response.headers.get_list("www-authenticate")]
            if any(c.startswith("digest ") for c in challenges):
                flow = self.digest.auth_flow(request)
                next(flow)
                try:
                    yield flow.send(response)
                except StopIteration:
                    return
            elif any(c.startswith("basic") for c in challenges) or not challenges:
                if request.url.scheme != "https" and not loopback(request.url.host) and not insecure_allowed():
                    raise InsecureAuth(
                        f"{request.url.host} beder om Basic-login over http uden kryptering; adgangskoden "
                        f"({credentials.source}) sendes ikke i klar tekst over netværket: brug https, eller "
                        "--allow-insecure-auth hvis netværket er sikret på anden vis (the server asks for Basic "
                        "authentication over plain http: the password is not sent in clear text; use https)")
                token = base64.b64encode(f"{credentials.user}:{credentials.password}".encode("utf-8")).decode()
                self.basic = f"Basic {token}"
                request.headers["Authorization"] = self.basic
                yield request

    return Challenged()
