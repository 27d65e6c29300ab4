"""The two transports against real local receivers: what arrives, and how each failure is reported."""

from __future__ import annotations

import logging
import socket

import pytest

from tests.alerts.servers import free_port, smtp_receiver, webhook_receiver
from truceline.alerts.transports import SmtpConfig, send_email, send_webhook


def test_a_webhook_receives_the_payload_as_json() -> None:
    with webhook_receiver() as receiver:
        sent = send_webhook(receiver.url("/hooks/desk"), {"subject": "Ping", "links": ["/"]}, timeout_s=3)
    assert (sent.is_delivered, sent.detail) == (True, "HTTP 204 No Content")
    [posted] = receiver.received
    assert posted.path == "/hooks/desk"
    assert posted.json == {"subject": "Ping", "links": ["/"]}
    assert posted.headers["content-type"] == "application/json"
    assert posted.headers["user-agent"].startswith("truceline/")


def test_an_error_status_is_a_failure_with_the_status() -> None:
    with webhook_receiver() as receiver:
        receiver.statuses["/hook"] = 500
        sent = send_webhook(receiver.url("/hook"), {}, timeout_s=3)
    assert (sent.is_delivered, sent.detail) == (False, "HTTP 500 Internal Server Error")


def test_a_redirect_is_not_followed() -> None:
    with webhook_receiver() as receiver:
        receiver.statuses["/old"] = 302
        receiver.headers["/old"] = {"Location": receiver.url("/new")}
        sent = send_webhook(receiver.url("/old"), {"x": 1}, timeout_s=3)
    assert not sent.is_delivered
    assert sent.detail.startswith("HTTP 302 Found (redirects are not followed")
    assert [p.path for p in receiver.received] == ["/old"]


def test_a_closed_port_is_a_failure_naming_the_error() -> None:
    sent = send_webhook(f"http://127.0.0.1:{free_port()}/hook", {}, timeout_s=3)
    assert not sent.is_delivered
    assert sent.detail.startswith("ConnectError: ")


def test_a_target_that_never_answers_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        sent = send_webhook(f"http://127.0.0.1:{port}/hook", {}, timeout_s=0.3)
    assert not sent.is_delivered
    assert sent.detail.startswith("ReadTimeout")


def _config(port: int, **changes: object) -> SmtpConfig:
    fields: dict[str, object] = {"host": "127.0.0.1", "port": port, "sender": "truceline@desk.example.org"}
    fields.update(changes)
    return SmtpConfig(timeout_s=3, **fields)  # type: ignore[arg-type]


def test_an_email_reaches_the_smtp_server_with_subject_and_recipient() -> None:
    with smtp_receiver() as smtp:
        sent = send_email(_config(smtp.port), to="desk@example.org", subject="Reply overdue", body="Line 1\n")
    assert sent.is_delivered and sent.detail.startswith("250 ")
    [mail] = smtp.mails
    assert (mail.sender, mail.recipients) == ("truceline@desk.example.org", ["desk@example.org"])
    assert mail.message["Subject"] == "Reply overdue"
    assert mail.message["To"] == "desk@example.org"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content().strip() == "Line 1"


def test_record_text_cannot_add_email_headers() -> None:
    with smtp_receiver() as smtp:
        sent = send_email(
            _config(smtp.port), to="desk@example.org", subject="Torkham\r\nBcc: spy@example.org", body="x"
        )
    assert sent.is_delivered
    [mail] = smtp.mails
    assert mail.recipients == ["desk@example.org"] and mail.message["Bcc"] is None
    assert mail.message["Subject"] == "Torkham Bcc: spy@example.org"


def test_an_unreachable_smtp_server_is_a_failure() -> None:
    sent = send_email(_config(free_port()), to="desk@example.org", subject="s", body="b")
    assert not sent.is_delivered
    assert sent.detail.startswith("ConnectionRefusedError: ")


def test_a_refused_login_never_shows_the_password(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_receiver() as smtp:  # no AUTH offered without TLS: the login is refused
        config = _config(smtp.port, username="desk", password="hunter2-secret")
        sent = send_email(config, to="desk@example.org", subject="s", body="b")
    assert not sent.is_delivered and sent.detail.startswith("SMTPNotSupportedError")
    assert "hunter2" not in sent.detail and "hunter2" not in caplog.text and "hunter2" not in repr(config)
    assert smtp.mails == []
