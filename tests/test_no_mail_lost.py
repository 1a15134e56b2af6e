# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.helpdesk_mailgate_router import HelpdeskMailgateRouter
from . import data
from .common import MailgateCase

GATEWAY_LOGGERS = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.helpdesk_mgmt_mailgate.models.mail_thread",
    "odoo.addons.helpdesk_mgmt_mailgate.models.fetchmail_server",
    "odoo.addons.helpdesk_mgmt_mailgate.models.helpdesk_mailgate_log",
)


def _fail_in_the_middle(router, ticket, facts):
    """Fault injected after the ticket row exists, before its mail is done."""
    raise RuntimeError("injected failure while creating the ticket")


@tagged("post_install", "-at_install")
class TestNoMailLost(MailgateCase):
    """Failure isolation, the failed log, reprocessing (readme/USAGE.md, Mail log)."""

    def _raw(self, subject, **kwargs):
        values = {
            "email_from": "user@company.com",
            "to": self.queue_support,
            "cc": "",
            "subject": subject,
            "msg_id": self.new_message_id(),
            "body": data.SEED_BODY,
        }
        values.update(kwargs)
        return self.format(data.PLAIN, **values).encode()

    def _tickets(self, subject):
        return self.env["helpdesk.ticket"].search([("name", "=", subject)])

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failure_leaves_nothing_partial_and_is_kept(self):
        """A mail that raises mid-creation leaves no ticket and no contact, is
        kept whole as failed, and the next mail goes through."""
        subject = "Fallo inyectado"
        raw = self._raw(subject, email_from="nuevo.contacto@unknown.example")
        thread = self.env["mail.thread"].sudo()
        with patch.object(
            HelpdeskMailgateRouter,
            "_subscribe_participants",
            _fail_in_the_middle,
        ):
            result = thread.message_process(None, raw)
        self.assertFalse(result)
        self.assertFalse(self._tickets(subject))
        self.assertFalse(
            self.env["res.partner"].search(
                [("email", "=", "nuevo.contacto@unknown.example")]
            ),
            "the contact created before the failure is rolled back too",
        )
        log = self.mail_log(subject)
        self.assertEqual(log.state, "failed")
        self.assertIn("injected failure", log.error)
        self.assertEqual(base64.b64decode(log.raw_source), raw)
        self.assertEqual(log.email_from, "nuevo.contacto@unknown.example")
        next_subject = "Correo siguiente al fallo"
        thread.message_process(None, self._raw(next_subject))
        self.assertEqual(len(self._tickets(next_subject)), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failed_record_reads_headers_as_odoo(self):
        """A failed mail's record decodes its headers like the gateway: raw
        UTF-8 subjects (RFC 6532) and named senders."""
        subject = "Correo que falló con acentos"
        raw = self._raw(subject, email_from="Rosa Remitente <rosa@unknown.example>")
        with patch.object(
            HelpdeskMailgateRouter, "_subscribe_participants", _fail_in_the_middle
        ):
            self.env["mail.thread"].sudo().message_process(None, raw)
        log = self.mail_log(subject)
        self.assertEqual(log.state, "failed")
        self.assertEqual(log.email_from, "rosa@unknown.example")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reprocess_exactly_once(self):
        """A manager reprocesses a failed mail once its cause is fixed; it is
        processed exactly once and keeps its one log record."""
        subject = "Reproceso tras arreglar"
        with patch.object(
            HelpdeskMailgateRouter, "_subscribe_participants", _fail_in_the_middle
        ):
            self.env["mail.thread"].sudo().message_process(
                "helpdesk.ticket", self._raw(subject)
            )
        log = self.mail_log(subject)
        manager = self.env["res.users"].create(
            {
                "name": "Gestora",
                "login": "mailgate_manager",
                "email": "gestora@test.example.com",
                "groups_id": [
                    (6, 0, self.env.ref("helpdesk_mgmt.group_helpdesk_manager").ids)
                ],
            }
        )
        log.with_user(manager).action_reprocess()
        self.assertEqual(len(self._tickets(subject)), 1)
        self.assertEqual(self.mail_log(subject), log)
        self.assertEqual(log.state, "created")
        self.assertEqual(log.ticket_id, self._tickets(subject))
        self.assertFalse(log.raw_source)
        log.with_user(manager).action_reprocess()
        self.assertEqual(len(self._tickets(subject)), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reprocess_is_for_managers(self):
        """Helpdesk users cannot reprocess, nor read raw sources."""
        from odoo.exceptions import AccessError

        with patch.object(
            HelpdeskMailgateRouter, "_subscribe_participants", _fail_in_the_middle
        ):
            self.env["mail.thread"].sudo().message_process(
                None, self._raw("Solo gestores")
            )
        log = self.mail_log("Solo gestores")
        with self.assertRaises(AccessError):
            log.with_user(self.agent).action_reprocess()
        self.assertFalse(
            "raw_source" in log.with_user(self.agent).fields_get(), "field hidden"
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failing_again_counts_attempts(self):
        """The same failing mail fetched again keeps one record."""
        raw = self._raw("Falla dos veces")
        with patch.object(
            HelpdeskMailgateRouter, "_subscribe_participants", _fail_in_the_middle
        ):
            self.env["mail.thread"].sudo().message_process(None, raw)
            self.env["mail.thread"].sudo().message_process(None, raw)
        log = self.mail_log("Falla dos veces")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.attempts, 2)

    def test_purge(self):
        """The purge removes old processed records and keeps failed ones."""
        logs = self.env["helpdesk.mailgate.log"].create(
            [
                {"state": state, "subject": f"purga {state}"}
                for state in ("created", "updated", "ignored", "rejected", "failed")
            ]
        )
        recent = self.env["helpdesk.mailgate.log"].create(
            {"state": "created", "subject": "purga reciente"}
        )
        logs.write({"date": fields.Datetime.now() - timedelta(days=31)})
        self.env["helpdesk.mailgate.log"]._cron_purge()
        self.assertEqual(
            logs.exists().mapped("state"), ["rejected", "failed"], "kept until deleted"
        )
        self.assertTrue(recent.exists())
        self.env["res.config.settings"].create(
            {"mailgate_log_retention_days": 0}
        ).execute()
        recent.date = fields.Datetime.now() - timedelta(days=400)
        self.env["helpdesk.mailgate.log"]._cron_purge()
        self.assertTrue(recent.exists(), "0 days: purge disabled")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_oversized_attachment(self):
        """An attachment above the team's limit is not stored; the comment
        says which and why, and the sender is told once."""
        self.team_support.mailgate_max_attachment_mb = 0.00001  # 10 bytes
        with self.mock_mail_gateway():
            ticket = self.send_to_queue(
                "Adjunto demasiado grande", template=data.WITH_ATTACHMENT
            )
        self.assertFalse(ticket.attachment_ids)
        self.assertIn("screen1.png", ticket.message_ids[-1].body)
        self.assertIn("limited to", ticket.message_ids[-1].body)
        notices = self._new_mails.filtered(lambda m: "screen1.png" in m.body_html)
        self.assertEqual(len(notices), 1)
        self.assertIn("user@company.com", notices.email_to)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_authenticated_senders_only(self):
        """A team that takes commands from authenticated senders only refuses
        them without a trusted DMARC/DKIM pass; the text lands as a comment."""
        self.team_support.write(
            {
                "mailgate_require_authentication": True,
                "mailgate_trusted_authserv_ids": "mx.mycompany.com",
            }
        )
        self.agent.groups_id = [
            (4, self.env.ref("helpdesk_mgmt.group_helpdesk_user").id)
        ]
        ticket = self.open_ticket("Órdenes autenticadas")
        body = "[INCIDENT]\nPRIORITY: 5\n[INCIDENT]"
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                body,
                extra="Authentication-Results: mx.evil.example; dmarc=pass "
                "header.from=test.example.com",
            )
        self.assertEqual(ticket.priority, "1")
        self.assertIn("PRIORITY: 5", comment.body)
        refusal = self._new_mails.filtered(lambda m: "authenticated" in m.body_html)
        self.assertEqual(len(refusal), 1)
        self.reply(
            ticket,
            body,
            extra="Authentication-Results: mx.mycompany.com; dkim=pass "
            "header.d=test.example.com; dmarc=pass header.from=test.example.com",
        )
        self.assertEqual(ticket.priority, "3")
