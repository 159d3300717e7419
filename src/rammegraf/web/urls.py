"""Local links that keep the reader's language, and content negotiation."""

from __future__ import annotations

from urllib.parse import urlencode


def link(path: str, lang: str, **params) -> str:
    """A local URL that keeps the reader's language (``path`` is always ours, never
    taken from a request)."""
    if lang == "en":
        params["lang"] = "en"
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def here(request) -> str:
    """This request's path and query as a link on this site: never built from the
    Host header (``Host: evil.example`` would make it point off-site), and a path
    such as ``//evil.example/x`` loses its extra slashes."""
    path = "/" + request.url.path.lstrip("/\\")
    query = request.url.query
    return f"{path}?{query}" if query else path


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (q-values honoured, media types compared
    without regard to case; ``*/*`` takes no side and gives None)."""
    if not accept.strip():
        return None
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        choices.append((q, -position, media.lower()))
    lowered = {offer.lower(): offer for offer in offers}
    for q, _, media in sorted(choices, reverse=True):
        if q <= 0:
            continue
        if media in lowered:
            return lowered[media]
        if media == "*/*":
            return None
        if media.endswith("/*"):
            prefix = media.split("/")[0] + "/"
            for offer in offers:
                if offer.lower().startswith(prefix):
                    return offer
    return None
