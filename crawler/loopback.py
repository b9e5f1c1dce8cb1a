"""A real HTTP server on 127.0.0.1 for the offline demo, the tests and the benchmarks.

It serves real bytes with real headers: conditional GET (ETag and
Last-Modified → 304), gzip when asked, robots.txt, redirects, delays, any
status. Routes are plain `Reply` values, or functions of the request for
behaviour that changes over time. Every request is recorded, so a test can
assert what newsmon actually sent.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import mimetypes
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PLACEHOLDER = b"{{BASE}}"
FIXED_MTIME = email.utils.formatdate(1767225600, usegmt=True)  # 2026-01-01T00:00:00Z
_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    at: float
    body: bytes = b""


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    gzip: bool = True  # compress when the client accepts gzip
    # Misbehaviour, for fault tests: "reset" (half the body, then a TCP reset),
    # "trickle" (one byte every 0.5 s), "truncated-gzip" (a gzip body cut in half).
    fault: str | None = None

    @classmethod
    def static(cls, body: bytes, content_type: str) -> Reply:
        """A file-like reply with validators, so conditional GET works."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": FIXED_MTIME}
        return cls(body=body, headers=headers)


Route = Reply | Callable[[Seen], Reply]


class LoopbackServer:
    """`with LoopbackServer() as server:` serves `server.routes` on `server.base_url`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0  # requests being answered right now
        self.max_in_flight = 0  # the most ever answered at once: politeness checks
        self._lock = threading.Lock()
        self._httpd = _QuietServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self._httpd.server_address[0]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve_directory(self, root: Path, prefix: str = "/") -> None:
        """Serve every file under `root`, with `{{BASE}}` replaced by this server's URL."""
        for path in sorted(root.rglob("*")):
            if path.is_file():
                body = path.read_bytes().replace(PLACEHOLDER, self.base_url.encode())
                kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
                route = prefix + path.relative_to(root).as_posix()
                self.routes[route] = Reply.static(body, kind or "application/octet-stream")

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, name="loopback-http"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (a killed crawler, a timeout) are normal here, not errors."""

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            seen = Seen("GET", self.path, dict(self.headers.items()), time.monotonic())
            self._answer(seen)

        def do_POST(self) -> None:
            """Record the body before answering, so a test can act on what was received
            while the reply is still delayed (a webhook receiver that stalls)."""
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen("POST", self.path, dict(self.headers.items()), time.monotonic(), body)
            self._answer(seen)

        def _answer(self, seen: Seen) -> None:
            with server._lock:
                server.requests.append(seen)
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    reply = Reply(404, b"not found", {"Content-Type": "text/plain"})
                else:
                    reply = route(seen) if callable(route) else route
                if reply.delay:
                    time.sleep(reply.delay)
                self._send(seen, reply)
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _send(self, seen: Seen, reply: Reply) -> None:
            headers = dict(reply.headers)
            status, body = reply.status, reply.body
            if status == 200 and _not_modified(seen.headers, headers):
                status, body = 304, b""
            if reply.fault == "truncated-gzip":
                body = gzip.compress(body)[: len(gzip.compress(body)) // 2]
                headers["Content-Encoding"] = "gzip"
            elif body and reply.gzip and "gzip" in seen.headers.get("Accept-Encoding", ""):
                body = _gzipped(body)
                headers["Content-Encoding"] = "gzip"
            headers.setdefault("Content-Length", str(len(body)))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not body or status == 304:
                return
            if reply.fault == "reset":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.rfile.close()  # the socket only closes (with RST) once nothing holds it
                self.connection.close()
            elif reply.fault == "trickle":
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            else:
                self.wfile.write(body)

    return Handler


@functools.lru_cache(maxsize=4096)
def _gzipped(body: bytes) -> bytes:
    """Compressed once per body: benchmarks serve the same pages again and again, and the
    server's own CPU must not weigh on the crawler it measures (they share the cores)."""
    return gzip.compress(body, compresslevel=6)


def _not_modified(request: dict[str, str], reply: dict[str, str]) -> bool:
    etag, modified = reply.get("ETag"), reply.get("Last-Modified")
    if etag and request.get("If-None-Match"):
        return request["If-None-Match"] == etag
    return bool(modified and request.get("If-Modified-Since") == modified)
