# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailgateCase

SAMPLES = Path(__file__).parent / "samples"
PLACEHOLDER = b"ORIGINAL-MESSAGE-ID@mailgate.test"
CLIENTS = [
    "outlook_reply_html.eml",
    "outlook_reply_es.eml",
    "gmail_reply.eml",
    "apple_mail_reply.eml",
    "thunderbird_reply_plain.eml",
]


@tagged("post_install", "-at_install")
class TestClientSamples(MailgateCase):
    """Replies as real mail clients write them: only the new part counts."""

    def _reply_with_sample(self, name):
        """Open a ticket, then push the client's reply to its first message
        through the gateway; return the ticket and the posted comment."""
        ticket = self.open_ticket(f"Muestra de cliente {name}")
        first_message = ticket.message_ids.filtered("message_id")[-1]
        raw = (
            (SAMPLES / name)
            .read_bytes()
            .replace(PLACEHOLDER, first_message.message_id.strip("<>").encode())
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].sudo().message_process(None, raw)
        ticket.invalidate_recordset()
        comment = ticket.message_ids.filtered(
            lambda m: m.message_type == "email" and m.author_id == self.agent.partner_id
        )
        return ticket, comment

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_part_applies_quoted_block_does_not(self):
        """The new blocks apply; the quoted old STATUS: Closed is never read."""
        for name in CLIENTS:
            with self.subTest(client=name):
                ticket, comment = self._reply_with_sample(name)
                self.assertEqual(len(comment), 1)
                self.assertEqual(ticket.priority, "3", "PRIORITY 4 is Very High")
                self.assertEqual(ticket.stage_id, self.stage_assigned)
                self.assertEqual(ticket.workunit_ids.hours, 0.5)
                self.assertEqual(ticket.workunit_ids.user_id, self.agent)
                self.assertNotIn("TIME_USED", comment.body)
                self.assertIn("Os aviso en cuanto llegue la pieza", comment.body)
                self.assertFalse(
                    self._new_mails.filtered(
                        lambda m: "not applied" in (m.body_html or "")
                    ),
                    "no problem reported: the old block was not parsed",
                )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_masking_in_client_html(self):
        """Masking reaches addresses in client HTML and mailto links."""
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.mask_email_addresses", "True"
        )
        for name in ("outlook_reply_html.eml", "gmail_reply.eml"):
            with self.subTest(client=name):
                __, comment = self._reply_with_sample(name)
                self.assertNotIn("proveedor@example.com", comment.body)
                self.assertIn("xxxx@xxxx.xxx", comment.body)
