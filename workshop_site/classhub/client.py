"""A learner, scripted: log in through the hub's REST API, start a server, pull the course,
open a notebook's kernel — what a browser does, with the same requests.

Asynchronous (tornado's HTTP client, already a dependency of Jupyter), so one process can
drive thirty learners at once (``benchmarks/hub_load.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from workshop_site.classhub.course import Course
from workshop_site.classhub.errors import ClassHubError
from workshop_site.classhub.kernel import RemoteKernel

__all__ = ["HubClient", "LearnerSession"]

_TIMEOUT = 300.0  # seconds for one request: a class of 30 on 2 CPUs is slow at times


@dataclass
class LearnerSession:
    """One learner logged in: their name and their own API token."""

    name: str
    token: str

    @property
    def server(self) -> str:
        return f"user/{quote(self.name)}/"


class HubClient:
    """Talks to one hub at ``url`` (``http://127.0.0.1:PORT/``)."""

    def __init__(self, url: str) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self._http = AsyncHTTPClient(max_clients=100)

    async def request(
        self, method: str, path: str, *, token: str, body: Any = None, timeout: float = _TIMEOUT
    ) -> Any:
        """The JSON answer of ``method path`` (relative to the hub's URL), or None."""
        request = HTTPRequest(
            self.url + path,
            method=method,
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
            body=json.dumps(body) if body is not None else ("" if method == "POST" else None),
            request_timeout=timeout,
        )
        try:
            response = await self._http.fetch(request)
        except HTTPClientError as exc:
            detail = exc.response.body.decode(errors="replace")[:300] if exc.response else ""
            raise ClassHubError(f"{method} /{path}: HTTP {exc.code} {detail}") from None
        return json.loads(response.body) if response.body else None

    async def login(self, name: str, password: str) -> LearnerSession:
        """Log in as a learner, as the hub's login form would: the hub asks its
        authenticator (PAM here) and hands back a token of the learner's own."""
        request = HTTPRequest(
            f"{self.url}hub/api/users/{quote(name)}/tokens",
            method="POST",
            headers={"Content-Type": "application/json"},
            body=json.dumps(
                {"auth": {"username": name, "password": password}, "note": "scripted learner"}
            ),
            request_timeout=_TIMEOUT,
        )
        try:
            response = await self._http.fetch(request)
        except HTTPClientError as exc:
            raise ClassHubError(f"{name} could not log in: HTTP {exc.code}") from None
        return LearnerSession(name, json.loads(response.body)["token"])

    async def start_server(self, learner: LearnerSession, *, timeout: float = 240) -> float:
        """Start the learner's server; seconds until the hub says it is ready."""
        began = time.monotonic()
        await self.request(
            "POST", f"hub/api/users/{quote(learner.name)}/server", token=learner.token
        )
        while time.monotonic() - began < timeout:
            model = await self.request(
                "GET", f"hub/api/users/{quote(learner.name)}", token=learner.token
            )
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - began
            await asyncio.sleep(0.5)
        raise ClassHubError(f"{learner.name}'s server was not ready within {timeout:.0f} s")

    async def stop_server(self, learner: LearnerSession) -> None:
        await self.request(
            "DELETE", f"hub/api/users/{quote(learner.name)}/server", token=learner.token
        )

    async def pull_course(self, learner: LearnerSession, course: Course) -> list[str]:
        """nbgitpuller's pull, through its own API in the learner's server (what the link
        does in a browser); the lines it reported. Raises when it reports an error."""
        query = urlencode(
            {"repo": course.url, "branch": course.branch, "targetpath": course.folder}
        )
        request = HTTPRequest(
            f"{self.url}{learner.server}git-pull/api?{query}",
            headers={"Authorization": f"token {learner.token}"},
            request_timeout=_TIMEOUT,
        )
        response = await self._http.fetch(request)
        events = [
            json.loads(line.removeprefix("data:"))
            for line in response.body.decode().splitlines()
            if line.startswith("data:")
        ]
        lines = [str(e.get("output", "")).rstrip() for e in events if e.get("output")]
        phases = [e.get("phase") for e in events]
        if "finished" not in phases:
            message = next((e.get("message", "") for e in events if e.get("phase") == "error"), "")
            raise ClassHubError(
                f"nbgitpuller could not pull the course for {learner.name}: {message}\n"
                + "\n".join(lines[-10:])
            )
        return lines

    async def open_notebook(self, learner: LearnerSession, path: str) -> RemoteKernel:
        """A kernel for the notebook at ``path`` (relative to the learner's home), as
        JupyterLab opens one: a session, then the kernel's websocket."""
        session = await self.request(
            "POST",
            f"{learner.server}api/sessions",
            token=learner.token,
            body={
                "path": path,
                "name": path.rsplit("/", 1)[-1],
                "type": "notebook",
                "kernel": {"name": "python3"},
            },  # fmt: skip
        )
        return await RemoteKernel.connect(
            self.url + learner.server, session["kernel"]["id"], token=learner.token
        )

    async def close_notebook(self, learner: LearnerSession, kernel: RemoteKernel) -> None:
        kernel.close()
        await self.request(
            "DELETE", f"{learner.server}api/kernels/{kernel.kernel_id}", token=learner.token
        )
