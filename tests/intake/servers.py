"""A real HTTP server on 127.0.0.1 for intake tests: routes are plain data, set per test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers on one path; `delay_s` sleeps before answering, to provoke timeouts."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    send_length: bool = True


@dataclass
class LocalServer:
    base_url: str
    routes: dict[str, Route]
    hits: dict[str, int]

    def url(self, path: str) -> str:
        return self.base_url + path


def make_handler(routes: dict[str, Route], hits: dict[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            hits[path] = hits.get(path, 0) + 1
            route = routes.get(path, Route(body=b"not here", status=404, content_type="text/plain"))
            time.sleep(route.delay_s)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout or size cap), which is what the test is about

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    return Handler


@contextmanager
def serve(routes: dict[str, Route] | None = None) -> Iterator[LocalServer]:
    """Start a server on a free port of 127.0.0.1 in a thread; stop it on exit."""
    table: dict[str, Route] = dict(routes or {})
    hits: dict[str, int] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(table, hits))
    server.daemon_threads = True
    # A short poll interval: shutdown() waits for it, and every test stops a server.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LocalServer(base_url=f"http://127.0.0.1:{server.server_address[1]}", routes=table, hits=hits)
    finally:
        server.shutdown()
        server.server_close()
