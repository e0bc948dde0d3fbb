"""A small web server on 127.0.0.1 for the document-fetch tests: a few routes, each a canned
answer, served from a daemon thread that stops when the `with` block ends.

    with DocumentServer({"/spec.pdf": Answer(pdf, "application/pdf")}) as server:
        fetch_document(server.url("/spec.pdf"), max_bytes=…, allow_private=True)
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Answer:
    body: bytes = b""
    content_type: str | None = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: send no Content-Length (the body streams until the connection closes)
    undeclared: bool = False
    #: wait until the server stops before answering (a portal that never answers)
    hang: bool = False


class DocumentServer:
    def __init__(self, routes: dict[str, Answer]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection; close ends a body

            def do_GET(self) -> None:
                server.requests.append(self.path)
                answer = server.routes.get(self.path, Answer(b"not here", "text/plain", 404))
                if answer.hang:
                    server._stopping.wait(10)
                    return
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                if not answer.undeclared:
                    self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):  # the client stopped reading (capped)
                    self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet tests

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> DocumentServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
