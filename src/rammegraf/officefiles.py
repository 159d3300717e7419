"""Office files from outside (a round's .xlsx or .docx, a report's Word template) are
checked before any library parses them.

``check_package`` refuses, with a sentence, a file over MAX_FILE; a package that is no
zip; one that unpacks to more than MAX_UNPACKED (a zip bomb: the sizes the zip declares
are added up before anything is read, and reading stops at them); any part that declares
a document type or entities (billion laughs, external entities) or is XML in another
encoding than UTF-8 (where a search for the bytes of <!DOCTYPE would find nothing);
and, for Word, a document with macros (.docm, a vbaProject part or a macro-enabled
content type) or that points outside itself for what Word would fetch on opening (an
attached template, a picture, a frame, a sub-document or an object by URL). Every part
is checked whatever its name. defusedxml (openpyxl) and python-docx's parser
(resolve_entities off) are the second guard behind it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .errors import RammegrafError

MAX_FILE = 20 * 1024 * 1024          # bytes of a .csv, .xlsx or .docx file
MAX_UNPACKED = 64 * 1024 * 1024      # bytes inside an .xlsx or .docx (a zip) once unpacked
MAX_PARTS = 10_000

NOUN = {"xlsx": ("regnearket", "regneark (.xlsx)", "spreadsheet", "workbook"),
        "docx": ("dokumentet", "Word-dokument (.docx)", "Word document", "document")}
MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"vbaData", b"activeX")
# relationships Word follows by itself when they point outside the file (TargetMode="External")
FETCHED = ("attachedTemplate", "image", "frame", "subDocument", "oleObject", "package", "control",
           "externalLinkPath", "font", "audio", "video")
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.S)


def check_size(path: Path, error=RammegrafError) -> None:
    if not Path(path).is_file():
        raise error(f"{path}: filen findes ikke (no such file)")
    if Path(path).stat().st_size > MAX_FILE:
        raise error(f"{path}: filen er over {MAX_FILE // 2**20} MB (the file is too large)")


def check_package(path: Path, *, kind: str, error=RammegrafError) -> None:
    """Refuse a hostile .xlsx or .docx (``kind``) before it is parsed; ``error`` is the
    exception class raised with the sentence."""
    the, a, english, english_part = NOUN[kind]
    check_size(path, error)
    if kind == "docx" and Path(path).suffix.lower() in (".docm", ".dotm"):
        raise error(f"{path}: et Word-dokument med makroer (.docm) læses ikke; gem det som .docx "
                    "(a document with macros is refused)")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise error(f"{path}: ikke et {a} (not a {english})") from None
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED or len(members) > MAX_PARTS:
            raise error(f"{path}: {the} fylder {unpacked // 2**20} MB udpakket; grænsen er "
                        f"{MAX_UNPACKED // 2**20} MB (the {english_part} unpacks too large)")
        for member in members:
            if member.is_dir():
                continue
            if kind == "docx" and re.search(r"vba|activex", member.filename, re.I):
                raise error(f"{path}: {member.filename} er makroer eller ActiveX; dokumentet læses ikke "
                            "(a document with macros is refused)")
            _check_part(archive, member, path, kind, error)


def _check_part(archive, member, path: Path, kind: str, error) -> None:
    the, _, english, english_part = NOUN[kind]
    try:
        handle = archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
        raise error(f"{path}: {member.filename} kan ikke pakkes ud (a part cannot be unpacked)") from None
    with handle:
        try:
            head = handle.read(4096)
            encoding = xml_encoding(head)
            if encoding is not None:
                raise error(f"{path}: {member.filename} er XML i {encoding}, ikke UTF-8; gem {the} igen "
                            f"(an XML part in another encoding than UTF-8 is refused)")
            tail, chunk, whole = b"", head, member.filename.endswith((".rels", "[Content_Types].xml"))
            kept = b""
            while chunk:
                if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                    raise error(f"{path}: {member.filename} har en DOCTYPE-erklæring; den læses ikke "
                                f"(an XML part declares a document type: refused)")
                if whole:
                    kept += chunk
                tail = chunk[-16:]
                chunk = handle.read(1 << 20)
        except (zipfile.BadZipFile, OSError):   # a CRC or size that does not match what the zip declared
            raise error(f"{path}: {member.filename} er beskadiget (a damaged part)") from None
    if kind == "docx" and whole:
        _check_word_links(kept, member.filename, path, error)


def _check_word_links(data: bytes, name: str, path: Path, error) -> None:
    if name == "[Content_Types].xml":
        if any(word in data for word in MACRO_TYPES):
            raise error(f"{path}: dokumentet er makroaktiveret (indholdstypen i {name}); det læses ikke "
                        "(a macro-enabled document is refused)")
        return
    for relation in _EXTERNAL.findall(data):
        if re.search(rb'TargetMode\s*=\s*["\']External', relation):
            kind = re.search(rb'Type\s*=\s*["\'][^"\']*/([A-Za-z]+)["\']', relation)
            word = kind.group(1).decode("ascii", "replace") if kind else "?"
            if word in FETCHED:
                raise error(f"{path}: {name} henter »{word}« udefra; et dokument, der henter noget, læses ikke "
                            "(a document that points outside itself for a template, picture or object is refused)")


_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_WIDE = ((re.compile(rb"^(?:\x00\x00\x00[ \t\r\n])*\x00\x00\x00<"), "UTF-32"),
         (re.compile(rb"^(?:[ \t\r\n]\x00\x00\x00)*<\x00\x00\x00"), "UTF-32"),
         (re.compile(rb"^(?:\x00[ \t\r\n])*\x00<"), "UTF-16"),
         (re.compile(rb"^(?:[ \t\r\n]\x00)*<\x00"), "UTF-16"))


def xml_encoding(head: bytes) -> str | None:
    """The encoding an XML parser would read these first bytes in, when it is not
    UTF-8 (XML 1.0, appendix F: a byte order mark; '<', after any white space, in
    UTF-16, UTF-32 or EBCDIC; or an encoding declaration); None for UTF-8 and for
    what is not XML (a picture, printer settings)."""
    for mark, name in ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
                       (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"), (b"\x4c\x6f\xa7\x94", "EBCDIC")):
        if head.startswith(mark):
            return name
    for pattern, name in _WIDE:
        if pattern.match(head):
            return name
    declared = _DECLARED.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        return declared.group(1).decode("ascii")
    return None
