"""A SHACL-SPARQL query, read once: checked against SHACL's rules for pre-binding
(SHACL 1.0 Appendix A: no MINUS, SERVICE or VALUES; no AS for a pre-bound
variable; subqueries that return the pre-bound variables), and written with the
pre-bound values inserted — as a VALUES row at the start of every group (SHACL's
"values insertion"), or, for another SPARQL server, each value written where its
variable stands."""

from __future__ import annotations

import re

from .model import ShapeError, nt, refuse


class Query:
    """A SELECT or ASK of a shapes graph, checked against SHACL's rules for
    pre-binding, and written with values inserted."""

    def __init__(self, text: str, prefixes: str, *, owner, prebound: set[str]) -> None:
        from ..sparql import QueryError, tokenize

        self.owner = owner
        try:
            self.tokens = tokenize(prefixes + text, name=str(owner))
        except QueryError as error:
            raise ShapeError(f"SPARQL-teksten i {owner} er ikke gyldig SPARQL: {error} "
                             "(the SPARQL text does not parse)") from None
        self.words = [(i, t) for i, t in enumerate(self.tokens) if t.kind not in ("ws", "comment")]
        self.form = next((t.text.upper() for _, t in self.words if t.kind == "word"
                          and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
        if self.form not in ("SELECT", "ASK"):
            raise ShapeError(f"SPARQL-teksten i {owner} er ikke en SELECT eller ASK (must be SELECT or ASK)")
        self._check(prebound)

    # -- the rules of SHACL 1.0 Appendix A -----------------------------------
    def _check(self, prebound: set[str]) -> None:
        words = self.words
        for n, (_, token) in enumerate(words):
            word = token.text.upper() if token.kind == "word" else ""
            if word in ("MINUS", "SERVICE", "VALUES"):
                raise refuse(self.owner, word, "SHACL-SPARQL forbyder det i en forespørgsel med forudbundne "
                             f"variabler (SHACL 1.0 Appendix A: a query must not contain {word})")
            if word == "AS" and n + 1 < len(words) and words[n + 1][1].kind == "var" \
                    and words[n + 1][1].text[1:] in prebound:
                raise refuse(self.owner, f"AS {words[n + 1][1].text}", "en forudbundet variabel må ikke bindes "
                             "igen (SHACL 1.0 Appendix A: no AS ?var for a pre-bound variable)")
        for start in self._subselects():
            projected = self._projection(start)
            needed = {v for v in prebound if v not in ("shapesGraph", "currentShape")}
            if projected != "*" and not needed <= projected:
                raise refuse(self.owner, "en delforespørgsel", "den returnerer ikke "
                             f"{', '.join('$' + v for v in sorted(needed - projected))} (SHACL 1.0 Appendix A: "
                             "subqueries must return all pre-bound variables)")
            if projected == "*" and not needed <= self._bound_in(start):
                raise refuse(self.owner, "SELECT * i en delforespørgsel", "den returnerer ikke $this, som "
                             "ikke er bundet i den (SHACL 1.0 Appendix A: subqueries must return all pre-bound "
                             "variables)")

    def _subselects(self) -> list[int]:
        """Where each subquery's SELECT stands (every SELECT but the first)."""
        selects = [n for n, (_, t) in enumerate(self.words) if t.kind == "word" and t.text.upper() == "SELECT"]
        return selects[1:] if self.form == "SELECT" else selects

    def _projection(self, start: int):
        """The variables a SELECT at word ``start`` projects, or "*"."""
        out, depth = set(), 0
        for _, token in self.words[start + 1:]:
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth -= 1
            if depth == 0 and (token.text == "{" or token.kind == "word" and token.text.upper() == "WHERE"):
                break
            if token.text == "*" and depth == 0:
                return "*"
            if token.kind == "var":
                out.add(token.text[1:])
        return out

    def _bound_in(self, start: int) -> set[str]:
        """The variables of a subquery's triple patterns (what SELECT * returns), roughly:
        variables outside FILTER and BIND expressions."""
        out, depth, expr = set(), 0, 0
        began = False
        for _, token in self.words[start + 1:]:
            if token.text == "{":
                depth += 1
                began = True
            elif token.text == "}":
                depth -= 1
                if began and depth == 0:
                    break
            elif token.kind == "open":
                expr += 1
            elif token.kind == "close":
                expr -= 1
            elif token.kind == "var" and began and expr == 0:
                out.add(token.text[1:])
        return out

    def transitive(self) -> bool:
        """Whether the query has a path with + or * (after an IRI or a bracketed path)."""
        words = self.words
        return any(t.text in ("+", "*") and n > 0 and words[n - 1][1].kind in ("iri", "pname", "close")
                   for n, (_, t) in enumerate(words))

    def uses(self, name: str) -> bool:
        return any(t.kind == "var" and t.text[1:] == name for _, t in self.words)

    def projects(self, name: str) -> bool:
        start = next(n for n, (_, t) in enumerate(self.words) if t.kind == "word"
                     and t.text.upper() == self.form)
        projected = self._projection(start) if self.form == "SELECT" else set()
        return projected == "*" or name in projected

    def only_at_top(self, name: str) -> bool:
        """Whether ``name`` appears only in the top-level WHERE group, outside nested
        groups and subqueries, is projected, and the top level neither aggregates
        nor cuts: then a join with all focus nodes at once is the same as
        pre-binding each focus node."""
        depth = 0
        for _, token in self.words:
            word = token.text.upper() if token.kind == "word" else ""
            if depth == 0 and word in ("GROUP", "HAVING", "LIMIT", "OFFSET", "COUNT", "SUM", "MIN", "MAX", "AVG",
                                       "SAMPLE", "GROUP_CONCAT"):
                return False
            if token.text == "{":
                depth += 1
            elif token.text == "}":
                depth -= 1
            elif token.kind == "var" and token.text[1:] == name and depth > 1:
                return False
        return self.projects(name)

    def correlated_at_top(self, name: str) -> bool:
        """Whether ``name`` is bound by a triple pattern of the top-level WHERE group,
        stands elsewhere only in that group's expressions and in the groups of its
        FILTER EXISTS / NOT EXISTS (with no subquery in them), is projected, and
        the top level neither aggregates nor cuts. Then too a join with all focus
        nodes at once is the same as pre-binding each: every solution of the top
        level binds ``name`` to the focus node, and EXISTS sees that binding
        (SPARQL 1.1 §18.6, substitute) as values insertion would give it."""
        depth, exists_at, brackets, bound = 0, None, [], False
        previous = None
        for _, token in self.words:
            word = token.text.upper() if token.kind == "word" else ""
            if depth == 0 and word in ("GROUP", "HAVING", "LIMIT", "OFFSET", "COUNT", "SUM", "MIN", "MAX", "AVG",
                                       "SAMPLE", "GROUP_CONCAT"):
                return False
            if word == "SELECT" and exists_at is not None:
                return False
            if token.kind == "open":
                if token.text == "{":
                    depth += 1
                    if depth == 2 and exists_at is None and previous is not None and previous.kind == "word" \
                            and previous.text.upper() == "EXISTS":
                        exists_at = depth
                brackets.append(token.text)
            elif token.kind == "close":
                if token.text == "}":
                    if exists_at == depth:
                        exists_at = None
                    depth -= 1
                if brackets:
                    brackets.pop()
            elif token.kind == "var" and token.text[1:] == name:
                if depth > 1 and exists_at is None:
                    return False
                in_pattern = depth == 1 and brackets == ["{"] and not (
                    previous is not None and previous.kind == "word" and previous.text.upper() in ("GRAPH", "AS"))
                bound = bound or in_pattern
            previous = token
        return bound and self.projects(name)

    # -- writing ---------------------------------------------------------------
    def text(self, values: dict, *, path: str | None = None, focus: str | None = None,
             body_only: bool = False, written: bool = False) -> str:
        """The query with ``values`` (name → term) inserted as a VALUES row at the start
        of every group, $PATH written as ``path``, and ``focus`` (a group binding
        ?this) at the start of the top-level group. ``body_only``: the top-level
        group's content alone (an ASK validator inside FILTER NOT EXISTS).

        ``written`` (for another SPARQL server): each value written where its variable
        stands instead — in a subquery's SELECT clause as (value AS ?var), left out of
        the query's own (the focus node is known), bound(?var) as true —
        because Virtuoso 7.2 mis-evaluates a VALUES block joined with OPTIONAL and
        cannot start a transitive path from a variable bound by VALUES (SQ156)."""
        from ..sparql import _where_brace

        row = ""
        if values and not written:
            names = sorted(values)
            row = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(nt(values[n]) for n in names)}) }} "
        where = _where_brace(self.tokens)
        parts, depth, body = [], 0, []
        following = {i: self.words[n + 1][1] for n, (i, _) in enumerate(self.words[:-1])}
        projecting, brackets, recent = False, 0, []     # recent: (part index, token) of meaningful tokens
        outermost, selects, opened, last_open = False, 0, [], 0   # opened: part indexes of open brackets
        for index, token in enumerate(self.tokens):
            word = token.text.upper() if token.kind == "word" else ""
            if word == "SELECT":
                projecting, brackets, outermost = True, 0, selects == 0
                selects += 1
            elif projecting and (word == "WHERE" or token.text == "{"):
                projecting = False
            text = token.text if token.kind != "comment" else " "
            if token.kind == "var" and token.text[1:] == "PATH":
                if path is None:
                    raise refuse(self.owner, "$PATH", "kun en egenskabsform har en sti (only a property shape "
                                 "has a path for $PATH)")
                text = path
            elif token.kind == "var" and written and token.text[1:] in values:
                term = nt(values[token.text[1:]])
                if len(recent) > 1 and recent[-1][1].text == "(" and recent[-2][1].text.upper() == "BOUND":
                    parts[recent[-2][0]], text = "", "true"
                elif projecting and brackets == 0:
                    text = "" if outermost else f"({term} AS {token.text})"
                else:
                    text = f"({term})" if depth == 0 else term
            if projecting and token.kind == "open":
                brackets += 1
            elif projecting and token.kind == "close":
                brackets -= 1
            if written and token.text == "+" and recent and recent[-1][1].kind in ("iri", "pname", "close"):
                # p+ written p/p*, the same path: Virtuoso 7.2 leaves a cycle's start out of
                # p+, so <a> rg:dependsOn+ <a> is false on a cycle (p/p* finds it)
                start = recent[-1][0] if recent[-1][1].kind != "close" else last_open
                element = "".join(parts[start:])
                if not re.search(r"[?$][A-Za-z_0-9]", element):     # a path, not (?a) + 1
                    parts[start:] = [f"({element}/{element}*)"] + [""] * (len(parts) - start - 1)
                    text = ""
            if token.kind == "open":
                opened.append(len(parts))
            elif token.kind == "close" and opened:
                last_open = opened.pop()
            parts.append(text)
            if token.kind not in ("ws", "comment"):
                recent.append((len(parts) - 1, token))
            if token.text == "{":
                depth += 1
                nxt = following.get(index)
                subquery = nxt is not None and nxt.kind == "word" and nxt.text.upper() == "SELECT"
                if index == where:
                    body = [len(parts)]
                if not subquery and row:
                    parts.append(row)
                if index == where and focus:
                    parts.append(" " + focus + " ")
            elif token.text == "}":
                depth -= 1
                if body and len(body) == 1 and depth == 0:
                    body.append(len(parts) - 1)
        if body_only:
            prologue = "".join(parts[:_prologue_end(self.tokens, parts)])
            return prologue, "".join(parts[body[0]:body[1]])
        text = "".join(parts)
        if written:   # a projection left empty (SELECT $this WHERE …) projects a constant instead
            text = re.sub(r"\b(SELECT(?:\s+(?:DISTINCT|REDUCED))?)(\s+)(WHERE\b|\{)", r"\1 (1 AS ?rammegrafOne)\2\3",
                          text, count=1, flags=re.IGNORECASE)
        return text


def _prologue_end(tokens, parts) -> int:
    """How many of the written parts are the prologue (PREFIX and BASE lines)."""
    for index, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() in ("SELECT", "ASK"):
            return index
    return 0


