# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import data
from .common import MailgateCase


@tagged("post_install", "-at_install")
class TestFollowUp(MailgateCase):
    """Replies, command blocks, work units (readme/USAGE.md)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_engineering = cls.env["res.users"].create(
            {
                "name": "Iñaki Ingeniero",
                "login": "mailgate_engineer",
                "email": "inaki.ingeniero@test.example.com",
                "groups_id": [
                    (6, 0, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").ids)
                ],
            }
        )
        cls.team_engineering.user_ids = [(4, cls.agent_engineering.id)]
        # The agent who sends commands may see both teams' tickets.
        cls.agent.groups_id = [(4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)]
        cls.team_engineering.user_ids = [(4, cls.agent.id)]
        cls.resolution_invalid = cls.env.ref(
            "helpdesk_mgmt_mailgate.resolution_invalid"
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_customer_reply_is_comment_with_default_time(self):
        """A customer's reply is a comment by the customer and a 0.25 h work
        unit, as in Integria: every follow-up counts."""
        ticket = self.open_ticket("Respuesta de la clienta")
        comment = self.reply(
            ticket, "Sigue sin funcionar.", email_from=self.customer.email_formatted
        )
        self.assertEqual(comment.author_id, self.customer.partner_id)
        self.assertIn("Sigue sin funcionar.", comment.body)
        self.assertEqual(ticket.workunit_ids.hours, 0.25)
        self.assertEqual(ticket.workunit_ids.partner_id, self.customer.partner_id)
        self.assertEqual(ticket.workunit_ids.user_id, self.customer)
        self.assertEqual(ticket.time_used, 0.25)
        log = self.env["helpdesk.mailgate.log"].search(
            [("ticket_id", "=", ticket.id), ("state", "=", "updated")]
        )
        self.assertEqual(len(log), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_agent_incident_and_workunit(self):
        """An agent's [INCIDENT] and [WORKUNIT] apply as the agent, and the
        blocks leave the comment."""
        ticket = self.open_ticket("Bloques completos de una agente")
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                data.INCIDENT_ALL_KEYS.format(login=self.agent_engineering.login),
            )
        self.assertEqual(ticket.team_id, self.team_engineering)
        self.assertEqual(ticket.user_id, self.agent_engineering)
        self.assertEqual(ticket.priority, "2", "3 is High")
        self.assertEqual(ticket.stage_id, self.stage_assigned)
        self.assertEqual(ticket.resolution_id, self.resolution_invalid)
        self.assertEqual(ticket.workunit_ids.hours, 0.05)
        self.assertEqual(ticket.workunit_ids.user_id, self.agent)
        self.assertEqual(ticket.time_used, 0.05)
        self.assertIn("Lo paso a ingeniería", comment.body)
        self.assertIn("Saludos", comment.body)
        self.assertNotIn("[INCIDENT]", comment.body)
        self.assertNotIn("TIME_USED", comment.body)
        tracking = ticket.message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(tracking.author_id, self.agent.partner_id)
        self.assertFalse(
            self._new_mails.filtered(lambda m: "not applied" in (m.body_html or "")),
            "no error reply for valid blocks",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_priority_mapping(self):
        """PRIORITY 0-5 map to helpdesk_mgmt's four levels."""
        ticket = self.open_ticket("Prioridades por correo")
        for value, expected in [("0", "0"), ("2", "1"), ("4", "3"), ("5", "3")]:
            with self.subTest(priority=value):
                self.reply(
                    ticket,
                    f"[INCIDENT]\nPRIORITY: {value}\n[INCIDENT]",
                    msg_id=f"<priority-{value}@mailgate.test>",
                )
                self.assertEqual(ticket.priority, expected)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_invalid_block_changes_nothing(self):
        """Any error: no change, the text kept verbatim, one reply listing every
        problem with its line and a hint."""
        ticket = self.open_ticket("Bloque con errores")
        stage, priority = ticket.stage_id, ticket.priority
        body = (
            "Cambio varias cosas.\n[INCIDENT]\nPRIORTY: 3\nSTATUS: Asigned\n"
            "GROUP: Nadie\n[INCIDENT]"
        )
        with self.mock_mail_gateway():
            comment = self.reply(ticket, body)
        self.assertEqual(ticket.stage_id, stage)
        self.assertEqual(ticket.priority, priority)
        self.assertIn("[INCIDENT]", comment.body)
        self.assertIn("PRIORTY: 3", comment.body)
        replies = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertEqual(len(replies), 1)
        self.assertIn(self.agent.email, replies.email_to)
        self.assertIn("line 3", replies.body_html)
        self.assertIn("did you mean PRIORITY?", replies.body_html)
        self.assertIn("'Auto-Submitted': 'auto-replied'", replies.headers)
        self.assertEqual(ticket.time_used, 0.25, "the default time all the same")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_values_get_hints(self):
        """Unknown names are problems with did-you-mean hints, nothing changes."""
        ticket = self.open_ticket("Nombres desconocidos")
        with self.mock_mail_gateway():
            self.reply(ticket, "[INCIDENT]\nSTATUS: Asigned\nGROUP: Soprte\n[INCIDENT]")
        reply = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertIn("did you mean Assigned?", reply.body_html)
        self.assertIn("did you mean Soporte?", reply.body_html)
        self.assertEqual(ticket.team_id, self.team_support)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_invalid_workunit_gets_default_time(self):
        """An invalid [WORKUNIT] changes nothing: the comment gets the default
        time, and a valid [INCIDENT] of the same mail still applies."""
        ticket = self.open_ticket("Tiempo inválido")
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                "[INCIDENT]\nPRIORITY: 5\n[INCIDENT]\n[WORKUNIT]\nTIME_USED: 30\n"
                "[WORKUNIT]",
            )
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.time_used, 0.25)
        self.assertIn("TIME_USED: 30", comment.body)
        self.assertNotIn("PRIORITY", comment.body)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_time_used_forms(self):
        """TIME_USED takes decimals with a point or comma, and units."""
        ticket = self.open_ticket("Formas de tiempo")
        for index, (value, hours) in enumerate(
            [("0,5", 0.5), ("1h30", 1.5), ("90m", 1.5), ("2", 2.0)]
        ):
            with self.subTest(time_used=value):
                self.reply(
                    ticket,
                    f"[WORKUNIT]\nTIME_USED: {value}\n[WORKUNIT]",
                    msg_id=f"<time-{index}@mailgate.test>",
                )
                self.assertEqual(ticket.workunit_ids[:1].hours, hours)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_default_time_setting(self):
        """The default time is a setting; 0 disables automatic work units."""
        ticket = self.open_ticket("Tiempo por defecto")
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.default_time_used", "0.5"
        )
        self.reply(ticket, "Primera respuesta.", msg_id="<default-1@mailgate.test>")
        self.assertEqual(ticket.time_used, 0.5)
        # As the settings screen stores it: a 0 removes the parameter.
        self.env["res.config.settings"].create(
            {"mailgate_default_time_used": 0}
        ).execute()
        self.reply(ticket, "Segunda respuesta.", msg_id="<default-2@mailgate.test>")
        self.assertEqual(len(ticket.workunit_ids), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_portal_customer_cannot_command(self):
        """A portal customer's commands are refused: comment kept, reply sent."""
        ticket = self.open_ticket("La clienta intenta cerrar")
        stage = ticket.stage_id
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                "Lo cierro yo.\n[INCIDENT]\nSTATUS: Done\n[INCIDENT]",
                email_from=self.customer.email_formatted,
            )
        self.assertEqual(ticket.stage_id, stage)
        self.assertIn("STATUS: Done", comment.body)
        reply = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertIn(self.customer.email, reply.email_to)
        self.assertIn("may not make this change", reply.body_html)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_cannot_command(self):
        """A sender without a user cannot change anything."""
        ticket = self.open_ticket("Un desconocido responde")
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                "[INCIDENT]\nPRIORITY: 5\n[INCIDENT]",
                email_from="extrano@unknown.example",
            )
        self.assertEqual(ticket.priority, "1")
        self.assertIn("PRIORITY: 5", comment.body)
        reply = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertIn("extrano@unknown.example", reply.email_to)
        self.assertIn("has no user", reply.body_html)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_agent_without_access_cannot_command(self):
        """An agent whose record rules hide the ticket changes nothing."""
        outsider = self.env["res.users"].create(
            {
                "name": "Agente Ajena",
                "login": "mailgate_outsider",
                "email": "ajena@test.example.com",
                "groups_id": [
                    (
                        6,
                        0,
                        self.env.ref("helpdesk_mgmt.group_helpdesk_user_own").ids,
                    )
                ],
            }
        )
        ticket = self.open_ticket("Agente sin acceso")
        with self.mock_mail_gateway():
            self.reply(
                ticket,
                "[INCIDENT]\nPRIORITY: 5\n[INCIDENT]",
                email_from=outsider.email_formatted,
            )
        self.assertEqual(ticket.priority, "1")
        reply = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertEqual(len(reply), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_quoted_old_block_is_ignored(self):
        """A quoted old [INCIDENT] STATUS: Closed changes nothing."""
        ticket = self.open_ticket("Cita con bloque antiguo")
        stage = ticket.stage_id
        with self.mock_mail_gateway():
            self.reply(ticket, data.QUOTED_OLD_BLOCK)
        self.assertEqual(ticket.stage_id, stage)
        self.assertFalse(
            self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_ticket_commands(self):
        """Commands in a new-ticket mail apply to the new ticket and leave its
        description."""
        ticket = self.send_to_queue(
            "Ticket nuevo con órdenes",
            email_from=self.agent.email_formatted,
            body="Abro y priorizo.\n[INCIDENT]\nPRIORITY: 4\n[INCIDENT]",
        )
        self.assertEqual(ticket.priority, "3")
        self.assertIn("Abro y priorizo.", ticket.description)
        self.assertNotIn("[INCIDENT]", ticket.description)
        self.assertNotIn("[INCIDENT]", ticket.message_ids[-1].body)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_same_message_id_never_applies_twice(self):
        """The same mail arriving again changes and logs nothing more."""
        ticket = self.open_ticket("Correo repetido")
        body = "[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]"
        self.reply(ticket, body, msg_id="<twice@mailgate.test>")
        self.reply(ticket, body, msg_id="<twice@mailgate.test>")
        self.assertEqual(ticket.time_used, 1.0)
        self.assertEqual(len(ticket.workunit_ids), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_masking(self):
        """Masking on: addresses in bodies become xxxx@xxxx.xxx; off: kept."""
        body = "Escribid a proveedor@example.com o a jefe@example.com."
        ticket = self.open_ticket("Sin máscara", body=body)
        self.assertIn("proveedor@example.com", ticket.description)
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.mask_email_addresses", "True"
        )
        masked = self.open_ticket("Con máscara", body=body)
        self.assertNotIn("proveedor@example.com", masked.description)
        self.assertIn("xxxx@xxxx.xxx", masked.description)
        comment = self.reply(masked, "Copia a otro@example.com.")
        self.assertNotIn("otro@example.com", comment.body)
        self.assertIn("xxxx@xxxx.xxx", comment.body)
        self.assertEqual(masked.partner_id, self.customer.partner_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_masking_keeps_commands_readable(self):
        """Masking hides addresses in the comment, not from the commands:
        ASSIGNED_TO may name the agent by address."""
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.mask_email_addresses", "True"
        )
        ticket = self.open_ticket("Asignación por dirección con máscara")
        comment = self.reply(
            ticket,
            f"Para {self.agent_engineering.email}.\n[INCIDENT]\n"
            f"ASSIGNED_TO: {self.agent_engineering.email}\nGROUP: Engineering\n"
            "[INCIDENT]",
        )
        self.assertEqual(ticket.user_id, self.agent_engineering)
        self.assertNotIn(self.agent_engineering.email, comment.body)
        self.assertIn("xxxx@xxxx.xxx", comment.body)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_auto_reply_is_internal_note(self):
        """An auto-reply on a ticket is a note: no work unit, no command."""
        ticket = self.open_ticket("Respuesta automática a un ticket")
        with self.mock_mail_gateway():
            note = self.reply(
                ticket,
                "Estoy fuera de la oficina.\n[INCIDENT]\nPRIORITY: 5\n[INCIDENT]",
                extra="Auto-Submitted: auto-replied",
            )
        self.assertTrue(note.subtype_id.internal)
        self.assertEqual(ticket.priority, "1")
        self.assertFalse(ticket.workunit_ids)
        self.assertFalse(
            [mail for mail in self._mails if self.agent.email in str(mail["email_to"])],
            "nothing is sent back to an automatic mail",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_subject_token_from_contact_is_follow_up(self):
        """A reply without References finds its ticket by the subject token
        when it comes from the ticket's contact."""
        ticket = self.open_ticket("Respuesta sin cabeceras")
        self.send_to_queue(
            f"Re: [{ticket.number}] Respuesta sin cabeceras",
            email_from=self.customer.email_formatted,
            body="Añado un dato.",
        )
        self.assertIn("Añado un dato.", ticket.message_ids[0].body)
        self.assertEqual(len(ticket.workunit_ids), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_subject_token_from_stranger_opens_new_ticket(self):
        """A reply quoting a ticket number from a stranger opens a new ticket."""
        ticket = self.open_ticket("Número citado por un extraño")
        subject = f"Re: [{ticket.number}] Número citado por un extraño"
        other = self.send_to_queue(subject, email_from="extrano@unknown.example")
        self.assertEqual(len(other), 1)
        self.assertNotEqual(other, ticket)
        self.assertFalse(ticket.workunit_ids)
