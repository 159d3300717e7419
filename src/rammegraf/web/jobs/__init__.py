"""The work the web app sends to a worker, one module per family of pages: each job
reads the store through the worker's engine and returns plain data (text,
numbers, bytes) for the page or the response. Nothing here knows about HTTP
requests; rammegraf.web.pool runs the jobs, the page modules turn their data
into responses.
"""

from __future__ import annotations

from . import charts, dashboard, entries, graphs, pages, queries, report, rounds, search, validation
from .common import HTML, NotAcceptable, NotFound, cell, choose_media, html_result  # noqa: F401
from .validation import with_prefixes  # noqa: F401

JOBS = {job.__name__: job for family in (queries, pages, graphs, validation, rounds, search, entries, charts, dashboard, report) for job in family.JOBS}
