"""The HTTP server under the app: uvicorn with httptools, held to limits.

uvicorn's httptools protocol reads a request head of any size (four connections
streaming header lines took the process from 214 MB to 1.4 GB), never times out
a connection that has not sent a request (245 idle connections used up a server
with 256 file descriptors), and accepts connections past what the process can
hold. ``Guarded`` is that protocol with limits, checked as the bytes arrive:

- a request head (request line and headers) of at most ``head_bytes`` and
  ``headers`` header lines: past either, 431 and the connection closed;
- the head within ``head_seconds`` of the connection (or of the previous
  answer, when the connection is kept alive), the whole request (the body
  too) within ``request_seconds``: past either, 408 and closed (a connection
  that sent nothing is just closed);
- at most ``connections`` open at once: a connection past that gets 503 and is
  closed at once, so it holds no descriptor;
- an idle kept-alive connection closes after uvicorn's ``timeout_keep_alive``.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    head_bytes: int = 32 * 1024        # request line and headers (nginx: 4 × 8 KB)
    headers: int = 100                 # header lines in one request
    head_seconds: float = 10.0         # for the head to arrive
    request_seconds: float = 60.0      # for the whole request, body included
    keep_alive: int = 5                # seconds an idle kept-alive connection stays open
    connections: int | None = None     # None: from the process's file-descriptor limit


def connection_cap(limits: Limits) -> int:
    """The connections the server holds at once: the set cap, or half the file
    descriptors the process may open (the rest are for workers, stores, logs),
    at most 1,000. The soft descriptor limit is raised to the hard one first."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    if limits.connections is not None:
        return max(1, min(limits.connections, soft - 32))
    return max(16, min(1000, (soft - 64) // 2))


def _answer(status: int, reason: str, text: str) -> bytes:
    body = text.encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode("ascii") + body


TOO_LARGE = _answer(431, "Request Header Fields Too Large",
                    "Forespørgslens hoved er for stort (for mange eller for lange header-linjer).\n"
                    "(Request header fields too large.)\n")
TOO_SLOW = _answer(408, "Request Timeout",
                   "Forespørgslen kom ikke frem i tide; forbindelsen lukkes.\n(The request did not arrive in time.)\n")
TOO_MANY = _answer(503, "Service Unavailable",
                   "Serveren har for mange forbindelser åbne; prøv igen om lidt.\n"
                   "(Too many open connections; try again shortly.)\n")


def guarded_protocol(limits: Limits, cap: int):
    """The httptools protocol class of uvicorn, held to ``limits``."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class Refused(Exception):
        """Stops the parser in the middle of a chunk: the request was refused."""

    class Guarded(HttpToolsProtocol):
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._head_bytes = 0
            self._header_lines = 0
            self._reading_head = True
            self._got_bytes = False
            self._refused = False
            self._timer = None
            if len(self.connections) > cap:
                self._refuse(TOO_MANY)
                return
            self._start_timers()

        # --- the time limits: one timer, set for the head's limit, then the request's -------
        def _start_timers(self) -> None:
            self._cancel_timers()
            self._begun = self.loop.time()
            self._timer = self.loop.call_later(limits.head_seconds, self._late)

        def _cancel_timers(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _late(self) -> None:
            self._timer = None
            if not self._reading_head:   # the head came in time; the body has until the request's limit
                left = self._begun + limits.request_seconds - self.loop.time()
                if left > 0:
                    self._timer = self.loop.call_later(left, self._late)
                    return
            self._refuse(TOO_SLOW if self._got_bytes else b"")

        def _refuse(self, answer: bytes) -> None:
            """Answer (unless an answer has begun) and close; nothing more is read."""
            self._refused = True
            self._cancel_timers()
            if self.transport is None or self.transport.is_closing():
                return
            if self.cycle is not None and not self.cycle.response_complete:
                self.cycle.disconnected = True     # the app's answer to this request goes nowhere
                self.cycle.message_event.set()
            if answer and (self.cycle is None or self.cycle.response_complete
                           or not self.cycle.response_started):
                self.transport.write(answer)
            self.transport.close()

        # --- reading -----------------------------------------------------------------------
        def data_received(self, data: bytes) -> None:
            import httptools

            if self._refused:
                return
            self._got_bytes = True
            if self._reading_head:
                self._head_bytes += len(data)
            self._unset_keepalive_if_required()
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
                return
            except httptools.HttpParserError:
                if not self._refused:
                    self.logger.warning("Invalid HTTP request received.")
                    self.send_400_response("Invalid HTTP request received.")
                return
            if self._reading_head and self._head_bytes > limits.head_bytes:
                self._refuse(TOO_LARGE)   # a head still arriving past the cap: not read further

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_lines = 0
            if not self._reading_head:   # the next request on a kept-alive connection
                self._reading_head = True
                self._head_bytes = 0
                self._start_timers()

        def on_header(self, name: bytes, value: bytes) -> None:
            self._header_lines += 1
            if self._header_lines > limits.headers:
                self._refuse(TOO_LARGE)
                raise Refused()
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self._reading_head = False
            size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
            if size > limits.head_bytes:
                self._refuse(TOO_LARGE)   # a whole head in one piece: measured here
                raise Refused()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._cancel_timers()
            super().on_message_complete()

        def connection_lost(self, exc) -> None:
            self._cancel_timers()
            super().connection_lost(exc)

    return Guarded


def config(app, *, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None,
           log_level: str = "warning", access_log: bool = False):
    """uvicorn's configuration for the app, with the guarded protocol."""
    import uvicorn

    limits = limits or Limits()
    # proxy_headers off: only rammegraf reads X-Forwarded-*, and only from --proxy (uvicorn would trust 127.0.0.1)
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=access_log,
                          http=guarded_protocol(limits, connection_cap(limits)), proxy_headers=False,
                          timeout_keep_alive=limits.keep_alive, server_header=False)
