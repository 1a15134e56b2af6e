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
# Replies with a new [WORKUNIT] TIME_USED: 0,5 and an old [INCIDENT] STATUS:
# Closed in their history (see samples/README.md): every language the quote
# cutting recognises (readme/USAGE.md, the rules of a block) at least once,
# every client, and top-posted, bottom-posted and inline.
LOCALIZED = [
    "gmail_de.eml",
    "gmail_fr.eml",
    "gmail_it.eml",
    "gmail_pt_br.eml",
    "gmail_pt_pt.eml",
    "gmail_ca.eml",
    "gmail_sv.eml",
    "gmail_da.eml",
    "gmail_nb.eml",
    "gmail_fi.eml",
    "gmail_cs.eml",
    "gmail_ru.eml",
    "gmail_tr.eml",
    "gmail_ja.eml",
    "gmail_zh.eml",
    "gmail_bottom_en.eml",
    "gmail_bottom_de.eml",
    "outlook_desktop_de.eml",
    "outlook_desktop_fr.eml",
    "outlook_desktop_nl.eml",
    "outlook_desktop_pl.eml",
    "outlook_desktop_ja.eml",
    "outlook_desktop_es.eml",
    "outlook_plain_de.eml",
    "outlook_web_fr.eml",
    "outlook_web_zh.eml",
    "outlook_mobile_it.eml",
    "apple_mail_de.eml",
    "apple_mail_nl.eml",
    "ios_mail_fr.eml",
    "thunderbird_de.eml",
    "thunderbird_bottom_en.eml",
    "thunderbird_inline_fr.eml",
    "thunderbird_html_bottom_fr.eml",
    "thunderbird_html_de.eml",
    "yahoo_de.eml",
    "android_de.eml",
    "android_pt_br.eml",
]


@tagged("post_install", "-at_install")
class TestClientSamples(MailgateCase):
    """Replies as real mail clients write them: only the new part counts."""

    def _reply_with_sample(self, name):
        """Open a ticket, then push the client's reply to its first message
        through the gateway; return the ticket and the posted comment."""
        # One customer per ticket: Odoo's gateway refuses a sender who opens
        # more than 20 records in two hours (mail loop detection).
        customer = f"cliente.{Path(name).stem}@customer.example.com"
        ticket = self.open_ticket(f"Muestra de cliente {name}", email_from=customer)
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
    def test_localized_replies(self):
        """In every language and client, above, below or between the quoted
        parts, the new [WORKUNIT] applies and the quoted [INCIDENT] does not."""
        closed = self.env["helpdesk.ticket.stage"].create(
            {"name": "Closed", "sequence": 90, "closed": True}
        )
        for name in LOCALIZED:
            with self.subTest(sample=name):
                ticket, comment = self._reply_with_sample(name)
                self.assertEqual(len(comment), 1)
                self.assertEqual(ticket.stage_id, self.stage_assigned)
                self.assertNotEqual(ticket.stage_id, closed)
                self.assertEqual(ticket.workunit_ids.mapped("hours"), [0.5])
                self.assertEqual(ticket.workunit_ids.user_id, self.agent)
                self.assertNotIn("TIME_USED", comment.body)
                self.assertIn("Olga", comment.body)
                self.assertFalse(
                    self._new_mails.filtered(
                        lambda m: "auto-replied" in (m.headers or "")
                        or self.agent.email in (m.email_to or "")
                    ),
                    "no reply to the sender: the old block was never read",
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
