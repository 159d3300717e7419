"""Credentials for SPARQL servers: from RAMMEGRAF_USER/RAMMEGRAF_PASSWORD or ~/.netrc,
sent by HTTP Basic or Digest as the server asks, never printed."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import threading

import pytest
from click.testing import CliRunner

from rammegraf.cli import main

USER, PASSWORD = "analytiker", "hemmeligt-kodeord-42"
ASK = json.dumps({"head": {}, "boolean": True}).encode()


class Server(http.server.BaseHTTPRequestHandler):
    """/basic/… wants Basic, /digest/… wants Digest (RFC 7616, MD5, qop=auth); a query
    answers true, a PUT to …/store answers 201. Every Authorization header is kept."""
    seen: list = []

    def log_message(self, *args):
        pass

    def _ok(self) -> bool:
        header = self.headers.get("Authorization")
        self.seen.append((self.command, self.path.split("?")[0], header))
        if self.path.startswith("/echo/") and header:   # a server whose error page says what it was sent
            from urllib.parse import quote

            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"Authorization: {header}\nform: password={quote(PASSWORD)}\n"
                             f"token: {base64.b64encode(PASSWORD.encode()).decode()}\n".encode())
            return False
        if self.path.startswith(("/basic/", "/echo/")):
            good = header == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            challenge = 'Basic realm="rammegraf-test"'
        else:
            good = header is not None and header.startswith("Digest ") and self._digest(header[7:])
            challenge = 'Digest realm="rammegraf-test", nonce="abc123", qop="auth", algorithm=MD5'
        if not good:
            self.send_response(401)
            self.send_header("WWW-Authenticate", challenge)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"unauthorized")
        return good

    def _digest(self, text: str) -> bool:
        fields = dict(part.strip().split("=", 1) for part in text.split(","))
        fields = {k: v.strip('"') for k, v in fields.items()}
        md5 = lambda value: hashlib.md5(value.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{USER}:rammegraf-test:{PASSWORD}")
        ha2 = md5(f"{self.command}:{fields.get('uri')}")
        want = md5(f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        return fields.get("username") == USER and fields.get("response") == want

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self._ok():
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(ASK)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self._ok():
            self.send_response(201)
            self.end_headers()


@pytest.fixture(scope="module")
def base():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def clean(monkeypatch, tmp_path):
    for name in ("RAMMEGRAF_USER", "RAMMEGRAF_PASSWORD", "RAMMEGRAF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    Server.seen.clear()
    return tmp_path


def ask(url: str, env: dict | None = None):
    return CliRunner().invoke(main, ["query", "-", "--endpoint", url], input="ASK { ?s ?p ?o }", env=env)


@pytest.mark.parametrize("kind", ["basic", "digest"])
def test_the_environment_gives_credentials_for_basic_and_digest(base, clean, kind):
    result = ask(f"{base}/{kind}/sparql", env={"RAMMEGRAF_USER": USER, "RAMMEGRAF_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "true" in result.output.lower() or "ja" in result.output.lower()
    first, *rest = Server.seen
    assert first[2] is None            # nothing is sent before the server asks
    assert rest[-1][2].startswith("Basic " if kind == "basic" else "Digest ")


@pytest.mark.parametrize("kind", ["basic", "digest"])
def test_netrc_gives_credentials_and_push_uses_them(base, clean, kind):
    netrc = clean / ".netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login {USER}\n  password {PASSWORD}\n", encoding="utf-8")
    os.chmod(netrc, 0o600)
    assert ask(f"{base}/{kind}/sparql").exit_code == 0
    pushed = CliRunner().invoke(main, ["push", "--store", f"{base}/{kind}/store"])
    assert pushed.exit_code == 0, pushed.output
    assert [(m, p) for m, p, h in Server.seen if h][-1] == ("PUT", f"/{kind}/store")


def test_a_wrong_password_is_refused_in_a_sentence_that_never_shows_it(base, clean):
    wrong = "forkert-kodeord-99"
    for kind in ("basic", "digest"):
        result = ask(f"{base}/{kind}/sparql", env={"RAMMEGRAF_USER": USER, "RAMMEGRAF_PASSWORD": wrong})
        assert result.exit_code == 2
        assert "blev afvist" in result.output and "RAMMEGRAF_USER" in result.output
        assert wrong not in result.output and "Traceback" not in result.output
    in_url = f"http://{USER}:{wrong}@{base[len('http://'):]}/basic/sparql"
    result = ask(in_url)
    assert result.exit_code == 2 and wrong not in result.output and USER + ":" not in result.output


def test_without_credentials_the_server_asking_for_them_is_said(base, clean):
    result = ask(f"{base}/basic/sparql")
    assert result.exit_code == 2
    assert "serveren kræver login: sæt RAMMEGRAF_USER og RAMMEGRAF_PASSWORD, eller en linje for 127.0.0.1 " \
           "i ~/.netrc" in result.output


def test_half_a_pair_and_a_netrc_that_does_not_parse_get_sentences(base, clean):
    result = ask(f"{base}/basic/sparql", env={"RAMMEGRAF_USER": USER})
    assert result.exit_code == 2 and "sæt både RAMMEGRAF_USER og RAMMEGRAF_PASSWORD" in result.output
    (clean / ".netrc").write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD} bogus\n", encoding="utf-8")
    os.chmod(clean / ".netrc", 0o600)
    result = ask(f"{base}/basic/sparql")
    assert result.exit_code == 2 and ".netrc kan ikke læses (linje " in result.output
    assert PASSWORD not in result.output


def test_the_password_is_not_in_the_credentials_repr():
    from rammegraf.credentials import Credentials

    assert PASSWORD not in repr(Credentials(USER, PASSWORD, "x"))


def test_the_environment_credentials_go_only_to_the_hosts_rammegraf_auth_host_names(base, clean):
    port = base.rsplit(":", 1)[1]
    env = {"RAMMEGRAF_USER": USER, "RAMMEGRAF_PASSWORD": PASSWORD}
    kept = ask(f"{base}/basic/sparql", env={**env, "RAMMEGRAF_AUTH_HOST": "sparql.example.org"})
    assert kept.exit_code == 2 and "RAMMEGRAF_USER gælder kun sparql.example.org (RAMMEGRAF_AUTH_HOST)" in kept.output
    other_port = ask(f"{base}/basic/sparql", env={**env, "RAMMEGRAF_AUTH_HOST": "127.0.0.1:1"})
    assert other_port.exit_code == 2
    assert not any(header for _, _, header in Server.seen)      # nothing was sent to this host
    for named in ("127.0.0.1", f"127.0.0.1:{port}", f"sparql.example.org, 127.0.0.1:{port}"):
        assert ask(f"{base}/basic/sparql", env={**env, "RAMMEGRAF_AUTH_HOST": named}).exit_code == 0, named


@pytest.fixture
def remote(monkeypatch):
    """sparql.example.org and its https twin, answered in-process (httpx's MockTransport):
    /basic/ asks for Basic, /digest/ for Digest; every Authorization header is kept."""
    import httpx2 as httpx

    seen = []

    def handler(request):
        header = request.headers.get("authorization")
        seen.append((str(request.url), header))
        if header is None:
            challenge = ('Basic realm="r"' if "/basic/" in request.url.path else
                         'Digest realm="r", nonce="n1", qop="auth", algorithm=MD5')
            return httpx.Response(401, headers={"www-authenticate": challenge}, text="unauthorized")
        return httpx.Response(200, headers={"content-type": "application/sparql-results+json"}, content=ASK)

    real = httpx.Client

    class Mocked(real):
        def __init__(self, *args, **kwargs):
            kwargs["transport"] = httpx.MockTransport(handler)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "Client", Mocked)
    return seen


def test_basic_is_never_sent_in_clear_text_to_another_machine(clean, remote, monkeypatch):
    monkeypatch.delenv("RAMMEGRAF_ALLOW_INSECURE_AUTH", raising=False)
    env = {"RAMMEGRAF_USER": USER, "RAMMEGRAF_PASSWORD": PASSWORD}
    refused = ask("http://sparql.example.org/basic/sparql", env=env)
    assert refused.exit_code == 2, refused.output
    assert "beder om Basic-login over http uden kryptering" in refused.output and "Traceback" not in refused.output
    assert [header for _, header in remote] == [None]            # asked once, never answered with the password
    assert ask("https://sparql.example.org/basic/sparql", env=env).exit_code == 0      # over https: sent
    assert ask("http://sparql.example.org/digest/sparql", env=env).exit_code == 0      # Digest sends a hash
    allowed = CliRunner().invoke(main, ["query", "-", "--endpoint", "http://sparql.example.org/basic/sparql",
                                        "--allow-insecure-auth"], input="ASK { ?s ?p ?o }", env=env)
    assert allowed.exit_code == 0, allowed.output
    sent = [header for url, header in remote if header]
    assert sent[0].startswith("Basic ") and sent[1].startswith("Digest ") and sent[-1].startswith("Basic ")


@pytest.mark.parametrize("source", ["environment", "url"])
def test_a_password_a_server_echoes_is_scrubbed_in_every_encoding(base, clean, source):
    from urllib.parse import quote

    secrets = [PASSWORD, quote(PASSWORD), base64.b64encode(PASSWORD.encode()).decode(),
               base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()]
    if source == "environment":
        url, env = f"{base}/echo/sparql", {"RAMMEGRAF_USER": USER, "RAMMEGRAF_PASSWORD": PASSWORD}
    else:
        url, env = f"http://{USER}:{PASSWORD}@{base[len('http://'):]}/echo/sparql", {}
    result = ask(url, env=env)
    assert result.exit_code == 2 and "svarede 500" in result.output and "Authorization: Basic ***" in result.output
    # a process of its own: the workers (forked from a fork server) see the environment it starts with
    import subprocess
    import sys

    page = subprocess.run([sys.executable, "-m", "rammegraf", "serve", "--endpoint", url, "--get",
                           "/sparql?query=ASK%7B%7D", "--accept", "application/sparql-results+json"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert "svarede 500" in page.stdout, (page.stdout, page.stderr)
    for text in (result.output, page.stdout, page.stderr):
        assert not any(secret in text for secret in secrets), text
