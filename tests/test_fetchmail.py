# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.fetchmail import FetchmailServer

from ..models.helpdesk_ticket import HelpdeskTicket
from . import data
from .common import MailgateCase
from .test_no_mail_lost import GATEWAY_LOGGERS

FAILING_SUBJECT = "Este correo falla al procesarse"


class FakeImapMailbox:
    """An IMAP server's mailbox as Odoo's fetch loop and ours use it: numbered
    messages with flags; searches by UNSEEN / UNFLAGGED."""

    def __init__(self, messages):
        self.messages = [{"raw": raw, "flags": set()} for raw in messages]

    def select(self, *args):
        return "OK", [str(len(self.messages)).encode()]

    def search(self, charset, criteria):
        wanted = [
            str(number).encode()
            for number, message in enumerate(self.messages, 1)
            if not ("UNSEEN" in criteria and "\\Seen" in message["flags"])
            and not ("UNFLAGGED" in criteria and "\\Flagged" in message["flags"])
        ]
        return "OK", [b" ".join(wanted)]

    def fetch(self, number, parts):
        message = self.messages[int(number) - 1]
        if "PEEK" not in parts:
            message["flags"].add("\\Seen")
        return "OK", [(number + b" (RFC822 {n}", message["raw"]), b")"]

    def store(self, number, command, flag):
        flags = self.messages[int(number) - 1]["flags"]
        (flags.add if command.startswith("+") else flags.discard)(flag)
        return "OK", []

    def close(self):
        return "OK", []

    def logout(self):
        return "BYE", []


class FakePopMailbox:
    """A POP3 maildrop: retrieve and delete by number."""

    def __init__(self, messages):
        self.messages = list(messages)
        self.deleted = set()

    def stat(self):
        return len(self.messages), sum(map(len, self.messages))

    def list(self):
        return b"+OK", [], 0

    def retr(self, number):
        return b"+OK", self.messages[number - 1].split(b"\n"), 0

    def dele(self, number):
        self.deleted.add(number)

    def quit(self):
        return b"+OK"


def _fail_for_one_subject(ticket, msg_dict):
    if msg_dict.get("subject") == FAILING_SUBJECT:
        raise RuntimeError("this mail cannot be processed")
    return []


@tagged("post_install", "-at_install")
class TestFetchmail(MailgateCase):
    """Fetchmail servers of the helpdesk: the same gateway, no mail lost on
    the server side, one failing mail never blocks the next."""

    def _mails(self, *subjects):
        return [
            self.format(
                data.PLAIN,
                email_from="user@company.com",
                to=self.queue_support,
                subject=subject,
                msg_id=self.new_message_id(),
                body=data.SEED_BODY,
            ).encode()
            for subject in subjects
        ]

    def _server(self, server_type):
        return self.env["fetchmail.server"].create(
            {
                "name": f"Helpdesk {server_type}",
                "server_type": server_type,
                "server": "imap.mycompany.example",
                "port": 993 if server_type == "imap" else 995,
                "user": "soporte",
                "password": "secret",
                "object_id": self.env.ref("helpdesk_mgmt.model_helpdesk_ticket").id,
                "state": "done",
            }
        )

    def _fetch(self, server, mailbox):
        # Each mail is committed on its own, as the cron does; in a test the
        # transaction must stay open, so the commit is a no-op here.
        with (
            patch.object(FetchmailServer, "connect", lambda *args, **kw: mailbox),
            patch.object(self.env.cr, "commit", lambda: None),
            patch.object(
                HelpdeskTicket,
                "_mailgate_subscribe_participants",
                _fail_for_one_subject,
            ),
        ):
            server.fetch_mail()

    def _ticket(self, subject):
        return self.env["helpdesk.ticket"].search([("name", "=", subject)])

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.mail.models.fetchmail")
    def test_imap(self):
        """IMAP: processed mail is seen; a failing one stays unseen and
        flagged, kept in the log, and the next mail goes through."""
        mailbox = FakeImapMailbox(
            self._mails("Primero por IMAP", FAILING_SUBJECT, "Tercero por IMAP")
        )
        self._fetch(self._server("imap"), mailbox)
        self.assertTrue(self._ticket("Primero por IMAP"))
        self.assertTrue(self._ticket("Tercero por IMAP"))
        self.assertFalse(self._ticket(FAILING_SUBJECT))
        flags = [message["flags"] for message in mailbox.messages]
        self.assertEqual(flags, [{"\\Seen"}, {"\\Flagged"}, {"\\Seen"}])
        self.assertEqual(self.mail_log(FAILING_SUBJECT).state, "failed")
        self.assertEqual(
            self._ticket("Primero por IMAP").channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email"),
        )
        # The flagged mail is not fetched again on the next run.
        self._fetch(self._server("imap"), mailbox)
        self.assertEqual(self.mail_log(FAILING_SUBJECT).attempts, 1)

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.mail.models.fetchmail")
    def test_pop(self):
        """POP: processed mail is deleted; a failing one stays on the server,
        kept in the log, and the next mail goes through."""
        mailbox = FakePopMailbox(
            self._mails("Primero por POP", FAILING_SUBJECT, "Tercero por POP")
        )
        self._fetch(self._server("pop"), mailbox)
        self.assertTrue(self._ticket("Primero por POP"))
        self.assertTrue(self._ticket("Tercero por POP"))
        self.assertEqual(mailbox.deleted, {1, 3})
        self.assertEqual(self.mail_log(FAILING_SUBJECT).state, "failed")

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.mail.models.fetchmail")
    def test_no_queue_not_bounced(self):
        """Fetched mail to no queue is seen, logged as ignored, not bounced."""
        mailbox = FakeImapMailbox(
            [
                self.format(
                    data.PLAIN,
                    email_from="alguien@example.net",
                    to="ventas@example.net",
                    subject="A ninguna cola por IMAP",
                    msg_id=self.new_message_id(),
                    body="Hola.",
                ).encode()
            ]
        )
        with self.mock_mail_gateway():
            self._fetch(self._server("imap"), mailbox)
        self.assertNotSentEmail()
        self.assertEqual(mailbox.messages[0]["flags"], {"\\Seen"})
        self.assertEqual(self.mail_log("A ninguna cola por IMAP").state, "ignored")
