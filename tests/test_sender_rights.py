# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailgateCase

BOTH_BLOCKS = (
    "Lo tomo yo.\n[INCIDENT]\nPRIORITY: 5\n[INCIDENT]\n\n"
    "[WORKUNIT]\nTIME_USED: 2\n[WORKUNIT]"
)


@tagged("post_install", "-at_install")
class TestSenderRights(MailgateCase):
    """Every change a mail asks for is made with the sender's
    access rights and record rules, as in the interface."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A member of the support team who sees only their own tickets, and a
        # member of engineering who sees only that team's tickets.
        cls.agent_own = cls._agent(
            "mailgate_own", "Óscar Propio", "helpdesk_mgmt.group_helpdesk_user_own"
        )
        cls.agent_team = cls._agent(
            "mailgate_team", "Teresa Equipo", "helpdesk_mgmt.group_helpdesk_user_team"
        )
        cls.team_support.user_ids = [(4, cls.agent_own.id)]
        cls.team_engineering.user_ids = [(4, cls.agent_team.id)]

    @classmethod
    def _agent(cls, login, name, group):
        return cls.env["res.users"].create(
            {
                "name": name,
                "login": login,
                "email": f"{login}@test.example.com",
                "groups_id": [(6, 0, cls.env.ref(group).ids)],
            }
        )

    def _assert_refused(self, ticket, agent):
        """No change, no work unit, one reply that says why, the text kept."""
        priority = ticket.priority
        with self.mock_mail_gateway():
            comment = self.reply(ticket, BOTH_BLOCKS, email_from=agent.email_formatted)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.priority, priority)
        self.assertFalse(ticket.sudo().workunit_ids, "no time logged, not even default")
        self.assertIn("PRIORITY: 5", comment.body)
        self.assertIn("TIME_USED: 2", comment.body)
        self.assertEqual(comment.author_id, agent.partner_id)
        replies = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertEqual(len(replies), 1)
        self.assertIn(agent.email, replies.email_to)
        body = replies.body_html
        self.assertIn("[INCIDENT] not applied", body)
        self.assertIn("[WORKUNIT] not applied", body)
        self.assertIn(f"{agent.login} may not make this change", body)
        self.assertIn(ticket.number, body)
        # What was refused, in words for the sender: no internal record names.
        for internal in ("id=", "Personal Tickets", "Team Tickets", "ir.rule"):
            self.assertNotIn(internal, body)
        log = self.env["helpdesk.mailgate.log"].search(
            [("ticket_id", "=", ticket.id), ("state", "=", "updated")]
        )
        self.assertIn("not applied", log.error)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_own_tickets_agent_outside_rules(self):
        """An agent limited to their own tickets changes nothing, and logs no
        time, on a ticket of their team assigned to someone else."""
        ticket = self.open_ticket("Ticket de otra agente")
        self.assertEqual(ticket.user_id, self.agent)
        self._assert_refused(ticket, self.agent_own)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_team_tickets_agent_outside_rules(self):
        """An agent limited to their team's tickets changes nothing, and logs
        no time, on a ticket of another team."""
        ticket = self.open_ticket("Ticket de otro equipo")
        self.assertEqual(ticket.team_id, self.team_support)
        self._assert_refused(ticket, self.agent_team)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_agents_inside_rules_apply_as_themselves(self):
        """Within their rules the same agents' blocks apply, the work unit
        created as the sender."""
        mine = self.open_ticket("Ticket propio")
        mine.user_id = self.agent_own
        theirs = self.send_to_queue(
            "Ticket del equipo de ingeniería",
            email_from=self.customer.email_formatted,
            to=self.queue_engineering,
        )
        for ticket, agent in ((mine, self.agent_own), (theirs, self.agent_team)):
            with self.subTest(agent=agent.login), self.mock_mail_gateway():
                comment = self.reply(
                    ticket,
                    BOTH_BLOCKS,
                    email_from=agent.email_formatted,
                    to=ticket.team_id.alias_email,
                )
                ticket.invalidate_recordset()
                self.assertEqual(ticket.priority, "3")
                workunit = ticket.sudo().workunit_ids
                self.assertEqual(workunit.hours, 2.0)
                self.assertEqual(workunit.create_uid, agent)
                self.assertNotIn("[INCIDENT]", comment.body)
                self.assertFalse(
                    self._new_mails.filtered(lambda m: "not applied" in m.body_html)
                )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_plain_reply_outside_rules_logs_no_time(self):
        """An agent's plain reply to a ticket outside their rules lands as a
        comment with no work unit; a customer's reply still counts."""
        ticket = self.open_ticket("Respuesta simple fuera de reglas")
        comment = self.reply(
            ticket, "Solo comento.", email_from=self.agent_own.email_formatted
        )
        self.assertIn("Solo comento.", comment.body)
        self.assertFalse(ticket.sudo().workunit_ids)
        self.assertIn(
            "may not work on this ticket",
            self.env["helpdesk.mailgate.log"]
            .search([("ticket_id", "=", ticket.id), ("state", "=", "updated")])
            .error,
        )
        self.reply(ticket, "Sigo igual.", email_from=self.customer.email_formatted)
        self.assertEqual(ticket.sudo().workunit_ids.hours, 0.25)
