"""Safe on an intranet (issue 23): who may write, from which host and origin, and the
record of what was written.

Each attack that worked before is here as the request that made it: a save by
nobody, a user name from any client's X-Forwarded-User (and stored garbled), a
DNS-rebound page's save, an Origin of another scheme, a form without its CSRF
token; then the sign-in itself (cookie flags, wrong passwords limited, sign-out),
the accounts file, the audit log and the access log."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rammegraf.cli import main

PASSWORD = "korrekt hest batteri"
MILESTONE = {"rdfs-label@da": "Afklaring af botilbudsteams", "rg-dateText": "ultimo 2026",
             "inv-rg-hasMilestone": "Botilbudsteams", "prov-wasDerivedFrom": "kilde/handlingsplan-2025-08-20",
             "rg-responsible": "DASSOS"}
SAVED = "indtastet/milepael/afklaring-af-botilbudsteams.ttl"
EDIT = "/id/milepael/afklaring-af-botilbudsteams/rediger"
PROXY, OTHER = "10.0.0.1", "10.0.0.9"   # only ever names in a request's scope: no packet goes anywhere


@pytest.fixture
def users(tmp_path) -> Path:
    from rammegraf.auth import Accounts

    accounts = Accounts(tmp_path / "config" / "users.json")
    accounts.add("lise", PASSWORD)
    accounts.add("Søren Ærø", PASSWORD)
    return accounts.path


def app_client(data, *, client=("testclient", 50000), base_url="http://127.0.0.1", **settings):
    from starlette.testclient import TestClient

    from rammegraf.web import Settings, create_app

    settings.setdefault("write", True)
    return TestClient(create_app(Settings(data_dirs=(data,), cache=data.parent / "cache", **settings)),
                      base_url=base_url, client=client)


def token(http, page: str = "/ny/milepael") -> str:
    found = re.search(r'name="_csrf" value="([0-9a-f]{64})"', http.get(page).text)
    assert found, page
    return found.group(1)


def sign_in(http, name="lise", password=PASSWORD, **headers):
    return http.post("/log-ind", data={"navn": name, "adgangskode": password, "_csrf": token(http, "/log-ind")},
                     headers=headers, follow_redirects=False)


TURTLE = {"turtle": "<urn:a> <urn:p> <urn:o> ."}


def save(http, path="/ny/milepael", values=MILESTONE, *, csrf: str | None = "page", **headers):
    body = {**values, "handling": "gem"}
    if csrf == "page":
        body["_csrf"] = token(http, path)
    elif csrf is not None:
        body["_csrf"] = csrf
    return http.post(path, data=body, headers=headers, follow_redirects=False)


def saved(data) -> list[str]:
    folder = data / "indtastet"
    return sorted(p.relative_to(data).as_posix() for p in folder.rglob("*.ttl")) if folder.exists() else []


def creator(data) -> str:
    return re.search(r'dcterms:creator "([^"]*)"', (data / SAVED).read_text(encoding="utf-8")).group(1)


# --- who may save -----------------------------------------------------------------------------

def test_a_save_without_sign_in_is_refused(data, users):
    with app_client(data, users=users) as http:
        page = http.get("/ny/milepael").text
        assert 'value="gem"' not in page and 'href="/log-ind?next=%2Fny%2Fmilepael">Log ind for at gemme' in page
        browser = save(http, accept="text/html", **{"X-Forwarded-User": "mallory"})
        assert browser.status_code == 303 and browser.headers["location"] == "/log-ind?next=%2Fny%2Fmilepael"
        program = save(http, accept="*/*")
        assert program.status_code == 401 and "Log ind for at gemme" in program.text
    assert saved(data) == []


def test_x_forwarded_user_is_read_only_from_the_proxy(data):
    proxy = dict(proxy_user_header="X-Forwarded-User", proxies=(PROXY,))
    with app_client(data, client=(OTHER, 50000), **proxy) as http:
        answer = save(http, **{"X-Forwarded-User": "mallory"})
        assert answer.status_code == 401 and "den omvendte proxy sendte intet brugernavn" in answer.text
    assert saved(data) == []
    with app_client(data, client=(PROXY, 50000), **proxy) as http:
        assert save(http, **{"X-Forwarded-User": "lise"}).status_code == 303
    assert saved(data) == [SAVED] and creator(data) == "lise"


def test_a_utf8_user_name_from_the_proxy_is_stored_right(data):
    with app_client(data, client=(PROXY, 50000), proxy_user_header="X-Forwarded-User",
                    proxies=("10.0.0.0/24",)) as http:
        name = "Søren Ærø".encode("utf-8")
        assert "Logget ind som <strong>Søren Ærø</strong>" in http.get("/", headers={"X-Forwarded-User": name}).text
        assert save(http, **{"X-Forwarded-User": name}).status_code == 303
    assert creator(data) == "Søren Ærø"


def test_serve_write_needs_an_identity(tmp_path, data):
    empty = tmp_path / "none.json"
    result = CliRunner().invoke(main, ["serve", "--write", "--data", str(data), "--users", str(empty)])
    assert result.exit_code == 2 and "Tilføj en med 'rammegraf users add NAVN'" in result.output
    result = CliRunner().invoke(main, ["serve", "--write", "--data", str(data), "--users", str(empty),
                                       "--trust-proxy-user", "X-Forwarded-User"])
    assert result.exit_code == 2 and "--trust-proxy-user kræver --proxy" in result.output
    for option, value in (("--proxy", "intranet"), ("--allowed-host", "a b"), ("--allowed-host", "x/y")):
        result = CliRunner().invoke(main, ["serve", option, value, "--get", "/"])
        assert result.exit_code == 2 and value in result.output and "Traceback" not in result.output, value


# --- which host, which origin -----------------------------------------------------------------

def test_a_dns_rebinding_request_is_refused_before_any_route(data, users):
    from rammegraf.web.app import default_allowed_hosts

    port = 8202
    with app_client(data, users=users, base_url=f"http://127.0.0.1:{port}",
                    allowed_hosts=default_allowed_hosts("127.0.0.1", port)) as http:
        assert sign_in(http).status_code == 303
        rebound = {"Host": f"rebind.evil.example:{port}", "Origin": f"http://rebind.evil.example:{port}",
                   "Sec-Fetch-Site": "same-origin"}
        answer = save(http, **rebound)             # even with the session cookie and a good token
        assert answer.status_code == 421
        assert "serveren svarer ikke på navnet 'rebind.evil.example:8202'" in answer.text
        assert "--allowed-host" in answer.text
        assert http.get("/", headers={"Host": f"rebind.evil.example:{port}"}).status_code == 421
        assert http.get("/", headers={"Host": "127.0.0.1:1"}).status_code == 421       # another port
        for host in (f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST.:{port}"):
            assert http.get("/", headers={"Host": host}).status_code == 200, host
        # X-Forwarded-Host counts only from the trusted proxy: from anyone else it changes nothing
        assert http.get("/", headers={"X-Forwarded-Host": "rebind.evil.example"}).status_code == 200
    assert saved(data) == []
    with app_client(data, users=users, proxies=(PROXY,), client=(PROXY, 1), allowed_hosts=("rammegraf.intranet",)) \
            as http:
        assert http.get("/", headers={"X-Forwarded-Host": "rammegraf.intranet"}).status_code == 200
        assert http.get("/", headers={"X-Forwarded-Host": "rebind.evil.example"}).status_code == 421


def test_the_default_allow_list_is_the_address_listened_on():
    from rammegraf.web.app import _machine_addresses, default_allowed_hosts

    assert default_allowed_hosts("127.0.0.1", 8000) == ("127.0.0.1:8000", "localhost:8000", "[::1]:8000")
    assert default_allowed_hosts("::1", 80)[:2] == ("[::1]:80", "127.0.0.1:80")
    specific = default_allowed_hosts("192.0.2.10", 8000)
    assert specific[0] == "192.0.2.10:8000" and "127.0.0.1:8000" not in specific
    everywhere = default_allowed_hosts("0.0.0.0", 8080)
    assert everywhere[:3] == ("127.0.0.1:8080", "localhost:8080", "[::1]:8080")
    for address in _machine_addresses():
        assert (f"[{address}]:8080" if ":" in address else f"{address}:8080") in everywhere
    assert not any(host.startswith(("0.", "[fe80")) for host in everywhere)


def test_an_origin_of_another_scheme_is_cross_site(data, users):
    with app_client(data, users=users) as http:
        assert sign_in(http).status_code == 303
        answer = save(http, Origin="https://127.0.0.1")
        assert answer.status_code == 403 and "cross-site" in answer.text
        # Validér is a POST that reads what it is sent: refused from another scheme, as saving is
        assert http.post("/valider", data=TURTLE, headers={"Origin": "https://127.0.0.1"}).status_code == 403
        assert http.post("/valider", data=TURTLE, headers={"Origin": "http://127.0.0.1:80"}).status_code == 200
        # Sec-Fetch-Site is asked first
        assert http.post("/valider", data=TURTLE,
                         headers={"Origin": "https://127.0.0.1", "Sec-Fetch-Site": "same-origin"}).status_code == 200
        # the read-only endpoint is open to every origin (CORS), as Fuseki's and Oxigraph's are
        answer = http.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": "https://127.0.0.1"})
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "*"
    assert saved(data) == []
    # behind the trusted proxy the browser's scheme is its X-Forwarded-Proto; from anyone else it is ignored
    for client, expected in ((PROXY, 200), (OTHER, 403)):
        with app_client(data, users=users, proxies=(PROXY,), client=(client, 1)) as http:
            answer = http.post("/valider", data=TURTLE,
                               headers={"Origin": "https://127.0.0.1", "X-Forwarded-Proto": "https"})
            assert answer.status_code == expected, client


def test_a_missing_or_wrong_csrf_token_is_refused(data, users):
    from rammegraf.web import Settings, create_app

    with app_client(data, users=users) as http:
        assert sign_in(http).status_code == 303
        for csrf in (None, "", "0" * 64, token(http, "/ny/milepael").replace("a", "b").replace("1", "2")):
            answer = save(http, csrf=csrf)
            assert answer.status_code == 403, csrf
            assert "Formularens sikkerhedsnøgle mangler eller passer ikke" in answer.text
        assert http.post("/ny/milepael", data={**MILESTONE, "handling": "hent"}).status_code == 403
        live = http.post("/ny/milepael/tjek", data=MILESTONE)
        assert live.status_code == 403 and "sikkerhedsnøgle" in live.json()["error"]
        assert http.post("/ny/milepael/tjek", data=MILESTONE,
                         headers={"X-CSRF-Token": token(http)}).status_code == 200
        assert http.post("/log-ud", data={}).status_code == 403            # still signed in
        assert "Logget ind som" in http.get("/").text
    with app_client(data, users=users) as http:     # a token from another server's key: refused
        other = create_app(Settings(users=users)).app.state.guard.csrf.token("b:x")
        http.cookies.set("rammegraf_browser", "x")
        answer = http.post("/log-ind", data={"navn": "lise", "adgangskode": PASSWORD, "_csrf": other},
                           follow_redirects=False)
        assert answer.status_code == 403 and "rammegraf_session" not in answer.headers.get("set-cookie", "")
    assert saved(data) == []


# --- signing in and out -----------------------------------------------------------------------

def test_the_session_cookie_is_httponly_samesite_strict_and_secure_over_https(data, users):
    with app_client(data, users=users, proxies=(PROXY,), client=(PROXY, 1)) as http:
        plain = sign_in(http).headers["set-cookie"]
        assert re.fullmatch(r"rammegraf_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict", plain)
        secure = sign_in(http, **{"X-Forwarded-Proto": "https"}).headers["set-cookie"]
        assert secure.endswith("; Path=/; HttpOnly; SameSite=Strict; Secure")
        minted = http.get("/log-ind", headers={"Cookie": ""}).headers["set-cookie"]   # the form's browser id
        assert re.fullmatch(r"rammegraf_browser=\S+; Path=/; HttpOnly; SameSite=Strict", minted)
    with app_client(data, users=users, client=(OTHER, 1)) as http:     # X-Forwarded-Proto from anyone: not https
        assert "Secure" not in sign_in(http, **{"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    with app_client(data, users=users) as http:       # reading sets no cookie
        assert "set-cookie" not in http.get("/").headers and "set-cookie" not in http.get("/sparql").headers


def test_a_wrong_password_is_refused_and_tries_are_limited(data, users):
    from starlette.testclient import TestClient

    from rammegraf.auth import PER_ACCOUNT, PER_ADDRESS

    with app_client(data, users=users) as http:
        for name in ("lise", "nobody"):
            answer = sign_in(http, name, "forkert kodeord")
            assert answer.status_code == 401 and "Forkert brugernavn eller adgangskode" in answer.text
            assert "rammegraf_session" not in answer.headers.get("set-cookie", "")
        for _ in range(PER_ACCOUNT - 1):
            assert sign_in(http, "lise", "forkert kodeord").status_code == 401
        limited = sign_in(http, "lise", PASSWORD)          # the right password waits too
        assert limited.status_code == 429 and "For mange forkerte forsøg" in limited.text
        assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
        assert sign_in(http, "Søren Ærø", PASSWORD).status_code == 303    # another account is not held up

        def elsewhere(address):   # the same server, asked from another address (the sign-in needs no worker)
            return TestClient(http.app, base_url="http://127.0.0.1", client=(address, 1))

        assert sign_in(elsewhere(OTHER), "LISE", PASSWORD).status_code == 429   # the account waits everywhere
        many = elsewhere("10.0.0.7")                                          # one address trying many names
        for number in range(PER_ADDRESS):
            assert sign_in(many, f"navn{number}", "forkert kodeord").status_code == 401
        assert sign_in(many, "Søren Ærø", PASSWORD).status_code == 429
        assert sign_in(elsewhere(OTHER), "Søren Ærø", PASSWORD).status_code == 303


def test_sign_out_ends_the_session_and_so_does_a_restart(data, users):
    with app_client(data, users=users) as http:
        sign_in(http)
        session = http.cookies["rammegraf_session"]
        page = http.get("/ny/milepael").text
        assert "Logget ind som <strong>lise</strong>" in page and 'value="gem"' in page
        out = http.post("/log-ud", data={"_csrf": token(http, "/")}, follow_redirects=False)
        assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
        http.cookies.clear()
        http.cookies.set("rammegraf_session", session)          # the old cookie, sent again
        assert save(http).status_code == 401 and saved(data) == []     # to sign in: the session is gone
        assert 'href="/log-ind?next=%2F">Log ind</a>' in http.get("/").text
        http.cookies.clear()
        sign_in(http)
        session = http.cookies["rammegraf_session"]
    with app_client(data, users=users) as http:                  # the server again: sessions were in its memory
        http.cookies.set("rammegraf_session", session)
        assert save(http).status_code == 401 and saved(data) == []


def test_a_removed_user_or_a_new_password_ends_the_session(data, users):
    with app_client(data, users=users) as http:
        sign_in(http)
        assert "Logget ind som" in http.get("/").text
        assert CliRunner().invoke(main, ["users", "passwd", "lise", "--password-stdin", "--users", str(users)],
                                  input="et helt nyt kodeord\n").exit_code == 0
        assert "Logget ind som" not in http.get("/").text
        assert sign_in(http, "lise", "et helt nyt kodeord").status_code == 303
        assert CliRunner().invoke(main, ["users", "remove", "lise", "--users", str(users)]).exit_code == 0
        assert save(http).status_code == 401 and saved(data) == []


def test_a_session_ends_after_two_idle_hours_and_after_twelve_in_any_case():
    from rammegraf.auth import IDLE, LIFETIME, Sessions

    now = [0.0]
    sessions = Sessions(clock=lambda: now[0])
    token = sessions.create("lise")
    while now[0] + IDLE - 60 < LIFETIME:          # kept busy: alive until twelve hours have passed
        now[0] += IDLE - 60
        assert sessions.get(token) is not None, now[0]
    now[0] = LIFETIME + 1
    assert sessions.get(token) is None
    idle = sessions.create("lise")
    now[0] += IDLE + 1
    assert sessions.get(idle) is None and len(sessions) == 0
    assert sessions.get("not a token") is None and sessions.get("x" * 1000) is None


def test_sign_in_goes_back_only_to_this_site():
    from rammegraf.web.auth import safe_next

    assert safe_next("/ny/milepael?lang=en") == "/ny/milepael?lang=en"
    for hostile in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                    "evil.example", "/x\r\nSet-Cookie: a=b", "", None):
        assert safe_next(hostile) == "/", hostile


# --- the accounts file --------------------------------------------------------------------------

def test_users_add_stores_an_argon2_hash_in_a_private_file(tmp_path):
    path = tmp_path / "conf" / "users.json"

    def users(*args, stdin=None):
        return CliRunner().invoke(main, ["users", *args, "--users", str(path)], input=stdin)

    added = users("add", "Søren Ærø", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    stored = json.loads(text)["users"]["Søren Ærø"]["hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    from argon2 import PasswordHasher

    assert PasswordHasher().verify(stored, PASSWORD)
    asked = users("add", "lise", stdin="kodeord-lise\nkodeord-lise\n")    # asked twice, not echoed
    assert asked.exit_code == 0 and "kodeord-lise" not in asked.output and asked.output.count("dgangskode") == 2
    assert users("list").output.splitlines() == ["lise", "Søren Ærø"]
    again = users("add", "lise", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.exit_code == 2 and "findes allerede" in again.output
    short = users("add", "kort", "--password-stdin", stdin="kort\n")
    assert short.exit_code == 2 and "mindst 8 tegn" in short.output
    assert users("passwd", "ingen", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 2
    assert users("passwd", "lise", "--password-stdin", stdin="nyt kodeord\n").exit_code == 0
    assert json.loads(path.read_text())["users"]["lise"]["hash"] != stored
    assert users("remove", "lise").exit_code == 0 and users("list").output.splitlines() == ["Søren Ærø"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and list(path.parent.glob(".*")) == []
    path.write_text("[]")
    broken = users("list")
    assert broken.exit_code == 2 and "ikke en rammegraf-brugerfil" in broken.output


def test_the_users_file_is_found_where_the_readme_says(tmp_path, monkeypatch):
    from rammegraf.auth import users_file

    monkeypatch.delenv("RAMMEGRAF_USERS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert users_file() == tmp_path / "xdg" / "rammegraf" / "users.json"
    monkeypatch.setenv("RAMMEGRAF_USERS", str(tmp_path / "env.json"))
    assert users_file() == tmp_path / "env.json" and users_file(tmp_path / "x.json") == tmp_path / "x.json"


# --- the record -----------------------------------------------------------------------------------

def round_sheet(data: Path, tmp_path: Path) -> Path:
    sheet = tmp_path / "runde.csv"
    assert CliRunner().invoke(main, ["round", "new", "--date", "2025-12-01", "--title", "Runde", "-o", str(sheet),
                                     "--data", str(data)]).exit_code == 0
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    rows[1][6], rows[1][7] = "I gang", "Forberedes."
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    sheet.write_text(out.getvalue(), encoding="utf-8")
    return sheet


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_audit_log_has_a_line_per_save_edit_and_import(data, users, tmp_path):
    import getpass

    from rammegraf.auth import read_log
    from rammegraf.store import data_files

    with app_client(data, users=users) as http:
        sign_in(http, "Søren Ærø")
        assert save(http).status_code == 303
        first = sha256(data / SAVED)
        assert save(http, EDIT, {**MILESTONE, "rg-dateText": "medio 2027"}).status_code == 303
        assert save(http, EDIT, {**MILESTONE, "prov-wasDerivedFrom": ""}).status_code == 422   # not saved: no line
    imported = CliRunner().invoke(main, ["round", "import", str(round_sheet(data, tmp_path)), "--data", str(data),
                                         "--into", str(data / "rammeaftale-2025-26"), "--date", "2025-12-01"])
    assert imported.exit_code == 0, imported.output
    dry = CliRunner().invoke(main, ["round", "import", str(round_sheet(data, tmp_path)), "--data", str(data),
                                    "--into", str(data / "rammeaftale-2025-26"), "--date", "2025-12-02",
                                    "--dry-run"])
    assert "intet skrevet" in dry.output
    log = data / ".rammegraf" / "audit.jsonl"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    status = data / "rammeaftale-2025-26" / "status-2025-12-01.ttl"
    assert [(x["user"], x["action"], x["file"]) for x in lines] == [
        ("Søren Ærø", "save", str((data / SAVED).resolve())), ("Søren Ærø", "edit", str((data / SAVED).resolve())),
        (getpass.getuser(), "import", str(status.resolve()))]
    assert [x["sha256"] for x in lines] == [first, sha256(data / SAVED), sha256(status)] and first != lines[1]["sha256"]
    for x in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x["time"])
    assert read_log([data]) == lines
    assert log not in data_files(data_dirs=[data])     # never read as data


def test_a_write_the_audit_log_cannot_take_is_said_not_hidden(data, users, tmp_path):
    (data / ".rammegraf").write_text("a file where the log's folder should be")
    with app_client(data, users=users) as http:
        sign_in(http)
        answer = save(http)
        assert answer.status_code == 500 and "kunne ikke skrives i loggen" in answer.text
        assert "Afklaring af botilbudsteams" in http.get("/id/milepael/afklaring-af-botilbudsteams").text
    imported = CliRunner().invoke(main, ["round", "import", str(round_sheet(data, tmp_path)), "--data", str(data),
                                         "--into", str(data / "rammeaftale-2025-26"), "--date", "2025-12-01"])
    assert imported.exit_code == 2 and "status-2025-12-01.ttl er skrevet, men kunne ikke skrives i loggen" \
        in imported.output and "Traceback" not in imported.output


def test_rammegraf_log_prints_the_record(data, tmp_path):
    from rammegraf.auth import record

    first = data / "a.ttl"
    first.write_text("# a\n")
    record([data], user="Søren Ærø", action="save", file=first)
    shown = CliRunner().invoke(main, ["log", "--data", str(data)])
    assert shown.exit_code == 0
    header, rule, row = shown.stdout.splitlines()
    assert header.split() == ["tid", "(UTC)", "hvem", "hvad", "fil", "sha256"]
    assert row.split()[1:] == ["Søren", "Ærø", "save", str(first.resolve()), sha256(first)]
    as_json = json.loads(CliRunner().invoke(main, ["log", "--data", str(data), "--format", "json"]).stdout)
    assert [(x["user"], x["sha256"]) for x in as_json] == [("Søren Ærø", sha256(first))]
    later = CliRunner().invoke(main, ["log", "--data", str(data), "--since", "2999-01-01"])
    assert later.exit_code == 0 and later.stdout == "" and "ingen linjer" in later.stderr
    (data / ".rammegraf" / "audit.jsonl").open("a").write("{not json\n")
    broken = CliRunner().invoke(main, ["log", "--data", str(data)])
    assert broken.exit_code == 2 and "linje 2" in broken.output and "Traceback" not in broken.output


def test_the_access_log_has_a_line_per_request_without_secrets(data, users, tmp_path):
    log = tmp_path / "access.log"
    with app_client(data, users=users, access_log=str(log)) as http:
        http.get("/ny/milepael?lang=en", headers={"Referer": 'http://127.0.0.1/"x', "User-Agent": "test\x01agent"})
        sign_in(http, "Søren Ærø")       # a GET of /log-ind and the POST
        secrets = [PASSWORD, http.cookies["rammegraf_session"], http.cookies["rammegraf_browser"]]
        csrf = token(http)
        secrets.append(csrf)
        save(http, csrf=csrf, Authorization="Basic c2VjcmV0OnNlY3JldA==")
        http.get("/", headers={"Host": "evil.example"})
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6, lines
    pattern = re.compile(r'(\S+) - (\S+) \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "([^"]*)" (\d{3}) (\d+|-) '
                         r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"')
    found = [pattern.fullmatch(line).groups() for line in lines]
    assert [(who, request, status) for _, who, request, status, *_ in found] == [
        ("-", "GET /ny/milepael?lang=en HTTP/1.1", "200"), ("-", "GET /log-ind HTTP/1.1", "200"),
        ("-", "POST /log-ind HTTP/1.1", "303"), (r"Søren\x20Ærø", "GET /ny/milepael HTTP/1.1", "200"),
        (r"Søren\x20Ærø", "POST /ny/milepael HTTP/1.1", "303"), (r"Søren\x20Ærø", "GET / HTTP/1.1", "421")]
    assert found[0][5] == r'http://127.0.0.1/\"x' and found[0][6] == r"test\x01agent"
    text = log.read_text(encoding="utf-8")
    for secret in [*secrets, "c2VjcmV0OnNlY3JldA==", "adgangskode"]:
        assert secret not in text


# --- the real command -------------------------------------------------------------------------------

def test_serve_write_end_to_end_signs_in_refuses_a_rebound_host_and_logs(data, users, tmp_path):
    """`rammegraf serve --write` as people start it, on all addresses: the warning to put
    https in front, the default allow-list, the bug's rebinding request refused with
    the session cookie and a good token, and the access log on standard error."""
    import http.client

    from conftest import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rammegraf", "serve", "--write", "--host", "0.0.0.0",
                                "--port", str(port), "--users", str(users), "--data", str(data),
                                "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "RAMMEGRAF_CACHE": str(tmp_path / "cache")})
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.1)

        def request(method, path, body=None, headers=None):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read().decode("utf-8")

        form = {"content-type": "application/x-www-form-urlencoded"}
        status, headers, page = request("GET", "/log-ind")
        browser = headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="_csrf" value="(\w+)"', page).group(1)
        status, headers, _ = request("POST", "/log-ind", f"navn=lise&adgangskode={PASSWORD}&_csrf={csrf}",
                                     {**form, "Cookie": browser})
        assert status == 303
        cookie = headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="_csrf" value="(\w+)"', request("GET", "/ny/milepael", None,
                                                                 {"Cookie": cookie})[2]).group(1)
        from urllib.parse import urlencode

        body = urlencode({**MILESTONE, "handling": "gem", "_csrf": csrf})
        status, _, text = request("POST", "/ny/milepael", body, {
            **form, "Cookie": cookie, "Host": f"rebind.evil.example:{port}",
            "Origin": f"http://rebind.evil.example:{port}", "Sec-Fetch-Site": "same-origin"})
        assert status == 421 and "rebind.evil.example" in text
        assert saved(data) == []
        status, headers, _ = request("POST", "/ny/milepael", body, {**form, "Cookie": cookie})
        assert status == 303 and saved(data) == [SAVED]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert f"svarer på (answers to): 127.0.0.1:{port}, localhost:{port}, [::1]:{port}" in out
    assert "advarsel" in err and "sæt https foran" in err and "put https in front" in err
    access = [line for line in err.splitlines() if line.startswith("127.0.0.1 - ")]
    assert [line.split('"')[1] for line in access] == [
        "GET /log-ind HTTP/1.1", "POST /log-ind HTTP/1.1", "GET /ny/milepael HTTP/1.1", "POST /ny/milepael HTTP/1.1",
        "POST /ny/milepael HTTP/1.1"]
    assert [line.split('"')[2].split()[0] for line in access] == ["200", "303", "200", "421", "303"]
    assert cookie.split("=", 1)[1] not in err and PASSWORD not in err
    assert json.loads((data / ".rammegraf" / "audit.jsonl").read_text())["user"] == "lise"
