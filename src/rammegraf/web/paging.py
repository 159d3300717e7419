"""Result tables in pages of 100 rows, sorted by any column, with the total count:
links only (sorter, retning, side), so paging and sorting work without JavaScript,
and a permalink keeps them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

PAGE = 100
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def paged(result: dict, request, *, size: int = PAGE) -> dict:
    """The result with ``columns`` (caption, sort link, aria-sort), the rows of the
    asked page in the asked order, and ``pager`` (page, pages, first and last row,
    total, links)."""
    if not result or "rows" not in result:
        return result
    params = dict(request.query_params)
    variables = result["vars"]
    rows = result["rows"]
    total = len(rows)
    column = params.get("sorter")
    descending = params.get("retning") == "ned"
    if column in variables:
        at = variables.index(column)
        texts = [row[at]["text"] for row in rows]
        numeric = bool(texts) and all(_NUMBER.fullmatch(t) for t in texts if t)
        key = (lambda row: float(row[at]["text"].replace(",", ".")) if row[at]["text"] else float("-inf")) \
            if numeric else (lambda row: row[at]["text"].casefold())
        rows = sorted(rows, key=key, reverse=descending)
    else:
        column = None
    start, pager = window(request, total, size)

    def href(**change) -> str:
        wanted = {**params, **{k: v for k, v in change.items()}}
        return "?" + urlencode({k: v for k, v in wanted.items() if v is not None and k != "format"})

    captions = result.get("captions") or variables
    columns = []
    for name, caption in zip(variables, captions):
        current = "descending" if column == name and descending else "ascending" if column == name else "none"
        columns.append({"name": name, "caption": caption, "sort": current,
                        "href": href(sorter=name, retning="ned" if current == "ascending" else "op", side=None)})
    return {**result, "rows": rows[start:start + size], "columns": columns, "pager": pager}


def window(request, total: int, size: int = PAGE) -> tuple[int, dict]:
    """The first row of the asked page (``side``, from 1; a page past the end is the last)
    and the pager: page, pages, total, first and last row, and links to the pages before and
    after that keep every other parameter (a repeated one too) but ``format``."""
    pages = max(1, -(-total // size))
    try:
        page = min(max(int(request.query_params.get("side", "1")), 1), pages)
    except ValueError:
        page = 1
    start = (page - 1) * size
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]

    def href(number: int) -> str:
        # ``side`` where it stood (else last), every other parameter kept, a repeated one too
        pairs = [(k, v) for k, v in kept if k != "side"]
        at = next((i for i, (k, _) in enumerate(kept) if k == "side"), len(pairs))
        return "?" + urlencode(pairs[:at] + [("side", str(number))] + pairs[at:])
    return start, {"page": page, "pages": pages, "total": total, "first": start + 1 if total else 0,
                   "last": min(start + size, total), "previous": href(page - 1) if page > 1 else None,
                   "next": href(page + 1) if page < pages else None}
