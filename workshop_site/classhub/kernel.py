"""A kernel of a remote Jupyter server, driven over its websocket as JupyterLab does.

Jupyter's messaging protocol in its JSON form (a websocket opened without a subprotocol
gets it): an ``execute_request`` on the shell channel, the outputs on iopub, the
``execute_reply`` on shell. jupyter_client talks ZeroMQ to local kernels only, and
jupyter_server's gateway client is configured once per process for one gateway, so the
few messages a scripted learner needs are written here.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from workshop_site.classhub.errors import ClassHubError

__all__ = ["Execution", "RemoteKernel"]


@dataclass
class Execution:
    """What one cell did: its status, the time to its reply, what it showed."""

    status: str  # ok | error | timeout
    seconds: float
    outputs: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    def text(self) -> str:
        """Everything shown, as text: streams, and the plain form of results."""
        parts = []
        for output in self.outputs:
            if output.get("name") in ("stdout", "stderr"):
                parts.append(output.get("text", ""))
            data = output.get("data") or {}
            if "text/plain" in data:
                parts.append(data["text/plain"])
        return "\n".join(parts)


class RemoteKernel:
    """One kernel, its websocket open."""

    def __init__(self, kernel_id: str, connection: WebSocketClientConnection) -> None:
        self.kernel_id = kernel_id
        self._connection = connection
        self._session = uuid.uuid4().hex

    @classmethod
    async def connect(cls, server_url: str, kernel_id: str, *, token: str) -> RemoteKernel:
        """Open ``kernel_id``'s channels on the server at ``server_url`` (http://...)."""
        url = server_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        request = HTTPRequest(
            f"{url}api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
            headers={"Authorization": f"token {token}"},
            request_timeout=120,
        )
        connection = await websocket_connect(request, max_message_size=64 * 1024 * 1024)
        return cls(kernel_id, connection)

    def _message(self, code: str) -> dict[str, Any]:
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "username": "learner",
                "session": self._session,
                "msg_type": "execute_request",
                "version": "5.3",
                "date": datetime.now(UTC).isoformat(),
            },
            "parent_header": {},
            "metadata": {},
            "content": {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            "channel": "shell",
            "buffers": [],
        }

    async def execute(self, code: str, *, timeout: float = 600) -> Execution:
        """Run ``code``; its outputs once the kernel is idle again and has replied."""
        message = self._message(code)
        msg_id = message["header"]["msg_id"]
        began = time.monotonic()
        await self._connection.write_message(json.dumps(message))
        outputs: list[dict[str, Any]] = []
        reply: dict[str, Any] | None = None
        idle = False
        try:
            async with asyncio.timeout(timeout):
                while reply is None or not idle:
                    raw = await self._connection.read_message()
                    if raw is None:
                        raise ClassHubError(f"kernel {self.kernel_id}: the websocket closed")
                    if isinstance(raw, bytes):
                        continue  # a binary message (widgets' buffers): nothing to read here
                    incoming = json.loads(raw)
                    if incoming.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = incoming["header"]["msg_type"]
                    if incoming.get("channel") == "shell" and kind == "execute_reply":
                        reply = incoming["content"]
                    elif kind == "status":
                        idle = incoming["content"].get("execution_state") == "idle"
                    elif kind in ("stream", "display_data", "execute_result", "error"):
                        outputs.append({"output_type": kind, **incoming["content"]})
        except TimeoutError:
            return Execution(
                "timeout", time.monotonic() - began, outputs, f"no reply in {timeout:.0f} s"
            )
        seconds = time.monotonic() - began
        if reply.get("status") == "error":
            error = f"{reply.get('ename', '')}: {reply.get('evalue', '')}"
            return Execution("error", seconds, outputs, error)
        return Execution(str(reply.get("status", "ok")), seconds, outputs)

    def close(self) -> None:
        self._connection.close()
