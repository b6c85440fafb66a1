"""A webhook receiver on loopback for the tests: a real HTTP server in a thread that verifies
every request with the `standardwebhooks` library, as an integrator's receiver would.

    with Receiver() as receiver:
        receiver.secrets = [secret]          # the endpoint's (whsec_...)
        ...deliver...
        receiver.accepted                    # the verified deliveries, in arrival order

`delay` makes every answer wait that many seconds. `mode` chooses the answer: "ok" (204 after
verifying; 400 when the signature or timestamp does not verify: the request is kept in
`rejected`), "503", "close" (the connection is dropped without an answer). `stop()` takes the
server down (connections are refused), `start()` brings it back on the same port.
`replay(request)` sends a captured request again, as an attacker who recorded it would."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.secrets: list[str] = []
        self.mode = "ok"
        self.delay = 0.0  # seconds to wait before answering
        self.accepted: list[Received] = []
        self.rejected: list[tuple[Received, str]] = []
        self.requests: list[Received] = []  # everything that arrived
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    # ----------------------------------------------------------------------- what it received
    @property
    def ids(self) -> list[str]:
        with self._lock:
            return [r.id for r in self.accepted]

    def duplicates(self) -> int:
        ids = self.ids
        return len(ids) - len(set(ids))

    def clear(self) -> None:
        with self._lock:
            self.accepted.clear()
            self.rejected.clear()
            self.requests.clear()

    def verify(self, received: Received) -> str | None:
        """None when one of the secrets verifies the request, else why not."""
        error = "no secret"
        for secret in self.secrets:
            try:
                Webhook(secret).verify(received.body, received.headers)
                return None
            except WebhookVerificationError as exc:
                error = str(exc)
        return error

    def _handle(self, received: Received) -> int:
        with self._lock:
            self.requests.append(received)
        if self.delay:
            time.sleep(self.delay)
        if self.mode == "503":
            return 503
        error = self.verify(received)
        with self._lock:
            if error is not None:
                self.rejected.append((received, error))
                return 400
            self.accepted.append(received)
        return 204

    # ------------------------------------------------------------------------------ the server
    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver._connections.add(self.connection)

            def finish(self) -> None:
                with receiver._lock:
                    receiver._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if receiver.mode == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                code = receiver._handle(Received(headers, body))
                payload = b'{"ok": true}' if code == 204 else b'{"error": "refused"}'
                self.send_response(code)
                if code == 204:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Down: no new connections, and the open (keep-alive) ones are cut."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def replay(self, received: Received) -> int:
        """Send a captured request again, byte for byte: its status code."""
        response = httpx.post(self.url, content=received.body, headers=received.headers)
        return response.status_code

    def __enter__(self) -> Receiver:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
