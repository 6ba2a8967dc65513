"""The partners' local HTTP service: a stdlib server in a background thread, on loopback.

``with PartnerService() as partners:`` starts it on a free port of 127.0.0.1 and stops it
at the end of the block; ``partners.url`` is its address. Stopping joins every thread
the service started and closes every socket it opened, including requests still held by
a hanging partner (they wait on an event that ``stop()`` sets), so nothing is left behind.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from workshop_site.external.behaviour import Behaviour, Controls
from workshop_site.external.partners import PARTNERS, answer, route

__all__ = ["DEFAULT_API_KEY", "Hit", "PartnerService"]

#: The key the partners expect in ``Authorization: Bearer <key>`` (a stand-in secret).
DEFAULT_API_KEY = "workshop-partner-key"
# Errors a client hanging up mid-answer raises in a request thread: expected, not news.
_HUNG_UP = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass(frozen=True, slots=True)
class Hit:
    """One request the service received. ``seconds``: how long it took to answer."""

    partner: str
    method: str
    path: str
    status: int
    seconds: float


class _Server(ThreadingHTTPServer):
    # Request threads are daemons, so a forgotten service never blocks the interpreter's
    # exit; socketserver does not join daemon threads, so this class tracks its own, and
    # every open connection, which stop() shuts down so that kept-alive clients let go.
    daemon_threads = True

    def __init__(self, service: PartnerService, port: int) -> None:
        self.service = service
        self._connections: set[socket.socket] = set()
        self._request_threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"partner-request-{client_address[1]}",
            daemon=True,
        )
        with self._lock:
            self._connections.add(request)
            self._request_threads = {t for t in self._request_threads if t.is_alive()}
            self._request_threads.add(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        with self._lock:
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client

    def join_request_threads(self) -> None:
        with self._lock:
            threads = list(self._request_threads)
        for thread in threads:
            thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr, which lands in the learner's notebook.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a requests.Session expects
    # The headers and the body leave in two writes; on a kept-alive connection, Nagle's
    # algorithm would hold the body until the client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no line per request on stderr

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        began = time.perf_counter()
        self._hit: tuple[PartnerService, str, str, float] | None = None
        service = self.server.service
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        found = route(self.command, parts.path)
        if found is None:
            self._send(404, {"error": f"no partner serves {self.command} {parts.path}"})
            return
        partner, match = found
        self._hit = (service, partner, parts.path, began)
        service._busy(+1)
        try:
            self._answer(service, partner, match, parts.query, raw)
        finally:
            service._busy(-1)

    def _answer(
        self, service: PartnerService, partner: str, match: Any, query: str, raw: bytes
    ) -> int:
        if self.headers.get("Authorization") != f"Bearer {service.api_key}":
            return self._send(401, {"error": "missing or wrong API key in Authorization"})
        decision = service.controls.decide(partner, hang_limit=service.hang_limit)
        if decision.wait and service._stopping.wait(decision.wait):
            return self._send(503, {"error": "the partner service is stopping"})
        if decision.fail:
            return self._send(503, {"error": f"{partner} is unavailable (simulated failure)"})
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._send(400, {"error": "the body is not JSON"})
        result = answer(
            partner, match, dict(parse_qsl(query)), body if isinstance(body, dict) else {}
        )
        return self._send(result.status, result.payload, trickle=decision.trickle)

    def _send(self, status: int, payload: dict[str, Any], *, trickle: float = 0.0) -> int:
        if self._hit is not None:
            # Recorded before the answer leaves: a client that asks hits() as soon as it
            # has its response must find this request there (it raced, in CI).
            service, partner, path, began = self._hit
            self._hit = None
            service._record(Hit(partner, self.command, path, status, time.perf_counter() - began))
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if trickle:
                self._trickle(data, trickle)
            else:
                self.wfile.write(data)
        except _HUNG_UP:
            self.close_connection = True  # the client gave up waiting (its timeout)
        return status

    def _trickle(self, data: bytes, seconds: float) -> None:
        """One byte every ``seconds``; all at once if the service stops meanwhile."""
        self.wfile.flush()
        for index in range(len(data)):
            if self.server.service._stopping.wait(seconds):
                self.wfile.write(data[index:])
                return
            self.wfile.write(data[index : index + 1])
            self.wfile.flush()


class PartnerService:
    """The shop's partners on ``127.0.0.1:<free port>``; see the module docstring.

    ``hang_limit``: how long a hanging partner holds a request before answering anyway
    (seconds). A real partner may hold it forever; the limit keeps notebooks finite.
    ``seed``: the failure draws (see :class:`~workshop_site.external.behaviour.Controls`).
    ``port``: 0 (the default) takes a free one; a fixed port suits a site run by hand
    (``settings.PARTNERS["URL"]`` defaults to port 8765).
    """

    def __init__(
        self,
        *,
        hang_limit: float = 2.0,
        seed: int = 0,
        api_key: str = DEFAULT_API_KEY,
        port: int = 0,
    ) -> None:
        self.hang_limit = hang_limit
        self._requested_port = port
        self.api_key = api_key
        self.controls = Controls(PARTNERS, seed=seed)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._hits: list[Hit] = []
        self._in_flight = 0
        self._hits_lock = threading.Lock()

    # Starting and stopping ------------------------------------------------------------

    def start(self) -> Self:
        """Listen on a free loopback port and serve in a background thread. Idempotent."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self, self._requested_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"partner-service-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hanging requests, close every socket, join every thread. Idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()  # hanging and delayed requests answer now
        server.shutdown()  # the accept loop ends
        server.hang_up_all()  # kept-alive connections end
        server.server_close()  # the port closes
        server.join_request_threads()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the partner service is not running: call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, the base URL of every partner."""
        return f"http://127.0.0.1:{self.port}"

    # Behaviour ------------------------------------------------------------------------

    def configure(self, partner: str, **changes: float | bool) -> Behaviour:
        """Change ``partner``'s ``delay=`` (s), ``failure_rate=`` (0-1) or ``hang=`` until reset."""
        return self.controls.set(partner, **changes)

    @contextmanager
    def behaving(self, partner: str, **changes: float | bool) -> Iterator[Behaviour]:
        """``configure`` for the block only."""
        with self.controls.scoped(partner, **changes) as behaviour:
            yield behaviour

    def behaviour(self, partner: str) -> Behaviour:
        return self.controls.get(partner)

    def reset(self) -> None:
        """Every partner healthy and instant again; the list of hits emptied."""
        self.controls.reset()
        with self._hits_lock:
            self._hits.clear()

    # What it received -----------------------------------------------------------------

    def _record(self, hit: Hit) -> None:
        with self._hits_lock:
            self._hits.append(hit)

    def _busy(self, change: int) -> None:
        with self._hits_lock:
            self._in_flight += change

    @property
    def in_flight(self) -> int:
        """Requests received and not answered yet (a hanging partner holds them here)."""
        with self._hits_lock:
            return self._in_flight

    def hits(self, partner: str | None = None) -> list[Hit]:
        """The requests received (by ``partner``, if given), oldest first."""
        with self._hits_lock:
            return [h for h in self._hits if partner is None or h.partner == partner]

    def __repr__(self) -> str:
        where = self.url if self.running else "stopped"
        return f"<PartnerService {where}, {len(self.hits())} requests received>"
