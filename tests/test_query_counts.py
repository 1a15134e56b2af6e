# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Query-count guards on the gateway's hot path (bench/README.md).

The counts are the whole ``message_process`` of one mail, as the gateway user,
with warm caches (``warmup`` runs each test twice and counts the second run).
They were measured after the hot path was made cheaper; a change that makes
them grow must say why. ``make bench`` compares them with helpdesk_mgmt alone;
on its mails (no Cc, committed one by one) the addon then cost, in queries
more than helpdesk_mgmt alone: a new ticket from a known contact +4, from an
unknown sender (a contact created and following) +10, a customer's reply +7,
an agent's plain follow-up +6, one with both blocks +9, a mail to another
application's alias +1. Issue 19 added 2 to every helpdesk mail: the
note that its processing started (``helpdesk.mailgate.log._mailgate_start``:
the transaction's id, and the note itself, on a cursor of its own outside a
test), without which a mail that kills its worker is tried forever.
"""

import uuid

from odoo.tests import tagged
from odoo.tests.common import warmup
from odoo.tools import SQL, mute_logger

from . import data
from .common import MailgateCase

BLOCKS = "[INCIDENT]\nPRIORITY: 3\n[INCIDENT]\n\n[WORKUNIT]\nTIME_USED: 0.5\n[WORKUNIT]"


@tagged("post_install", "-at_install")
class TestQueryCounts(MailgateCase):
    """The queries one mail costs, so that they cannot creep back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.groups_id = [(4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)]
        cls.known_contact = cls.env["res.partner"].create(
            {"name": "Carla Conocida", "email": "carla.conocida@customer.example.com"}
        )
        cls.partner_alias = cls.env["mail.alias"].create(
            {
                "alias_name": "partners",
                "alias_domain_id": cls.mail_alias_domain.id,
                "alias_model_id": cls.env.ref("base.model_res_partner").id,
            }
        )
        cls.gateway = cls.env["mail.thread"].with_user(cls.env.ref("base.user_root"))

    def _raw(self, email_from, to, body, in_reply_to=None):
        tag = uuid.uuid4().hex
        raw = self.format(
            data.PLAIN,
            email_from=email_from,
            to=to,
            cc="",
            subject=f"Consulta {tag}",
            msg_id=f"<{tag}@mailgate.test>",
            references=in_reply_to or "",
            body=body,
        )
        if in_reply_to:
            raw = raw.replace("References:", f"In-Reply-To: {in_reply_to}\nReferences:")
        return raw.encode()

    def _ticket(self):
        raw = self._raw(self.known_contact.email_formatted, self.queue_support, "Hola.")
        ticket_id = self.gateway.message_process("helpdesk.ticket", raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        return ticket.message_ids.filtered("message_id")[-1].message_id

    def _process(self, raw, model="helpdesk.ticket"):
        return self.gateway.message_process(model, raw)

    @warmup
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_ticket_known_contact(self):
        """A new ticket from a known contact."""
        raw = self._raw(self.known_contact.email_formatted, self.queue_support, "Hola.")
        with self.assertQueryCount(90):
            self.assertTrue(self._process(raw))

    @warmup
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_ticket_unknown_sender(self):
        """A new ticket from an address with no contact yet."""
        raw = self._raw(
            f"Nadie <nadie-{uuid.uuid4().hex}@unknown.example>",
            self.queue_support,
            "Hola.",
        )
        with self.assertQueryCount(90):
            self.assertTrue(self._process(raw))

    @warmup
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_plain_follow_up(self):
        """An agent's follow-up without commands."""
        first = self._ticket()
        raw = self._raw(
            self.agent.email_formatted, self.queue_support, "Lo miro.", first
        )
        with self.assertQueryCount(63):
            self.assertTrue(self._process(raw))

    @warmup
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_follow_up_with_both_blocks(self):
        """An agent's follow-up with an [INCIDENT] and a [WORKUNIT] block."""
        first = self._ticket()
        raw = self._raw(
            self.agent.email_formatted,
            self.queue_support,
            f"Lo miro.\n\n{BLOCKS}",
            first,
        )
        with self.assertQueryCount(66):
            self.assertTrue(self._process(raw))

    @warmup
    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_other_application_alias(self):
        """A mail to another application's alias costs the helpdesk one
        query: the one that tells it is not a helpdesk mail."""
        raw = self._raw(
            f"Otro <otro-{uuid.uuid4().hex}@else.example>",
            self.partner_alias.alias_full_name,
            "Hola.",
            "<unrelated@else.example>",
        )
        with self.assertQueryCount(1):
            self.assertFalse(
                self.env["helpdesk.mailgate.router"]._takes_mail(None, raw)
            )
        with self.assertQueryCount(30):
            self.assertTrue(self._process(raw, model=None))

    def test_contact_lookup_by_address_is_indexed(self):
        """Odoo's gateway looks senders and recipients up by normalized
        address for every mail, and this module adds a contact per new
        sender: the look-up is an index scan, not a read of every contact."""
        query = self.env["res.partner"]._search(
            [("email_normalized", "=", "nadie@customer.example.com")]
        )
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        # Any index on the column will do, whatever its name: an Odoo build
        # may index it itself.
        self.assertRegex(plan, r"Index Cond: \(+\w*\.?email_normalized\b", plan)
