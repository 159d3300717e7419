"""`rammegraf serve`: the analysts' browser app and a SPARQL 1.1 Protocol endpoint.

One module per family of pages (pages, queries, endpoint, resources, graphs,
validation, rounds); base.py holds what they share, pool.py the worker
processes that do every read of the store, jobs/ the work they do (again one
module per family), app.py the wiring. Read-only and safe to put on an intranet: templates autoescape,
every response carries a restrictive Content-Security-Policy, no file path comes
from a request, bodies are read with a cap and nothing is written to disk.
"""

from .app import create_app, get_once
from .base import Settings
from .urls import negotiate

__all__ = ["Settings", "create_app", "get_once", "negotiate"]
