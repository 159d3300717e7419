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
        if self.path.startswith("/basic/"):
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
