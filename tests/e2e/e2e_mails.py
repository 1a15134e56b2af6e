# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Mails of the end-to-end tier, as mail clients send them."""

import email.policy
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, localtime


def new_message_id(domain):
    return f"<{uuid.uuid4().hex}@{domain}>"


def make_mail(
    sender,
    to,
    subject,
    body,
    message_id=None,
    in_reply_to=None,
    extra_headers=None,
):
    """A plain-text mail as a mail client sends it, as bytes."""
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(localtime())
    mail["Message-ID"] = message_id or new_message_id("client.example.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    for name, value in (extra_headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return bytes(mail)
