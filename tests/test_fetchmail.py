# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.fetchmail import FetchmailServer

from . import data
from .common import MailgateCase
from .test_no_mail_lost import GATEWAY_LOGGERS

FETCH_LOGGERS = (*GATEWAY_LOGGERS, "odoo.addons.mail.models.fetchmail")


class FakeImapMailbox:
    """An IMAP server's mailbox as the fetch loop uses it, by UID: messages
    with flags, ``UID SEARCH UNSEEN``, ``UID FETCH`` (``BODY.PEEK[]`` leaves
    the flags alone), ``UID STORE +FLAGS.SILENT``, ``PERMANENTFLAGS``.

    ``commits`` records, at each commit of the database, the flags of the
    mail last fetched: the fetch loop must commit before it marks a mail."""

    def __init__(self, messages, keywords=True, flags=()):
        self.messages = [
            {"uid": str(uid).encode(), "raw": raw, "flags": set(flags)}
            for uid, raw in enumerate(messages, 101)
        ]
        self.keywords = keywords
        self.last_fetched = None
        self.commits = []

    def _by_uid(self, uid):
        return next(m for m in self.messages if m["uid"] == uid)

    def select(self, *args):
        return "OK", [str(len(self.messages)).encode()]

    def response(self, code):
        flags = b"(\\Answered \\Flagged \\Deleted \\Seen \\Draft"
        flags += b" \\*)" if self.keywords else b")"
        return code, [flags] if code == "PERMANENTFLAGS" else [None]

    def uid(self, command, *args):
        if command == "SEARCH":
            assert args[-1] == "UNSEEN", args  # whatever the other flags
            wanted = [m["uid"] for m in self.messages if "\\Seen" not in m["flags"]]
            return "OK", [b" ".join(wanted)]
        if command == "FETCH":
            uid, parts = args
            message = self._by_uid(uid)
            if "PEEK" not in parts:
                message["flags"].add("\\Seen")
            self.last_fetched = message
            return "OK", [
                (uid + b" (UID " + uid + b" BODY[] {n}", message["raw"]),
                b")",
            ]
        if command == "STORE":
            uid, action, flags = args
            assert action == "+FLAGS.SILENT", action
            self._by_uid(uid)["flags"].update(flags.strip("()").split())
            return "OK", []
        raise AssertionError(f"unexpected IMAP command {command}")

    def on_commit(self):
        if self.last_fetched is not None:
            self.commits.append(set(self.last_fetched["flags"]))

    def close(self):
        return "OK", []

    def logout(self):
        return "BYE", []


class FakePopMailbox:
    """A POP3 maildrop: numbered mails, ``DELE`` applied at ``QUIT`` (the
    UPDATE state of RFC 1939), the rest renumbered at the next session."""

    def __init__(self, messages):
        self.messages = list(messages)
        self.deleted = set()
        self.sessions = 0
        self.retrieved = None
        self.commits = []

    def stat(self):
        self.sessions += 1
        return len(self.messages), sum(map(len, self.messages))

    def list(self):
        return b"+OK", [], 0

    def retr(self, number):
        self.retrieved = number
        return b"+OK", self.messages[number - 1].split(b"\n"), 0

    def dele(self, number):
        self.deleted.add(number)

    def quit(self):
        self.messages = [
            raw
            for number, raw in enumerate(self.messages, 1)
            if number not in self.deleted
        ]
        self.deleted = set()
        self.retrieved = None
        return b"+OK"

    def on_commit(self):
        if self.retrieved is not None:
            self.commits.append(self.retrieved in self.deleted)


@tagged("post_install", "-at_install")
class TestFetchmail(MailgateCase):
    """Fetchmail servers of the helpdesk: the same gateway; the mail log is
    the quarantine, so the server's copy is let go only once the mail is
    committed; one failing mail never blocks the next, however many fail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An administrator's mistake: the defaults of this queue name a
        # priority that does not exist, so every ticket it would open raises
        # inside the gateway (a real failure, not a patched one).
        cls.team_broken = cls._create_team("Rota", "rota")
        cls.team_broken.alias_id.alias_defaults = repr(
            {"team_id": cls.team_broken.id, "priority": "urgentisimo"}
        )
        cls.queue_broken = cls.team_broken.alias_email

    def _mails(self, *subjects, to=None):
        return [
            self.format(
                data.PLAIN,
                email_from="user@company.com",
                to=to or self.queue_support,
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
        # transaction must stay open, so the commit only records what the
        # mailbox looked like at that moment.
        with (
            patch.object(FetchmailServer, "connect", lambda *args, **kw: mailbox),
            patch.object(self.env.cr, "commit", mailbox.on_commit),
        ):
            server.fetch_mail()

    def _ticket(self, subject):
        return self.env["helpdesk.ticket"].search([("name", "=", subject)])

    def _triggers(self):
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("mail.ir_cron_mail_gateway_action").id)]
        )

    @mute_logger(*FETCH_LOGGERS)
    def test_poison_mails_do_not_block_the_fetch(self):
        """A 25 000-part mail and a 5 000-deep one are bounded: over IMAP
        they become tickets and the good mail behind them arrives in the same
        fetch, every mail seen."""

        def head(subject):
            return (
                f"From: Carla <carla@customer.example.com>\r\n"
                f"To: {self.queue_support}\r\nSubject: {subject}\r\n"
                f"Message-ID: {self.new_message_id()}\r\nMIME-Version: 1.0\r\n"
            ).encode()

        mailbox = FakeImapMailbox(
            [
                data.part_flood(head("Inundación por IMAP"), "Texto", 25000),
                data.nested(head("Anidado por IMAP"), "Texto", 5000),
            ]
            + self._mails("Bueno tras el veneno")
        )
        self._fetch(self._server("imap"), mailbox)
        for subject in ("Inundación por IMAP", "Anidado por IMAP"):
            self.assertEqual(self.mail_log(subject).state, "created", subject)
        self.assertTrue(self._ticket("Bueno tras el veneno"))
        flags = [message["flags"] for message in mailbox.messages]
        self.assertEqual(flags, [{"\\Seen"}] * 3)

    def test_protocols_dispatch_by_name(self):
        """A helpdesk server is fetched by the method named after its
        connection type; a type without one is left to Odoo."""
        imap, pop = self._server("imap"), self._server("pop")
        self.assertEqual(imap._mailgate_fetcher(), imap._mailgate_fetch_imap)
        self.assertEqual(pop._mailgate_fetcher(), pop._mailgate_fetch_pop)
        local = self._server("imap")
        local.server_type = "local"
        self.assertIsNone(local._mailgate_fetcher())

    @mute_logger(*FETCH_LOGGERS)
    def test_imap(self):
        """IMAP: a processed mail is seen; a failing one is kept in the log,
        then seen with the addon's keyword (never \\Flagged); the next mail
        goes through; nothing is marked before it is committed."""
        mailbox = FakeImapMailbox(
            self._mails("Primero por IMAP")
            + self._mails("Falla por IMAP", to=self.queue_broken)
            + self._mails("Tercero por IMAP")
        )
        self._fetch(self._server("imap"), mailbox)
        self.assertTrue(self._ticket("Primero por IMAP"))
        self.assertTrue(self._ticket("Tercero por IMAP"))
        self.assertFalse(self._ticket("Falla por IMAP"))
        flags = [message["flags"] for message in mailbox.messages]
        self.assertEqual(flags, [{"\\Seen"}, {"\\Seen", "$HelpdeskFailed"}, {"\\Seen"}])
        failed = self.mail_log("Falla por IMAP")
        self.assertEqual(failed.state, "failed")
        self.assertTrue(failed.raw_source)
        self.assertEqual(mailbox.commits, [set(), set(), set()])
        self.assertEqual(
            self._ticket("Primero por IMAP").channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email"),
        )
        # Seen mail is not fetched again: the log is its quarantine.
        self._fetch(self._server("imap"), mailbox)
        self.assertEqual(failed.attempts, 1)
        self.assertEqual(len(self._ticket("Primero por IMAP")), 1)

    @mute_logger(*FETCH_LOGGERS)
    def test_imap_starred_unread_mail(self):
        """An unread mail someone starred (\\Flagged) is fetched like any
        unread mail, and keeps its star."""
        mailbox = FakeImapMailbox(
            self._mails("Marcado con estrella"), flags={"\\Flagged"}
        )
        self._fetch(self._server("imap"), mailbox)
        self.assertEqual(len(self._ticket("Marcado con estrella")), 1)
        self.assertEqual(mailbox.messages[0]["flags"], {"\\Flagged", "\\Seen"})

    @mute_logger(*FETCH_LOGGERS)
    def test_imap_without_keywords(self):
        """A server that takes no keywords: a failed mail is only seen."""
        mailbox = FakeImapMailbox(
            self._mails("Falla sin palabras clave", to=self.queue_broken),
            keywords=False,
        )
        self._fetch(self._server("imap"), mailbox)
        self.assertEqual(self.mail_log("Falla sin palabras clave").state, "failed")
        self.assertEqual(mailbox.messages[0]["flags"], {"\\Seen"})

    @mute_logger(*FETCH_LOGGERS)
    def test_pop_failed_mails_at_the_head(self):
        """POP: 60 failing mails at the head of the box and 10 good ones: one
        fetch leaves 60 failed records, 10 tickets and an empty box; no mail
        is deleted before it is committed."""
        failing = [f"Falla POP {n}" for n in range(60)]
        good = [f"Bueno POP {n}" for n in range(10)]
        mailbox = FakePopMailbox(
            self._mails(*failing, to=self.queue_broken) + self._mails(*good)
        )
        self._fetch(self._server("pop"), mailbox)
        self.assertEqual(mailbox.messages, [])
        logs = self.env["helpdesk.mailgate.log"].search(
            [("subject", "in", failing + good)]
        )
        failed = logs.filtered(lambda log: log.state == "failed")
        self.assertEqual(sorted(failed.mapped("subject")), sorted(failing))
        self.assertTrue(all(failed.mapped("raw_source")))
        tickets = self.env["helpdesk.ticket"].search([("name", "in", good)])
        self.assertEqual(sorted(tickets.mapped("name")), sorted(good))
        self.assertEqual(len(mailbox.commits), 70)
        self.assertFalse(any(mailbox.commits), "a mail was deleted before its commit")

    @mute_logger(*FETCH_LOGGERS)
    def test_backlog_in_bounded_runs(self):
        """A backlog is taken in bounded runs: a run takes at most the batch
        size, leaves the rest unseen and triggers the fetchmail cron again;
        the next run takes the rest and triggers nothing."""
        self.env["ir.config_parameter"].sudo().set_param(
            "helpdesk_mgmt_mailgate.fetch_batch_size", "3"
        )
        subjects = [f"Atrasado {n}" for n in range(5)]
        mailbox = FakeImapMailbox(self._mails(*subjects))
        server = self._server("imap")
        self._triggers().unlink()
        self._fetch(server, mailbox)
        seen = ["\\Seen" in message["flags"] for message in mailbox.messages]
        self.assertEqual(seen, [True, True, True, False, False])
        self.assertEqual(len(self._triggers()), 1)
        self._triggers().unlink()
        self._fetch(server, mailbox)
        self.assertTrue(all("\\Seen" in m["flags"] for m in mailbox.messages))
        self.assertEqual(
            len(self.env["helpdesk.ticket"].search([("name", "in", subjects)])), 5
        )
        self.assertFalse(self._triggers())

    @mute_logger(*FETCH_LOGGERS)
    def test_pop_backlog_in_bounded_runs(self):
        """POP: a run stops at its budget (the rest stays on the server, the
        cron is triggered again); nothing is lost between runs."""
        self.env["ir.config_parameter"].sudo().set_param(
            "helpdesk_mgmt_mailgate.fetch_batch_size", "2"
        )
        subjects = [f"Atrasado POP {n}" for n in range(3)]
        mailbox = FakePopMailbox(self._mails(*subjects))
        server = self._server("pop")
        self._triggers().unlink()
        self._fetch(server, mailbox)
        self.assertEqual(len(mailbox.messages), 1)
        self.assertEqual(len(self._triggers()), 1)
        self._fetch(server, mailbox)
        self.assertEqual(mailbox.messages, [])
        self.assertEqual(
            len(self.env["helpdesk.ticket"].search([("name", "in", subjects)])), 3
        )

    @mute_logger(*FETCH_LOGGERS)
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
