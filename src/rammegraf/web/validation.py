"""The Validér page: paste Turtle or upload a file; it is validated with the graph,
in a worker with its own time limit. Nothing is stored, nothing is fetched, and
an upload stays in memory: the body is read with a cap and parsed here."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

from ..errors import LoadError, RammegrafError
from ..namespaces import ID
from ..webtext import TEXT
from .base import ClientGone, TooLarge, Web, error_headers, status_of
from .urls import link


# A new status report for an initiative in the graph, written with the built-in
# prefixes (no @prefix lines needed); tests/test_web.py checks that it conforms.
EXAMPLE = """<kilde/statusrunde-2025-12-01> a rg:SourceDocument ;
    rdfs:label "Statusrunde pr. 1. december 2025"@da ;
    dcterms:title "Statusrunde pr. 1. december 2025"@da ;
    dcterms:date "2025-12-01"^^xsd:date .

<status/botilbudsteams-2025-12-01> a rg:StatusReport ;
    rdfs:label "Status for Botilbudsteams pr. 1.12.2025"@da ;
    rg:statusOf <initiativ/botilbudsteams> ;
    rg:asOf "2025-12-01"^^xsd:date ;
    rg:phase rg:InProgress ;
    rg:text "Samarbejdsaftaler forberedes."@da ;
    prov:wasDerivedFrom <kilde/statusrunde-2025-12-01> .
"""


PASTED = "indsat.ttl"   # the name a pasted entry goes by in sentences ("indsat.ttl, linje 2")


class Validation:
    def __init__(self, web: Web) -> None:
        self.web = web

    def routes(self):
        from starlette.routing import Route

        return [Route("/valider", self.validate, methods=["GET", "POST"])]

    async def validate(self, request):
        lang = self.web.lang(request)
        if request.method == "GET":
            text = EXAMPLE if request.query_params.get("eksempel") else ""
            return self.web.page(request, "validate.html", text=text, example=EXAMPLE)
        limit = self.web.settings.upload_limit
        try:
            body = await self.web.read_body(request, limit + 64_000)
            text, raw, name = parse_form(request.headers.get("content-type", ""), body)
            if len(raw) > limit:
                raise TooLarge(f"for stor: højst {limit:,} bytes (too large)".replace(",", "."))
            if not raw.removeprefix(b"\xef\xbb\xbf").strip():   # nothing is not a verdict
                raise LoadError("intet at validere: indsæt Turtle eller vælg en fil (nothing to validate: paste "
                                "Turtle or choose a file)" if name == PASTED else "filen er tom; intet at validere "
                                "(the file is empty: nothing to validate)", file=name)
            report = await self.web.job(request, "validate_entry", raw, name, lang,
                                        timeout=self.web.settings.validate_timeout)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return self.web.page(request, "validate.html", status=status_of(error), headers=error_headers(error),
                                 text="" if isinstance(error, TooLarge) else locals().get("text", ""),
                                 error=str(error), example=EXAMPLE)
        for result in report["results"]:
            result["severity_text"] = TEXT[lang][result["severity"]]
            if result["focus"].startswith(str(ID)) and result["known"]:
                result["href"] = link("/id/" + result["focus"][len(str(ID)):], lang)
        # the form was answered: the verdict is in the page (a 4xx would read as a broken page)
        return self.web.page(request, "validate.html", text=text, report=report, example=EXAMPLE)


def parse_form(content_type: str, body: bytes) -> tuple[str, bytes, str]:
    """The pasted text, the entry's bytes and its file name, from an urlencoded or
    multipart form held in memory."""
    from urllib.parse import parse_qsl

    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        text = fields.get("turtle", "")
        return text, text.encode("utf-8"), PASTED
    if kind == "multipart/form-data":
        text, upload, filename = _multipart(content_type, body)
        if upload is not None and filename:
            return text, upload, Path(filename).name or "upload.ttl"
        return text, text.encode("utf-8"), PASTED
    raise RammegrafError(f"ukendt formulartype '{kind}' (unknown form type)")


def _multipart(content_type: str, body: bytes) -> tuple[str, bytes | None, str]:
    """The 'turtle' field and the 'file' part of a multipart body (python-multipart,
    callbacks into memory: nothing is written to disk)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise RammegrafError("formularen mangler sin boundary (the form has no boundary)")
    parts: list[dict] = []
    state: dict = {}

    def on_part_begin():
        state["part"] = {"headers": {}, "data": []}

    def on_header_field(data, start, end):
        state["field"] = data[start:end].decode("latin-1").lower()

    def on_header_value(data, start, end):
        state["part"]["headers"][state["field"]] = data[start:end].decode("latin-1")

    def on_part_data(data, start, end):
        state["part"]["data"].append(data[start:end])

    def on_part_end():
        parts.append(state.pop("part"))

    parser = MultipartParser(boundary, {"on_part_begin": on_part_begin, "on_header_field": on_header_field,
                                        "on_header_value": on_header_value, "on_part_data": on_part_data,
                                        "on_part_end": on_part_end}, max_size=len(body) + 1)
    parser.write(body)
    parser.finalize()
    text, upload, filename = "", None, ""
    for part in parts:
        _, disposition = parse_options_header(part["headers"].get("content-disposition", ""))
        name = disposition.get(b"name", b"").decode("utf-8", errors="replace")
        data = b"".join(part["data"])
        if name == "turtle":
            text = data.decode("utf-8", errors="replace")
        elif name == "file":
            upload, filename = data, disposition.get(b"filename", b"").decode("utf-8", errors="replace")
    return text, upload, filename
