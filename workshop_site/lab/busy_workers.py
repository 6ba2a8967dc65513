"""``lab.worker_pool(...)``: a server with a few workers, a few clients, a partner that hangs.

A real HTTP server on ``127.0.0.1`` runs exactly ``workers`` worker threads, like a
gunicorn with ``--workers``: a request waits in the listen queue until a worker is free.
Two pages: ``/partner/`` calls the recommendation partner (the naive way, without a
timeout, or through the shop's client), ``/ping/`` calls nothing. ``clients`` threads
request ``/partner/`` at the same moment; a moment later one more asks ``/ping/``. Each
answer is printed as it arrives, and the run is returned as a table: when each request
started waiting, when a worker took it, when it was answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests

from workshop_site.lab.boot import require_started

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PoolRun", "Served", "worker_pool"]

PAGES = ("naive", "client")
_PRODUCT = 1  # the recommendations asked for: any product id does


@dataclass(frozen=True)
class Served:
    """One request, as a client saw it and the server served it (seconds from the start)."""

    client: int
    path: str
    sent: float
    taken: float  # a worker took it
    answered: float
    status: int

    @property
    def queued(self) -> float:
        return self.taken - self.sent

    @property
    def total(self) -> float:
        return self.answered - self.sent


@dataclass
class PoolRun:
    """What :func:`worker_pool` measured."""

    page: str
    workers: int
    clients: int
    served: list[Served] = field(default_factory=list)

    @property
    def ping(self) -> Served:
        return next(s for s in self.served if s.path == "/ping/")

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "client": s.client,
                "page": s.path,
                "sent_s": round(s.sent, 2),
                "queued_s": round(s.queued, 2),
                "answered_s": round(s.answered, 2),
                "total_s": round(s.total, 2),
                "status": s.status,
            }
            for s in sorted(self.served, key=lambda s: s.sent)
        ]
        return pd.DataFrame(rows).set_index("client")

    def __repr__(self) -> str:
        return (
            f"<PoolRun {self.page}: {self.clients} clients on {self.workers} workers; "
            f"/ping/ answered in {self.ping.total:.2f} s>"
        )


class _PoolServer(WSGIServer):
    """A WSGI server whose requests are served by a fixed pool of worker threads
    (``workers``, a class attribute: ``make_server`` builds the server from its class)."""

    workers = 1

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="worker")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._serve, request, client_address)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=True)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _app(page: str, began: float, taken: dict[str, float]) -> Callable[..., Iterable[bytes]]:
    from workshop_site.external import client, naive

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        taken[environ.get("HTTP_X_CLIENT", "?")] = time.perf_counter() - began
        if environ["PATH_INFO"] == "/partner/":
            if page == "naive":
                items = naive.call("recommendations", "GET", f"/recommendations/{_PRODUCT}")
                body = str(items.get("items", [])).encode()
            else:
                body = str(client.recommendations(_PRODUCT)).encode()
        else:
            body = b"pong"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    return app


def worker_pool(
    *,
    page: str = "naive",
    workers: int = 2,
    clients: int = 4,
    ping_after: float = 0.1,
    echo: Callable[[str], Any] | None = print,
) -> PoolRun:
    """Serve ``clients`` requests to ``/partner/`` (``page``: "naive" or "client") and one
    to ``/ping/`` with ``workers`` worker threads; print each answer as it arrives."""
    require_started("lab.worker_pool()")
    if page not in PAGES:
        raise ValueError(f"page must be one of {', '.join(PAGES)}, got {page!r}")
    if workers < 1 or clients < 1:
        raise ValueError("workers and clients must be at least 1")
    began = time.perf_counter()
    taken: dict[str, float] = {}
    pool: type[_PoolServer] = type("_Pool", (_PoolServer,), {"workers": workers})
    server: _PoolServer = make_server(
        "127.0.0.1",
        0,
        _app(page, began, taken),
        server_class=pool,
        handler_class=_QuietHandler,
    )
    url = f"http://127.0.0.1:{server.server_port}"
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    loop.start()
    run = PoolRun(page, workers, clients)

    def ask(number: int, path: str, wait: float) -> Served:
        time.sleep(wait)
        sent = time.perf_counter() - began
        response = requests.get(f"{url}{path}", headers={"X-Client": str(number)}, timeout=30)
        answered = time.perf_counter() - began
        took = taken.get(str(number), answered)
        return Served(number, path, sent, took, answered, response.status_code)

    try:
        with ThreadPoolExecutor(max_workers=clients + 1) as crowd:
            futures = [crowd.submit(ask, n, "/partner/", 0.0) for n in range(1, clients + 1)]
            futures.append(crowd.submit(ask, clients + 1, "/ping/", ping_after))
            for future in as_completed(futures):
                served = future.result()
                run.served.append(served)
                if echo is not None:
                    echo(
                        f"{served.answered:5.2f} s  client {served.client} {served.path:<10} "
                        f"HTTP {served.status}, waited {served.queued:.2f} s for a worker, "
                        f"{served.total:.2f} s in all"
                    )
    finally:
        server.shutdown()
        loop.join()
        server.server_close()
    return run
