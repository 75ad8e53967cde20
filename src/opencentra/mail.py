"""Outgoing email: one ``Mailer`` protocol, three ways to deliver.

- ``SmtpMailer`` sends through the server in ``OPENCENTRA_SMTP_URL``
  (``smtp://user:password@host:587?from=shop@example.com&starttls=true``, or
  ``smtps://`` for TLS from the start).
- ``LogMailer`` is the default without SMTP: it logs that an email would have
  gone out, to whom and with which subject, never the body (a reset link in a
  body is a secret).
- ``RecordingMailer`` keeps messages in memory for tests.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, unquote, urlsplit

from opencentra.errors import ValidationFailed

logger = logging.getLogger("opencentra.mail")

DEFAULT_SMTP_PORT = 25
DEFAULT_SMTPS_PORT = 465
SMTP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    text: str
    # What kind of message it is ("password-reset", "order-confirmation"): for logs and tests.
    kind: str = "message"


@runtime_checkable
class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


@dataclass
class RecordingMailer:
    """Keeps every message instead of sending it."""

    sent: list[Email] = field(default_factory=list)

    async def send(self, email: Email) -> None:
        self.sent.append(email)


class LogMailer:
    """No mail server configured: say what would have been sent, without the body."""

    async def send(self, email: Email) -> None:
        logger.info(
            "no SMTP server configured (OPENCENTRA_SMTP_URL): a %s email to %s would be sent, subject %r",
            email.kind,
            email.to,
            email.subject,
        )


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    starttls: bool = False

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            # The URL may hold a password: the message never repeats it.
            raise ValidationFailed("invalid SMTP URL: expected smtp://host:port or smtps://host:port", field="smtp_url")
        query = parse_qs(parts.query)
        implicit_tls = parts.scheme == "smtps"
        try:
            port = parts.port or (DEFAULT_SMTPS_PORT if implicit_tls else DEFAULT_SMTP_PORT)
        except ValueError:
            raise ValidationFailed("invalid SMTP URL: bad port", field="smtp_url") from None
        sender = query.get("from", [""])[0] or f"noreply@{parts.hostname}"
        return cls(
            host=parts.hostname,
            port=port,
            sender=sender,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
            starttls=query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes", "on"},
        )


class SmtpMailer:
    """Sends through an SMTP server; smtplib blocks, so each send runs in a thread."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.text)
        try:
            await asyncio.to_thread(self._deliver, message)
        except (OSError, smtplib.SMTPException) as exc:
            # A shopper's request must not fail because the mail server is down.
            logger.warning("could not send a %s email to %s: %s", email.kind, email.to, type(exc).__name__)
        else:
            logger.info("sent a %s email to %s", email.kind, email.to)

    def _deliver(self, message: EmailMessage) -> None:
        config = self.config
        client: smtplib.SMTP
        if config.implicit_tls:
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if config.starttls:
                client.starttls(context=ssl.create_default_context())
            if config.username:
                client.login(config.username, config.password or "")
            client.send_message(message)


def mailer_for(smtp_url: str | None) -> Mailer:
    """The mailer the settings ask for: SMTP when a URL is set, else the log."""
    if smtp_url:
        return SmtpMailer(SmtpConfig.from_url(smtp_url))
    return LogMailer()


def password_reset_email(to: str, link: str) -> Email:
    return Email(
        to=to,
        subject="Reset your password",
        text=(
            "Someone asked to reset the password of the account for this address.\n\n"
            f"To choose a new password, open this link:\n{link}\n\n"
            "If it was not you, ignore this email; the password stays as it is.\n"
        ),
        kind="password-reset",
    )


def gift_certificate_email(to: str, name: str, amount: str, code: str) -> Email:
    return Email(
        to=to,
        subject=f"Your gift certificate: {name}",
        text=(
            f"Thank you for your order. Your gift certificate is worth {amount}.\n\n"
            f"Its code is: {code}\n\n"
            "Enter the code as a voucher at checkout to use it. It can be used once.\n"
        ),
        kind="gift-certificate",
    )
