"""Outgoing mail, for the scheduled weekly summary: plain SMTP with the settings' host, port,
optional STARTTLS and login, through the standard library."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from db.settings import Settings


class MailNotConfigured(RuntimeError):
    """PRD_SMTP_HOST is not set: there is nowhere to send the mail."""


def parse_recipients(text: str) -> list[str]:
    """'a@x, b@y' -> ['a@x', 'b@y']; ValueError for anything that is not an address."""
    recipients = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not recipients:
        raise ValueError("give at least one address")
    for address in recipients:
        local, at, domain = address.partition("@")
        if not (local and at and domain) or any(c in address for c in " <>\r\n,;"):
            raise ValueError(f"{address!r} is not an e-mail address")
    return recipients


def send_mail(
    *,
    settings: Settings,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
) -> str:
    """Send one message with `attachments` ((file name, bytes, MIME type)); returns its
    Message-ID. Raises MailNotConfigured without an SMTP host, smtplib errors on refusal."""
    if not settings.smtp_host:
        raise MailNotConfigured("set PRD_SMTP_HOST (and port, user, password) to send mail")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.smtp_sender.partition("@")[2] or None)
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
    return str(message["Message-ID"])
