# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailgateCase

SECRET = "boss@secret.example.org"


@tagged("post_install", "-at_install")
class TestHostileCommands(MailgateCase):
    """Hostile command blocks: no crash, no leak, no amplification."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.groups_id = [(4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)]

    def _mask(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.mask_email_addresses", "True"
        )

    def _reply(self, ticket, body):
        with self.mock_mail_gateway():
            comment = self.reply(ticket, body)
        answers = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertEqual(len(answers), 1)
        log = self.env["helpdesk.mailgate.log"].search(
            [("ticket_id", "=", ticket.id), ("state", "=", "updated")]
        )
        return comment, answers, log

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_masking_covers_problem_lines(self):
        """With masking on, the addresses a problem quotes are masked in the
        log and in the chatter copy of the answer; only the mail to the
        sender quotes the sender's own words."""
        self._mask()
        ticket = self.open_ticket("Direcciones en los problemas")
        comment, answer, log = self._reply(
            ticket,
            f"[INCIDENT]\nASSIGNED_TO: {SECRET}\nescribid a {SECRET}\n[INCIDENT]",
        )
        self.assertNotIn(SECRET, comment.body)
        self.assertIn(SECRET, answer.body_html, "the sender reads their own words")
        self.assertNotIn(SECRET, answer.mail_message_id.body)
        self.assertIn("xxxx@xxxx.xxx", answer.mail_message_id.body)
        self.assertNotIn(SECRET, log.error)
        self.assertIn("xxxx@xxxx.xxx", log.error)
        self.assertTrue(answer.mail_message_id.subtype_id.internal)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_problems_are_bounded(self):
        """A block of 500 bad lines gets an answer and a log listing 20
        problems and how many more there were."""
        ticket = self.open_ticket("Quinientas líneas malas")
        bad_lines = "\n".join(f"linea mala {number}" for number in range(500))
        __, answer, log = self._reply(ticket, f"[INCIDENT]\n{bad_lines}\n[INCIDENT]")
        self.assertEqual(answer.body_html.count("<li>"), 21)
        self.assertIn("480 more problems", answer.body_html)
        self.assertIn("linea mala 19", answer.body_html)
        self.assertNotIn("linea mala 20", answer.body_html)
        self.assertIn("480 more problems", log.error)
        self.assertLess(len(log.error), 5000)
        self.assertLess(len(answer.body_html), 10000)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bidi_controls_are_made_visible(self):
        """A U+202E in a value is shown as its code point wherever the value is
        echoed to people: the answer, its chatter copy and the log."""
        ticket = self.open_ticket("Caracteres bidi")
        __, answer, log = self._reply(
            ticket, "[INCIDENT]\nSTATUS: Cerr\u202eado\n[INCIDENT]"
        )
        for shown in (answer.body_html, answer.mail_message_id.body, log.error):
            self.assertNotIn("\u202e", shown)
            self.assertIn("Cerr[U+202E]ado", shown)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_overlong_numbers_are_block_problems(self):
        """PRIORITY and TIME_USED with thousands of digits are block problems:
        no change, the text lands, one answer; the mail does not fail."""
        ticket = self.open_ticket("Números enormes")
        digits = "9" * 5000
        comment, answer, log = self._reply(
            ticket,
            f"[INCIDENT]\nPRIORITY: {digits}\n[INCIDENT]\n\n"
            f"[WORKUNIT]\nTIME_USED: {digits}:30\n[WORKUNIT]",
        )
        self.assertEqual(ticket.priority, "1")
        self.assertIn("PRIORITY: 999", comment.body)
        self.assertEqual(log.state, "updated")
        self.assertIn("out of range", answer.body_html)
        self.assertEqual(ticket.time_used, 0.25, "the default time all the same")
