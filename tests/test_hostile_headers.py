# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.modules.migration import exec_script
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.fetchmail import FetchmailServer
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailgateCase
from .test_fetchmail import FakeImapMailbox
from .test_no_mail_lost import GATEWAY_LOGGERS

# "Evil\r\nX: y": a display name that decodes to a line break.
CRLF_WORD = "=?utf-8?b?RXZpbA0KWDogeQ==?="
# "Hola\r\nBcc: victim@example.org\x00": a subject that would inject a header.
CRLF_SUBJECT = "=?utf-8?q?Hola=0D=0ABcc:_victim@example.org=00?="


def _mail(queue, message_id, subject="Correo hostil", **headers):
    values = {
        "From": "Mallory <mallory@evil.example.net>",
        "To": queue,
        "Subject": subject,
        "Message-ID": message_id,
        **headers,
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in values.items())
    return (
        head + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nEl servidor no responde.\r\n"
    ).encode()


@tagged("post_install", "-at_install")
class TestHostileHeaders(MailgateCase):
    """Headers whose encoded words decode to line breaks or NUL never crash
    the gateway, never block a mailbox, and never reach a mail unescaped."""

    HOSTILE = {
        "From": f"{CRLF_WORD} <mallory@evil.example.net>",
        "Reply-To": f"{CRLF_WORD} <reply@evil.example.net>",
        "To": None,  # set per test: the queue, with a hostile name
        "Cc": f"{CRLF_WORD} <cc@evil.example.net>",
        "Sender": f"{CRLF_WORD} <sender@evil.example.net>",
        "Return-Path": f"{CRLF_WORD} <bounce@evil.example.net>",
        "Subject": CRLF_SUBJECT,
    }

    def _push(self, raw):
        return self.env["mail.thread"].sudo().message_process("helpdesk.ticket", raw)

    def _hostile(self, header, message_id):
        value = self.HOSTILE[header] or f"{CRLF_WORD} <{self.queue_support}>"
        return _mail(self.queue_support, message_id, **{header: value})

    @mute_logger(*GATEWAY_LOGGERS)
    def test_every_header_the_gateway_reads(self):
        """Each hostile header: the mail becomes a ticket, its texts hold no
        line break, its log record exists, and the next mail goes through."""
        for header in self.HOSTILE:
            with self.subTest(header=header):
                message_id = self.new_message_id()
                with self.mock_mail_gateway():
                    self._push(self._hostile(header, message_id))
                log = self.env["helpdesk.mailgate.log"].search(
                    [("message_id", "=", message_id)]
                )
                self.assertEqual(log.state, "created", log.error)
                ticket = log.ticket_id
                for text in (ticket.name, log.subject, log.email_from):
                    self.assertNotRegex(text or "", r"[\r\n\x00]")
                if header == "Subject":
                    self.assertIn("Bcc: victim@example.org", ticket.name)
                if header == "From":
                    self.assertEqual(
                        ticket.partner_id.email_normalized,
                        "mallory@evil.example.net",
                    )
                    self.assertIn("X: y", ticket.partner_id.name)
                for mail in self._new_mails:
                    self.assertNotRegex(mail.subject or "", r"[\r\n]")
                self.assertTrue(self.send_to_queue(f"Normal tras {header}"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failed_record_of_a_hostile_mail(self):
        """A mail with a hostile From that fails for another reason is kept
        in a failed record whose sender reads without a line break."""
        message_id = self.new_message_id()
        raw = self._hostile("From", message_id)
        with patch.object(type(self.env["helpdesk.ticket"]), "message_new", _raise):
            self._push(raw)
        log = self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )
        self.assertEqual(log.state, "failed")
        self.assertEqual(log.email_from, "mallory@evil.example.net")
        self.assertEqual(base64.b64decode(log.raw_source), raw, "kept byte for byte")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_nested_comments_in_recipients(self):
        """A To header of a thousand nested comments makes the standard
        library's address parser recurse too deep. Pushed by the MTA
        program (no fallback model), the mail is still known as the queue's,
        and kept; the next mail goes through."""
        message_id = self.new_message_id()
        raw = _mail("(" * 1000 + f" Soporte <{self.queue_support}>", message_id)
        self.env["mail.thread"].sudo().message_process(False, raw)
        log = self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )
        self.assertIn(log.state, ("created", "failed"))
        if log.state == "failed":
            self.assertEqual(base64.b64decode(log.raw_source), raw)
        self.assertTrue(self.send_to_queue("Normal tras los comentarios"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_megabyte_of_addresses(self):
        """A To header of a megabyte of addresses in the shape the standard
        library's parser reads in quadratic time is cut after its last whole
        address within 64 KB before anyone reads it: the mail is a ticket."""
        message_id = self.new_message_id()
        hostile = f"{self.queue_support}, 1:00 " + "<a@b.cc>" * 130_000 + ":"
        with self.mock_mail_gateway():
            self._push(_mail(hostile, message_id))
        log = self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )
        self.assertEqual(log.state, "created", log.error)
        self.assertEqual(log.ticket_id.team_id, self.team_support)

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.mail.models.fetchmail")
    def test_fetchmail_is_not_blocked(self):
        """Over IMAP, the hostile mail and every good mail behind it are
        processed in one fetch and all are marked seen."""
        hostile_id = self.new_message_id()
        mailbox = FakeImapMailbox(
            [self._hostile("From", hostile_id)]
            + [
                _mail(self.queue_support, self.new_message_id(), f"Bueno {n}")
                for n in range(2)
            ]
        )
        server = self.env["fetchmail.server"].create(
            {
                "name": "Helpdesk IMAP",
                "server_type": "imap",
                "server": "imap.example.com",
                "port": 993,
                "user": "soporte",
                "password": "secret",
                "object_id": self.env.ref("helpdesk_mgmt.model_helpdesk_ticket").id,
                "state": "done",
            }
        )
        with (
            patch.object(FetchmailServer, "connect", lambda *args, **kw: mailbox),
            patch.object(self.env.cr, "commit", mailbox.on_commit),
        ):
            server.fetch_mail()
        self.assertEqual(
            self.env["helpdesk.mailgate.log"]
            .search([("message_id", "=", hostile_id)])
            .state,
            "created",
        )
        for n in range(2):
            self.assertTrue(
                self.env["helpdesk.ticket"].search([("name", "=", f"Bueno {n}")])
            )
        self.assertTrue(
            all("\\Seen" in message["flags"] for message in mailbox.messages)
        )


@tagged("post_install", "-at_install")
class TestRawSourceAccess(HttpCase):
    """The raw mail of a failed record is for helpdesk managers only, by
    every way Odoo serves data: the field, attachments, /web/content."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.helpdesk_user = mail_new_test_user(
            cls.env,
            login="mailgate_plain_user",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.helpdesk_manager = mail_new_test_user(
            cls.env,
            login="mailgate_manager",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.raw = _mail("soporte@example.com", "<secreto@mailgate.test>")
        cls.log = cls.env["helpdesk.mailgate.log"]._mailgate_record_failure(
            cls.raw, "helpdesk.ticket", RuntimeError("injected")
        )

    def _download(self, login):
        self.authenticate(login, login)
        return self.url_open(
            f"/web/content/helpdesk.mailgate.log/{self.log.id}/raw_source"
        )

    def test_plain_user_cannot_read_it(self):
        log = self.log.with_user(self.helpdesk_user)
        self.assertEqual(log.subject, "Correo hostil", "the record itself is readable")
        with self.assertRaises(AccessError):
            log.read(["raw_source"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(self.helpdesk_user)
            .search(
                [
                    ("res_model", "=", "helpdesk.mailgate.log"),
                    ("res_field", "=", "raw_source"),
                ]
            )
        )
        self.assertFalse(
            self.env["ir.attachment"]
            .sudo()
            .with_context(skip_res_field_check=True)
            .search(
                [
                    ("res_model", "=", "helpdesk.mailgate.log"),
                    ("res_id", "=", self.log.id),
                ]
            ),
            "no attachment holds the raw mail at all",
        )
        with mute_logger("odoo.http", "odoo.models"):
            answer = self._download("mailgate_plain_user")
        self.assertNotEqual(answer.status_code, 200)
        self.assertNotIn(b"secreto@mailgate.test", answer.content)

    def test_manager_reads_it(self):
        log = self.log.with_user(self.helpdesk_manager)
        self.assertEqual(base64.b64decode(log.raw_source), self.raw)
        answer = self._download("mailgate_manager")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.content, self.raw)

    def test_migration_moves_old_attachments(self):
        """Records of 18.0.1.0.0 kept the raw mail as an attachment: the
        migration moves it into the row and deletes the attachment."""
        log = self.env["helpdesk.mailgate.log"].create(
            {"state": "failed", "subject": "Antiguo"}
        )
        self.env["ir.attachment"].create(
            {
                "name": "raw_source",
                "res_model": "helpdesk.mailgate.log",
                "res_field": "raw_source",
                "res_id": log.id,
                "datas": base64.b64encode(self.raw),
            }
        )
        # Run as Odoo's migration manager runs it (the folder and file names,
        # 18.0.1.1.0/post-migrate.py, are not Python names: no import reaches
        # it), upgrading from the 18.0.1.0.0 it migrates.
        exec_script(
            self.env.cr,
            "18.0.1.0.0",
            "helpdesk_mgmt_mailgate/migrations/18.0.1.1.0/post-migrate.py",
            "helpdesk_mgmt_mailgate",
            "post",
            "18.0.1.1.0",
        )
        log.invalidate_recordset()
        self.assertEqual(base64.b64decode(log.raw_source), self.raw)
        self.assertFalse(
            self.env["ir.attachment"]
            .with_context(skip_res_field_check=True)
            .search([("res_model", "=", "helpdesk.mailgate.log")])
        )


def _raise(*args, **kwargs):
    raise RuntimeError("injected failure")
