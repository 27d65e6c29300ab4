"""Real receivers on 127.0.0.1 for alert tests: a webhook endpoint (http.server) and SMTP (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    json: Any


@dataclass
class WebhookReceiver:
    """Answers POSTs with `statuses[path]` (default 204) and keeps what it received."""

    base_url: str
    received: list[Posted] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.received.append(
                Posted(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body or b"null")
                )
            )
            self.send_response(receiver.statuses.get(self.path, 204))
            for name, value in receiver.headers.get(self.path, {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # only a followed redirect would ask; the test checks nobody does
            receiver.received.append(Posted(self.path, {}, None))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Collect:
    def __init__(self) -> None:
        self.mails: list[Mail] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.mails.append(
            Mail(
                str(envelope.mail_from),
                [str(r) for r in envelope.rcpt_tos],
                message_from_bytes(content, _class=EmailMessage, policy=DEFAULT_POLICY),
            )
        )
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class SmtpReceiver:
    port: int
    mails: list[Mail]


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    handler = _Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpReceiver(port=port, mails=handler.mails)
    finally:
        controller.stop()
