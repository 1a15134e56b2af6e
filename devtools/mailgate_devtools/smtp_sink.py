# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An SMTP server on loopback that accepts and keeps every message (aiosmtpd),
for the end-to-end tier: Odoo's outgoing mail server."""

import email
import email.policy
import shutil
import threading
from pathlib import Path

from aiosmtpd.controller import Controller

from .common import free_port


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        self.sink._keep(envelope.mail_from, envelope.rcpt_tos, envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts and keeps every message.

    :attr messages: list of ``(mail_from, rcpt_tos, email.message.EmailMessage)``
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port = None
        self.messages = []
        self._lock = threading.Lock()
        self._controller = None

    def _keep(self, mail_from, rcpt_tos, content):
        message = email.message_from_bytes(content, policy=email.policy.default)
        with self._lock:
            self.messages.append((mail_from, list(rcpt_tos), message))
            (self.folder / f"{len(self.messages):03d}.eml").write_bytes(content)

    def start(self):
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.port = self.port or free_port()
        self._controller = Controller(
            _SinkHandler(self), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def pause(self):
        """Stop listening (an SMTP server down), keeping what was received."""
        self.stop()

    def resume(self):
        """Listen again on the same port."""
        self._controller = Controller(
            _SinkHandler(self), hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def sent_to(self, address):
        """The kept messages with ``address`` among their envelope recipients."""
        with self._lock:
            return [
                message
                for __, rcpt_tos, message in self.messages
                if address.lower() in {rcpt.lower() for rcpt in rcpt_tos}
            ]
