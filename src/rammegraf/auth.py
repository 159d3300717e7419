"""Who may write, and the record of what they wrote.

- **Accounts** live in a JSON file outside the data (``--users FILE``, else
  ``$RAMMEGRAF_USERS``, else ``$XDG_CONFIG_HOME/rammegraf/users.json``, else
  ``~/.config/rammegraf/users.json``): each name with an argon2id hash of its
  password (argon2-cffi), never the password. The file is written whole to a
  private temporary file (mode 0600) and renamed into place, under a lock.
- **Sessions** are kept in the server's memory only: a random token in the
  cookie, its SHA-256 in the table, an end after two idle hours and twelve hours
  at most. Signing out, changing the password, removing the account and a restart
  end them.
- **CSRF tokens** are an HMAC, under a key made at start-up, of what the browser
  already holds: the session token when signed in, else a random browser cookie.
- **Failed sign-ins** are counted per account and per address; past the limit
  the next try waits (429 with Retry-After).
- **The audit log** is ``<first data folder>/.rammegraf/audit.jsonl``: one JSON
  line per save, edit and import (who, when in UTC, what, which file, its
  SHA-256), appended with O_APPEND and fsync. ``rammegraf.store.data_files``
  never loads it (a ``.jsonl`` file is not RDF).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from .errors import LoadError, RammegrafError

USERS_ENV = "RAMMEGRAF_USERS"
FORMAT = "rammegraf-users/1"
NAME_LIMIT = 100
PASSWORD_MIN, PASSWORD_MAX = 8, 1024


class AccountError(RammegrafError):
    """An account that cannot be added, changed or removed; the sentence says why."""


# --------------------------------------------------------------------------- accounts

def users_file(explicit: Path | str | None = None) -> Path:
    """Where the accounts are kept: ``explicit``, $RAMMEGRAF_USERS, or the user's config folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(USERS_ENV):
        return Path(os.environ[USERS_ENV]).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "rammegraf" / "users.json"


def check_name(name: str) -> str:
    """A user name as it is kept: NFC, no surrounding spaces, 1–100 printable characters."""
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text or len(text) > NAME_LIMIT or not all(c.isprintable() for c in text):
        raise AccountError(f"et brugernavn er 1–{NAME_LIMIT} skrivbare tegn (a user name is 1–{NAME_LIMIT} "
                           "printable characters)")
    return text


def check_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise AccountError(f"adgangskoden skal have mindst {PASSWORD_MIN} tegn (the password needs at least "
                           f"{PASSWORD_MIN} characters)")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"adgangskoden må højst have {PASSWORD_MAX} tegn (at most {PASSWORD_MAX} characters)")


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()   # argon2id, RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes


class Accounts:
    """The accounts in one file. Read again whenever the file changes, so
    ``rammegraf users remove`` takes effect in a running server at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stat = None
        self._users: dict[str, dict] = {}
        self._dummy: str | None = None

    # --- reading ---------------------------------------------------------------------------
    def users(self) -> dict[str, dict]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stat, self._users = None, {}
            return {}
        except OSError as error:
            raise LoadError(f"brugerfilen kan ikke læses: {error.strerror} (cannot read the users file)",
                            file=str(self.path)) from None
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key != self._stat:
            self._users = self._read()
            self._stat = key
        return self._users

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_bytes())
        except OSError as error:
            raise LoadError(f"brugerfilen kan ikke læses: {error.strerror} (cannot read the users file)",
                            file=str(self.path)) from None
        except ValueError:
            raise LoadError("brugerfilen er ikke JSON (the users file is not JSON)", file=str(self.path)) from None
        users = data.get("users") if isinstance(data, dict) and data.get("format") == FORMAT else None
        if not isinstance(users, dict) or not all(isinstance(v, dict) and isinstance(v.get("hash"), str)
                                                  for v in users.values()):
            raise LoadError(f"brugerfilen er ikke en rammegraf-brugerfil ({FORMAT}) (not a rammegraf users file)",
                            file=str(self.path))
        return users

    def names(self) -> list[str]:
        return sorted(self.users(), key=str.casefold)

    def hash_of(self, name: str) -> str | None:
        found = self.users().get(name)
        return found["hash"] if found else None

    def verify(self, name: str, password: str) -> str | None:
        """The name as kept when the password is right, else None. An unknown name is
        checked against a made-up hash, so it takes as long as a wrong password."""
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            name = check_name(name)
        except AccountError:
            name = ""
        stored = self.hash_of(name) if name else None
        if len(password or "") > PASSWORD_MAX:
            return None
        if stored is None:
            if self._dummy is None:
                self._dummy = _hasher().hash(secrets.token_hex(16))
            stored, name = self._dummy, None
        try:
            _hasher().verify(stored, password or "")
        except (VerificationError, InvalidHashError):
            return None
        return name

    # --- changing --------------------------------------------------------------------------
    def require(self, name: str, *, exists: bool, users: dict | None = None) -> str:
        """The name as kept, when the user exists (or does not, as asked); else AccountError."""
        name = check_name(name)
        found = name in (self.users() if users is None else users)
        if exists and not found:
            raise AccountError(f"brugeren '{name}' findes ikke (no such user)")
        if not exists and found:
            raise AccountError(f"brugeren '{name}' findes allerede; skift adgangskoden med 'rammegraf users "
                               "passwd' (the user exists already)")
        return name

    def add(self, name: str, password: str) -> str:
        check_password(password)
        with self._changing() as users:
            name = self.require(name, exists=False, users=users)
            users[name] = {"hash": _hasher().hash(password), "created": _now()}
        return name

    def passwd(self, name: str, password: str) -> str:
        check_password(password)
        with self._changing() as users:
            name = self.require(name, exists=True, users=users)
            users[name] = {**users[name], "hash": _hasher().hash(password), "changed": _now()}
        return name

    def remove(self, name: str) -> str:
        with self._changing() as users:
            name = self.require(name, exists=True, users=users)
            del users[name]
        return name

    @contextmanager
    def _changing(self):
        """The accounts to change, read and written back under the folder's lock."""
        import fcntl

        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise AccountError(f"{folder}: mappen kan ikke oprettes: {error.strerror} (cannot create the folder)") \
                from None
        handle = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._stat = None
            users = dict(self.users())
            yield users
            self._write(users)
        finally:
            os.close(handle)

    def _write(self, users: dict) -> None:
        import tempfile

        data = json.dumps({"format": FORMAT, "users": users}, ensure_ascii=False, indent=1).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._stat = None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- sessions

IDLE = 2 * 3600          # seconds without a request that end a session
LIFETIME = 12 * 3600     # seconds after sign-in that end it in any case
MAX_SESSIONS = 10_000


@dataclass
class Session:
    user: str
    account: str | None      # the account's hash at sign-in: a new password ends the session
    created: float
    seen: float


class Sessions:
    """Signed-in browsers, in this process's memory only (a restart ends them all).
    The table holds each token's SHA-256, never the token."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._table: dict[str, Session] = {}

    def create(self, user: str, account: str | None = None) -> str:
        now = self.clock()
        self._prune(now)
        while len(self._table) >= MAX_SESSIONS:   # the oldest go first
            self._table.pop(min(self._table, key=lambda k: self._table[k].seen))
        token = secrets.token_urlsafe(32)
        self._table[_digest(token)] = Session(user, account, now, now)
        return token

    def get(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        key = _digest(token)
        found = self._table.get(key)
        now = self.clock()
        if found is None:
            return None
        if now - found.seen > IDLE or now - found.created > LIFETIME:
            del self._table[key]
            return None
        found.seen = now
        return found

    def end(self, token: str | None) -> None:
        if token:
            self._table.pop(_digest(token), None)

    def __len__(self) -> int:
        return len(self._table)

    def _prune(self, now: float) -> None:
        for key in [k for k, s in self._table.items() if now - s.seen > IDLE or now - s.created > LIFETIME]:
            del self._table[key]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --------------------------------------------------------------------------- CSRF

class Csrf:
    """Tokens for the forms that POST: an HMAC of what the browser holds (its session
    token, or a random browser cookie before sign-in) under a key made at start-up."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)

    def token(self, binding: str) -> str:
        return hmac.new(self.key, binding.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, token: str | None, bindings) -> bool:
        if not token or len(token) != 64:
            return False
        return any(hmac.compare_digest(token, self.token(b)) for b in bindings if b)


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


# --------------------------------------------------------------------------- failed sign-ins

WINDOW = 15 * 60       # seconds a failed sign-in counts
PER_ACCOUNT = 5        # failures per account in the window before the next try waits
PER_ADDRESS = 20       # failures per address in the window


class SignInLimit:
    """Failed sign-ins per account and per address; past either limit, the seconds
    to wait until the oldest failure leaves the window."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], deque] = {}

    def wait(self, account: str, address: str) -> float:
        now = self.clock()
        longest = 0.0
        for key, limit in ((("account", _fold(account)), PER_ACCOUNT), (("address", address), PER_ADDRESS)):
            times = self._recent(key, now)
            if len(times) >= limit:
                longest = max(longest, times[len(times) - limit] + WINDOW - now)
        return longest

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        if len(self._failures) > 50_000:
            for key in [k for k in self._failures if not self._recent(k, now)]:
                del self._failures[key]
        for key in (("account", _fold(account)), ("address", address)):
            self._failures.setdefault(key, deque(maxlen=PER_ADDRESS)).append(now)

    def succeeded(self, account: str) -> None:
        self._failures.pop(("account", _fold(account)), None)

    def _recent(self, key, now: float) -> deque:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] > WINDOW:
            times.popleft()
        return times


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name or "").strip().casefold()[:NAME_LIMIT]


# --------------------------------------------------------------------------- the audit log

AUDIT = Path(".rammegraf") / "audit.jsonl"
ACTIONS = ("save", "edit", "import")


def audit_file(data_dirs=None) -> Path:
    """The audit log of the data: ``.rammegraf/audit.jsonl`` in the first data folder."""
    from .entries import data_folder

    return data_folder(data_dirs) / AUDIT


def record(data_dirs, *, user: str, action: str, file: Path) -> dict:
    """Append one line for a write that has happened: who, when (UTC), what, which
    file and its SHA-256 as it is now on disk. One write() of the whole line with
    O_APPEND, then fsync, so lines from two writers never mix and none is lost."""
    assert action in ACTIONS, action
    file = Path(file).resolve()
    line = {"time": _now(), "user": user, "action": action, "file": str(file),
            "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}
    target = audit_file(data_dirs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(handle, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as error:
        raise RammegrafError(f"{target}: {file.name} er skrevet, men kunne ikke skrives i loggen: {error.strerror} "
                             "(the file was written, but the audit log could not be appended to)") from None
    return line


def read_log(data_dirs=None, *, since: date | None = None) -> list[dict]:
    """The audit log's lines (oldest first), from ``since`` (a UTC date) on."""
    target = audit_file(data_dirs)
    if not target.is_file():
        return []
    found = []
    with open(target, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                day = date.fromisoformat(line["time"][:10])
            except (ValueError, KeyError, TypeError):
                raise LoadError("linjen er ikke en linje fra rammegrafs log (not an audit log line)",
                                file=str(target), line=number) from None
            if since is None or day >= since:
                found.append(line)
    return found
