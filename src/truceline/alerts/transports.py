"""Sending one alert: a webhook POST (httpx) or a plain-text e-mail (smtplib).

A failure is an outcome, not an error: neither transport raises for a target that is down, slow or refusing;
it returns a `Sent` that says so, and the caller records it. Redirects are not followed: a webhook that
moved must be registered again by a mediator.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from truceline import __version__
from truceline.alerts.rules import MAX_SUBJECT_CHARS, one_line, scrub
from truceline.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sent:
    """How one delivery went: `detail` is the HTTP status, the SMTP reply or the error (never a secret)."""

    is_delivered: bool
    detail: str


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    timeout_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            timeout_s=settings.webhook_timeout_s,
        )


def _failure(exc: BaseException, *secrets: str) -> str:
    text = str(exc) or "no message"
    return scrub(f"{type(exc).__name__}: {text}", *secrets)


def send_webhook(url: str, payload: dict[str, Any], *, timeout_s: float) -> Sent:
    """POST the payload as JSON; any 2xx is delivered, anything else (3xx included) failed."""
    headers = {"User-Agent": f"truceline/{__version__} alerts"}
    try:
        with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
            response = client.post(url, json=payload, headers=headers)
    except httpx.HTTPError as exc:
        log.info("webhook delivery failed: %s", type(exc).__name__)
        return Sent(False, _failure(exc))
    status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    if response.is_success:
        return Sent(True, status)
    if response.is_redirect:
        return Sent(False, f"{status} (redirects are not followed; register the new URL)")
    return Sent(False, status)


def email_message(config: SmtpConfig, *, to: str, subject: str, body: str) -> EmailMessage:
    """The plain-text message: the subject made one line (record text must not reach other headers)."""
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = one_line(subject, limit=MAX_SUBJECT_CHARS)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to alerts
    message.set_content(body)
    return message


def send_email(config: SmtpConfig, *, to: str, subject: str, body: str) -> Sent:
    """Deliver one message to `to` through the configured server; the server's reply is the detail."""
    message = email_message(config, to=to, subject=subject, body=body)
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
            smtp.ehlo_or_helo_if_needed()
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
            code, reply = smtp.mail(config.sender)
            if code != 250:
                return Sent(False, scrub(f"MAIL FROM refused: {code} {_text(reply)}", config.password))
            code, reply = smtp.rcpt(to)
            if code not in (250, 251):
                return Sent(False, scrub(f"RCPT TO refused: {code} {_text(reply)}", config.password))
            code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
            detail = scrub(f"{code} {_text(reply)}", config.password)
            return Sent(code == 250, detail if code == 250 else f"DATA refused: {detail}")
    except (smtplib.SMTPException, OSError) as exc:
        log.info("e-mail delivery failed: %s", type(exc).__name__)
        return Sent(False, _failure(exc, config.password))


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
