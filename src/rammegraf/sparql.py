"""SPARQL text: read a query once, refuse what may not run, bind parameters.

Every query a user or a named query sends is tokenized here, with the lexical
grammar of SPARQL 1.1 (and the SPARQL 1.2 tokens Oxigraph accepts). A query is
refused before anything runs when a token is a keyword of SPARQL Update
(INSERT, DELETE, LOAD, CLEAR, …), SERVICE, or FROM (FROM NAMED): nothing is
written and nothing is fetched from the network.

The engine then runs the *canonical text* of the same tokens, not the user's
text, so the check and the engine cannot read the query differently:

- comments become spaces (they cannot hide or reveal anything any more);
- every IRI is written with its first character as a ``\\u`` escape, which
  Oxigraph reads as the same IRI but can never read as the operator ``<``
  followed by tokens (the one place where SPARQL's grammar, not its lexer,
  decides what ``<`` is);
- the operator ``<`` or ``<=`` is followed by a space, so it cannot start an IRI.

A text that is not made of SPARQL tokens is refused with its line and column.
Tokenizing is one compiled regular expression: about a millisecond for a
typical query, a few tens for a 100 KB ``VALUES`` list.

Parameters are bound as a ``VALUES`` block at the start of the top-level WHERE
group, each value written as an RDF term (a quote or a brace stays inside its
literal); the canonical text is built from tokens, never from pasted strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RammegrafError

# --- the terminals of the SPARQL grammar (SPARQL 1.1 §19.8) -------------------------------

# Character classes written as "everything but these ASCII characters": every
# non-ASCII character counts as a name character. A valid query has no non-ASCII
# character outside names, strings, IRIs and comments, so this reads every valid
# query as the grammar does, and it compiles in a fraction of a millisecond
# (the grammar's exact Unicode ranges cost 60 ms to compile at every start).
_BASE = r"[^\x00-\x40\x5B-\x60\x7B-\x7F]"                        # PN_CHARS_BASE
_U = r"[^\x00-\x40\x5B-\x5E\x60\x7B-\x7F]"                       # PN_CHARS_U: and _
_U_DIGIT = r"[^\x00-\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]"        # and 0-9
_U_DIGIT_COLON = r"[^\x00-\x2F\x3B-\x40\x5B-\x5E\x60\x7B-\x7F]"  # and 0-9 :
_CHARS = r"[^\x00-\x2C\x2E\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]"  # PN_CHARS: and - 0-9
_CHARS_DOT = r"[^\x00-\x2C\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]"  # and .
_CHARS_COLON = r"[^\x00-\x2C\x2E\x2F\x3B-\x40\x5B-\x5E\x60\x7B-\x7F]"     # and :
_CHARS_DOT_COLON = r"[^\x00-\x2C\x2F\x3B-\x40\x5B-\x5E\x60\x7B-\x7F]"     # and . :
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"{_BASE}(?:{_CHARS_DOT}*{_CHARS})?"
_PN_LOCAL = f"(?:{_U_DIGIT_COLON}|{_PLX})(?:(?:{_CHARS_DOT_COLON}|{_PLX})*(?:{_CHARS_COLON}|{_PLX}))?"
_VARNAME = f"{_U_DIGIT}+"
_EXPONENT = r"[eE][+-]?[0-9]+"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(rf"""
    (?P<ws>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:{_U_DIGIT}(?:{_CHARS_DOT}*{_CHARS})?)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
  | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}
              |[0-9]*\.[0-9]+|[0-9]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\)>>|>>|\{{\||\|\}}|\|\||&&|!=|>=|\^\^|[{{}}()\[\];,.=>!+\-*/|^~?])
""", re.VERBOSE | re.DOTALL)
_IRIREF = re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>")
_LESS = re.compile(r"<<\(|<<|<=|<")

# Keywords that make a text an update or reach outside the local graph.
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                          "COPY", "WITH", "USING"})
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# After one of these a "(" opens an expression (a function's or a clause's arguments).
_EXPRESSION_OPENERS = frozenset({"FILTER", "BIND", "HAVING", "ASC", "DESC", "BY", "SELECT",
                                 "DISTINCT", "REDUCED", "IN", "EXISTS"})
_NOT_FUNCTIONS = frozenset({"A", "VALUES", "WHERE", "GRAPH", "OPTIONAL", "MINUS", "UNION", "UNDEF",
                            "TRUE", "FALSE", "AS", "ORDER", "GROUP", "LIMIT", "OFFSET", "NAMED"})
_CLAUSES = {"SELECT": "projection", "WHERE": "pattern", "ORDER": "modifier", "GROUP": "modifier",
            "HAVING": "modifier", "VALUES": "pattern", "CONSTRUCT": "pattern", "ASK": "pattern",
            "DESCRIBE": "pattern"}
_OPERAND_END = frozenset({"var", "iri", "pname", "string", "number", "langtag", "close", "bnode"})


class QueryError(RammegrafError):
    """A query that cannot run: unknown name, bad header, bad parameter value."""

    def __init__(self, message: str, *, query: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.query = query

    def where(self) -> str:
        return self.query or ""


class QueryRefused(QueryError):
    """A query that is valid SPARQL but not allowed: Update, SERVICE, FROM."""


class QuerySyntaxError(QueryError):
    """Text that is not SPARQL: the reason with line and column."""

    def __init__(self, message: str, *, query: str | None, line: int | None,
                 column: int | None) -> None:
        super().__init__(message, query=query)
        self.line = line
        self.column = column

    def where(self) -> str:
        parts = [p for p in (self.query,
                             f"linje {self.line}" if self.line else None,
                             f"kolonne {self.column}" if self.column else None) if p]
        return ", ".join(parts)


@dataclass(frozen=True)
class Token:
    kind: str       # ws comment string var bnode pname langtag number word punct iri less open close
    text: str
    start: int      # offset in the original text


@dataclass(frozen=True)
class Prepared:
    """A checked query: its form and the canonical text the engine runs."""
    form: str                               # SELECT, ASK, CONSTRUCT or DESCRIBE
    original: str
    tokens: tuple[Token, ...]
    name: str = "-"
    # a parameter's single value written where the variable stands wherever
    # _written_in_place allows it, on every engine (a named query: see query.prepared_for)
    in_place: bool = False

    def text(self, bindings: dict | None = None, *, prologue: str = "", portable: bool = False) -> str:
        """The canonical text, with ``bindings`` (name → RDF term) as a VALUES block; a
        single value written where its variable stands instead, where it may be, for
        another SPARQL server or when ``in_place``.
        ``portable`` (for another SPARQL server) writes IRIs as they are: Virtuoso 7
        reads no ``\\u`` escape in an IRI (error SP030, "Bad character '\\'"). A
        server whose lexer reads tokens greedily, as SPARQL's grammar is written,
        reads an IRI as an IRI; the operator ``<`` still gets its space."""
        parts = [prologue] if prologue else []
        insert_at = _where_brace(self.tokens) if bindings else -1
        if bindings and insert_at < 0:
            raise QueryError("forespørgslen har ingen WHERE-gruppe at binde parametre i "
                             "(the query has no WHERE group to bind parameters in)", query=self.name)
        written = _written_in_place(self.tokens, insert_at, bindings) if (portable or self.in_place) and bindings else {}
        rest = {name: value for name, value in (bindings or {}).items() if name not in written}
        for index, token in enumerate(self.tokens):
            if portable and token.kind == "iri":
                parts.append(token.text)
            elif token.kind == "var" and index in written.get(token.text[1:], ()):
                parts.append(term_text(bindings[token.text[1:]]))
            else:
                parts.append(_canonical(token, self.tokens, index))
            if index == insert_at and rest:
                parts.append(values_clause(rest))
        return "".join(parts)

    def position(self, canonical_line: int, canonical_column: int, *, prologue: str = "") -> tuple[int, int]:
        """The original line and column of a place in the canonical text (for an
        engine's error message); the prologue's lines come first."""
        text = self.text(prologue=prologue)
        offset = _offset(text, canonical_line, canonical_column) - len(prologue)
        original = 0
        written = 0
        for index, token in enumerate(self.tokens):
            size = len(_canonical(token, self.tokens, index))
            if written + size > offset:
                original = token.start + min(offset - written, len(token.text))
                break
            written += size
            original = token.start + len(token.text)
        return _line_column(self.original, original)


def tokenize(text: str, *, name: str = "-") -> tuple[Token, ...]:
    """The tokens of ``text``; a character that starts no SPARQL token, or a
    bracket that is never closed or closes nothing, is an error with its place."""
    tokens: list[Token] = []
    stack: list[str] = []          # "expr", "list", "group", "bracket"
    position, end = 0, len(text)
    previous: Token | None = None  # the last token that is not space or a comment
    before: Token | None = None    # the one before that
    clause = "prologue"            # where a "(" after a variable opens an expression
    while position < end:
        char = text[position]
        if char == "<":
            token = _less(text, position, stack, previous)
            if token.text == "<<(":
                stack.append("list")
                token = Token("open", token.text, position)
        else:
            match = _TOKEN.match(text, position)
            if match is None:
                line, column = _line_column(text, position)
                raise QuerySyntaxError(f"ikke gyldig SPARQL (not valid SPARQL): tegnet {char!r} "
                                       "begynder intet SPARQL-ord (starts no SPARQL token)",
                                       query=name, line=line, column=column)
            kind = match.lastgroup
            token = Token(kind, match.group(), position)
            if kind == "punct":
                token = _bracket(token, stack, previous, before, clause)
                if token.text == "{":
                    clause = "pattern"
            elif kind == "word":
                clause = _CLAUSES.get(token.text.upper(), clause)
        tokens.append(token)
        position += len(token.text)
        if token.kind not in ("ws", "comment"):
            previous, before = token, previous
    _check_brackets(text, tokens, name)
    return tuple(tokens)


_PAIRS = {"(": ")", "<<(": ")>>", "{": "}", "{|": "|}", "[": "]"}


def _check_brackets(text: str, tokens: list[Token], name: str) -> None:
    """Every bracket closed by its partner, in order (a SPARQL parser would fail
    anyway; this says where, in words)."""
    opened: list[Token] = []
    for token in tokens:
        if token.kind == "open":
            opened.append(token)
        elif token.kind == "close":
            if not opened or _PAIRS[opened[-1].text] != token.text:
                line, column = _line_column(text, token.start)
                expected = f"; '{_PAIRS[opened[-1].text]}' ventes først (expected first)" if opened else ""
                raise QuerySyntaxError(f"ikke gyldig SPARQL: '{token.text}' lukker intet{expected} "
                                       f"('{token.text}' closes nothing)", query=name, line=line, column=column)
            opened.pop()
    if opened:
        line, column = _line_column(text, opened[-1].start)
        raise QuerySyntaxError(f"ikke gyldig SPARQL: '{opened[-1].text}' lukkes aldrig; der mangler "
                               f"'{_PAIRS[opened[-1].text]}' (is never closed)", query=name, line=line,
                               column=column)


def _less(text: str, position: int, stack: list[str], previous: Token | None) -> Token:
    """``<`` is an IRI, a triple-term bracket or a comparison, by where it stands:
    after an operand inside an expression it compares, elsewhere it opens an IRI."""
    comparing = stack[-1:] == ["expr"] and previous is not None and previous.kind in _OPERAND_END
    if not comparing:
        iri = _IRIREF.match(text, position)
        if iri:
            return Token("iri", iri.group(), position)
    operator = _LESS.match(text, position).group()
    if comparing and operator.startswith("<<"):
        operator = "<"  # "?a<<b>" compares ?a with <b>
    return Token("less", operator, position)


def _bracket(token: Token, stack: list[str], previous: Token | None, before: Token | None,
             clause: str) -> Token:
    """Track what each bracket opens: an expression (where ``<`` compares), a
    list or path, a group or a blank node."""
    text = token.text
    if text in ("(", "<<("):
        stack.append("expr" if _opens_expression(stack, previous, before, clause) else "list")
        return Token("open", text, token.start)
    if text == "{" or text == "{|":
        stack.append("group")
        return Token("open", text, token.start)
    if text == "[":
        stack.append("bracket")
        return Token("open", text, token.start)
    if text in (")", "}", "]", "|}", ")>>"):
        if stack:
            stack.pop()
        return Token("close", text, token.start)
    return token


def _opens_expression(stack: list[str], previous: Token | None, before: Token | None,
                      clause: str) -> bool:
    """Whether a "(" opens an expression (SPARQL's grammar: FILTER, BIND, function
    calls, the projection and ORDER/GROUP BY/HAVING) rather than a list, a path
    group or a row of VALUES."""
    if stack[-1:] == ["expr"]:
        return True
    if previous is None:
        return False
    if previous.kind == "word":
        word = previous.text.upper()
        return word in _EXPRESSION_OPENERS or word not in _NOT_FUNCTIONS
    if previous.kind in ("iri", "pname"):  # a function call right after FILTER, or in ORDER/GROUP BY
        return clause == "modifier" or (before is not None and before.kind == "word"
                                        and before.text.upper() == "FILTER")
    if previous.kind in ("var", "close"):   # SELECT ?a (?b AS ?c), ORDER BY ?a (?b)
        return clause in ("projection", "modifier")
    return False


_SHAPE = re.compile(r"""(?P<c>\#[^\r\n]*)
  | (?P<s>'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<i><[^<>\s"{}|^`\\]*>)
  | (?P<v>[?$][^\s(){}\[\],;.=<>!|&*/+^-]+)
  | (?P<n>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<w>\s+)""", re.VERBOSE)
_SHAPE_OF = {"c": "", "s": "'", "i": "<>", "v": "?", "n": "0", "w": ""}
SHAPE_HEAD = 8192     # characters of a query its shape is read from (the rest counts by its length)


def shape(text: str) -> str:
    """What kind of query this is, for the server's scheduling (not for running):
    the text with comments dropped and every string, IRI, variable name and
    number made alike, so that queries that differ only there (a random comment
    each, another constant) are one kind, and a kind found slow once waits in the
    slow lane. Read from the head of the text by one regular expression (a
    fraction of a millisecond, so it can run in the web process), and the length
    of the rest."""
    head = _SHAPE.sub(lambda m: _SHAPE_OF[m.lastgroup], text[:SHAPE_HEAD])
    return f"sparql:{head.strip().upper()}:{len(text) // SHAPE_HEAD}"


def prepare(text: str, *, name: str = "-") -> Prepared:
    """Tokenize and check a query: its form, or QueryRefused / QuerySyntaxError."""
    tokens = tokenize(text, name=name)
    refuse(text, tokens, name)
    form = next((token.text.upper() for token in tokens if token.kind == "word" and token.text.isascii()
                 and token.text.upper() in FORMS), None)
    if form is None:
        raise QuerySyntaxError("ikke gyldig SPARQL: ingen SELECT, ASK, CONSTRUCT eller DESCRIBE "
                               "(not valid SPARQL: no query form)", query=name, line=None, column=None)
    _check_nesting(text, tokens, name)
    _check_prefixes(text, tokens, name)
    return Prepared(form=form, original=text, tokens=tokens, name=name)


def refuse(text: str, tokens: tuple[Token, ...], name: str) -> None:
    """The read-only rule, read from the tokens: QueryRefused for a keyword of
    SPARQL Update, SERVICE or FROM, alone or glued to a name. (The web app's
    workers do not depend on it alone: they cannot open a network connection at
    all, rammegraf.sandbox.)"""
    for token in tokens:
        if token.kind != "word" or not token.text.isascii():
            continue
        word = token.text.upper()
        if word in UPDATE_WORDS:
            raise QueryRefused(f"SPARQL Update er ikke tilladt ({word}): rammegraf læser kun "
                               "(SPARQL Update is refused: read-only)", query=name)
        if word == "SERVICE":
            raise QueryRefused("SERVICE er ikke tilladt: rammegraf henter intet fra andre endpoints "
                               "(SERVICE is refused)", query=name)
        if word == "FROM":
            raise QueryRefused("FROM og FROM NAMED er ikke tilladt: forespørgsler kører mod den lokale graf "
                               "(FROM / FROM NAMED are refused)", query=name)
    _check_glued_keywords(text, tokens, name)


def _check_glued_keywords(text: str, tokens: tuple[Token, ...], name: str) -> None:
    """SERVICE or FROM glued to the name after it, read as Oxigraph reads it.

    SPARQL's lexer reads ``SERVICE:x`` as one prefixed name (prefix ``SERVICE``),
    and so does ``tokenize``. Oxigraph's parser (a PEG parser without a lexer)
    matches the keyword ``SERVICE`` at the start of the name and reads the rest,
    ``:x``, as the endpoint, wherever a group pattern may start; ``SERVICEx:y``,
    ``SERVICESILENT:x`` and ``service:x`` the same way, and ``FROM:x`` in the
    dataset clause as ``FROM <…x>``. So a name that begins with one of these
    keywords is refused where Oxigraph would read the keyword: a SERVICE-name
    followed by ``{`` (after GRAPH it is the graph's name), a FROM-name outside
    every bracket (where a dataset clause stands; after PREFIX it is declared),
    and any plain word that begins with either (no SPARQL word does)."""
    meaningful = [t for t in tokens if t.kind not in ("ws", "comment")]
    depth = 0
    for index, token in enumerate(meaningful):
        if token.kind == "open":
            depth += 1
            continue
        if token.kind == "close":
            depth = max(0, depth - 1)
            continue
        if token.kind not in ("word", "pname"):
            continue
        upper = token.text.upper()
        previous = meaningful[index - 1].text.upper() if index else ""
        following = meaningful[index + 1].text if index + 1 < len(meaningful) else ""
        if upper.startswith("SERVICE") and (token.kind == "word" or (following == "{" and previous != "GRAPH")):
            refused = "SERVICE"
        elif upper.startswith("FROM") and (token.kind == "word" or (depth == 0 and previous != "PREFIX")):
            refused = "FROM"
        else:
            continue
        line, column = _line_column(text, token.start)
        raise QueryRefused(f"'{token.text}' (linje {line}, kolonne {column}) begynder med {refused}, og "
                           f"Oxigraph læser det som {refused} efterfulgt af et navn; {refused} er ikke tilladt "
                           f"(a name that begins with {refused} is read by Oxigraph as the keyword: refused)",
                           query=name)


MAX_NESTING = 200   # brackets open at once: a recursive parser's stack holds one frame per level


def _check_nesting(text: str, tokens: tuple[Token, ...], name: str) -> None:
    """A query nested deeper than any real query is refused (400) before a
    parser recurses through it: 30,000 nested ``{`` overflow the stack of the
    process that parses them."""
    depth = 0
    for token in tokens:
        if token.kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                line, column = _line_column(text, token.start)
                raise QuerySyntaxError(f"ikke gyldig SPARQL her: over {MAX_NESTING} parenteser eller "
                                       "klammer inden i hinanden (more than "
                                       f"{MAX_NESTING} brackets nested)", query=name, line=line, column=column)
        elif token.kind == "close":
            depth -= 1


def _check_prefixes(text: str, tokens: tuple[Token, ...], name: str) -> None:
    """A prefixed name whose prefix is neither declared nor one of the usual ones."""
    from .namespaces import PREFIXES

    declared = set(PREFIXES)
    meaningful = [t for t in tokens if t.kind not in ("ws", "comment")]
    for index, token in enumerate(meaningful):
        if token.kind != "pname":
            continue
        prefix = token.text.split(":", 1)[0]
        if index > 0 and meaningful[index - 1].kind == "word" and meaningful[index - 1].text.upper() == "PREFIX":
            declared.add(prefix)
        elif prefix not in declared:
            line, column = _line_column(text, token.start)
            raise QuerySyntaxError(f"ikke gyldig SPARQL: præfikset '{prefix}:' er ikke erklæret; skriv "
                                   f"PREFIX {prefix}: <…> først (the prefix is not declared)",
                                   query=name, line=line, column=column)


# --- canonical text -------------------------------------------------------------------

def _canonical(token: Token, tokens: tuple[Token, ...], index: int) -> str:
    if token.kind == "comment":
        return " " * len(token.text)
    if token.kind == "iri":
        body = token.text[1:-1]
        if not body or body.startswith("\\"):
            return token.text
        return "<" + _uchar(body[0]) + body[1:] + ">"
    if token.kind == "less":
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        return token.text + (" " if following is not None and following.kind != "ws" else "")
    return token.text


def _written_in_place(tokens: tuple[Token, ...], where: int, bindings: dict) -> dict[str, set[int]]:
    """For another SPARQL server: the parameters that can be bound by writing their
    value where the variable stands, and where. Virtuoso 7.2.5 mis-evaluates a VALUES
    block joined with OPTIONAL (a FILTER on a parameter inside OPTIONAL loses its
    rows, and OPTIONALs followed by a FILTER on BOUND never answer and stop the
    server), a plain bug. A parameter is written in place only when every use of it
    lies in the WHERE group, outside a subquery's SELECT clause and not after AS;
    a list of values, or any other use, keeps the VALUES block."""
    depth, end = 0, len(tokens)
    for index in range(where, len(tokens)):
        text = tokens[index].text
        depth += text == "{"
        depth -= text == "}"
        if depth == 0:
            end = index
            break
    clause = False
    uses: dict[str, list[tuple[int, bool]]] = {}
    previous = None
    for index, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else None
        if word == "SELECT":
            clause = True
        elif clause and (word == "WHERE" or token.text == "{"):
            clause = False
        if token.kind == "var":
            fits = where < index < end and not clause and not (previous is not None and previous.kind == "word"
                                                                  and previous.text.upper() == "AS")
            uses.setdefault(token.text[1:], []).append((index, fits))
        if token.kind not in ("ws", "comment"):
            previous = token
    return {name: {index for index, _ in uses.get(name, [])} for name, value in bindings.items()
            if not isinstance(value, (list, tuple)) and uses.get(name) and all(fits for _, fits in uses[name])}


def _uchar(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _where_brace(tokens: tuple[Token, ...]) -> int:
    """The index of the ``{`` that opens the top-level WHERE group (or the first
    top-level group of a query written without WHERE)."""
    depth = 0
    seen_where = False
    first = -1
    for index, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "WHERE" and depth == 0:
            seen_where = True
        elif token.kind == "open":
            if token.text == "{" and depth == 0:
                if seen_where:
                    return index
                if first < 0:
                    first = index
            depth += 1
        elif token.kind == "close":
            depth -= 1
    return first


def _offset(text: str, line: int, column: int) -> int:
    """The offset of a 1-based line and column in ``text``."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(start + max(column - 1, 0), len(text))


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- RDF terms as SPARQL text ------------------------------------------------------------

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_IRI_UNSAFE = re.compile(r"[<>\"{}|^`\\\x00-\x20]")


def term_text(term) -> str:
    """A pyoxigraph NamedNode or Literal written as SPARQL (a value stays a value)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return "<" + _IRI_UNSAFE.sub(lambda m: _uchar(m.group()), term.value) + ">"
    if isinstance(term, ox.Literal):
        text = '"' + escape_string(term.value) + '"'
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        return text if datatype == XSD_STRING else f"{text}^^{term_text(term.datatype)}"
    raise QueryError(f"en parameter kan ikke være {term!r} (a parameter is an IRI or a literal)")


def escape_string(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def values_clause(bindings: dict) -> str:
    """``VALUES (?a ?b) { (term term) }`` for the bindings (names checked as SPARQL
    names). A binding to a list gives one row per item (all lists of one length)."""
    names = [n for n in bindings if re.fullmatch(r"[A-Za-z_]\w*", n)]
    if names != list(bindings):
        raise QueryError("et parameternavn er ikke et SPARQL-navn (a parameter name is not a SPARQL name)")
    columns = [bindings[n] if isinstance(bindings[n], (list, tuple)) else [bindings[n]] for n in names]
    count = max((len(c) for c in columns), default=0)
    rows = " ".join("(" + " ".join(term_text(c[i] if len(c) > 1 else c[0]) for c in columns) + ")"
                    for i in range(count))
    return " VALUES (" + " ".join(f"?{n}" for n in names) + ") { " + rows + " } "


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def engine_syntax_error(prepared: Prepared, message: str, *, prologue: str = "") -> QuerySyntaxError:
    """An engine's parse error, with the line and column of the user's own text."""
    match = _ENGINE_POSITION.search(message)
    if not match:
        return QuerySyntaxError(f"ikke gyldig SPARQL (not valid SPARQL): {message}",
                                query=prepared.name, line=None, column=None)
    line, column = prepared.position(int(match.group(1)), int(match.group(2)), prologue=prologue)
    return QuerySyntaxError(f"ikke gyldig SPARQL (not valid SPARQL): {_readable(match.group(3))}",
                            query=prepared.name, line=line, column=column)


_EXPECTED_WORD = re.compile(r'"[^"]{1,3}"|\b[A-Za-z_][A-Za-z_0-9]*\b')


def _readable(reason: str) -> str:
    """Oxigraph's "expected one of …" without its character classes, at most eight words."""
    reason = " ".join(reason.split())
    if not reason.startswith("expected"):
        return reason
    listed = re.sub(r"\[[^\]]*\]", " ", reason.split(" ", 3)[-1] if "one of" in reason else reason[9:])
    words = [w for w in _EXPECTED_WORD.findall(listed) if w not in ("one", "of")]
    unique = list(dict.fromkeys(words))
    if not unique:
        return "uventet tegn her (unexpected text here)"
    shown = ", ".join(unique[:8]) + (", …" if len(unique) > 8 else "")
    return f"forventede (expected): {shown}"
