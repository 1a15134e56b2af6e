# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import email.header
import uuid

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from . import data

REPLY_WITH_BLOCKS = """Arreglado: reiniciamos los servidores.

[INCIDENT]
RESOLUTION: Fixed
[INCIDENT]

[WORKUNIT]
TIME_USED: 1h30
[WORKUNIT]

Saludos,
Tour Agent"""


@tagged("post_install", "-at_install")
class TestUiTours(HttpCase):
    """The addon's screens in a browser: the tours of
    ``static/tests/tours/``, on data made here (and through the real mail
    gateway), which the browser sees in the test transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {
                "name": "tours.example.com",
                "bounce_alias": "bounce.tours",
                "catchall_alias": "catchall.tours",
            }
        )
        cls.agent = mail_new_test_user(
            cls.env,
            login="mailgate_tour_agent",
            name="Tour Agent",
            email="tour.agent@tours-staff.example.com",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.stage_assigned = cls.env["helpdesk.ticket.stage"].create(
            {"name": "Tour Assigned", "sequence": 2}
        )
        cls.category_problem = cls.env["helpdesk.ticket.category"].create(
            {"name": "Tour Problem"}
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Queue Team",
                "alias_name": "tour-queue",
                "alias_domain_id": cls.alias_domain.id,
                "user_ids": [(6, 0, cls.agent.ids)],
            }
        )
        cls.queue = cls.team.alias_email

    def _process(self, template, subject, email_from, body, **values):
        """Push a raw mail to the team's queue through Odoo's real gateway,
        as the MTA script and fetchmail do.

        :return: the raw mail, as a string
        """
        raw = template.format(
            return_path=email_from,
            to=self.queue,
            cc="",
            email_from=email_from,
            subject=subject,
            msg_id=values.pop("msg_id", self._new_message_id()),
            references="",
            extra="",
            body=body,
            **values,
        )
        self.env["mail.thread"].sudo().message_process("helpdesk.ticket", raw)
        return raw

    @staticmethod
    def _new_message_id():
        return f"<{uuid.uuid4().hex}@mailgate-tour.test>"

    def test_team_mail_queue(self):
        """A manager sets a team's queue defaults and its policy for senders
        without a user on the team's Email tab."""
        self.assertEqual(self.queue, "tour-queue@tours.example.com")
        self.start_tour("/odoo", "helpdesk_mailgate_team_queue", login="admin")
        self.assertEqual(self.team.mailgate_default_stage_id, self.stage_assigned)
        self.assertEqual(self.team.mailgate_default_category_id, self.category_problem)
        self.assertEqual(self.team.mailgate_default_user_id, self.agent)
        self.assertEqual(self.team.mailgate_unknown_sender, "reject")

    def test_settings_masking(self):
        """An administrator turns masking on and sets the default time of a
        follow-up in the Helpdesk settings."""
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("helpdesk_mgmt_mailgate.mask_email_addresses", False)
        parameters.set_param("helpdesk_mgmt_mailgate.default_time_used", 0.25)
        self.start_tour("/odoo", "helpdesk_mailgate_settings_masking", login="admin")
        self.assertTrue(
            parameters.get_param("helpdesk_mgmt_mailgate.mask_email_addresses")
        )
        self.assertEqual(
            float(parameters.get_param("helpdesk_mgmt_mailgate.default_time_used")),
            0.5,
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_ticket_from_mail(self):
        """A ticket made and updated by mail shows its work units, their
        total, the resolution set by mail, and its mail log."""
        subject = "Servidores caídos en el tour"
        first_id = self._new_message_id()
        self._process(
            data.PLAIN,
            subject,
            "Carla Cliente <carla.cliente@tours-customer.example.com>",
            data.SEED_BODY,
            msg_id=first_id,
        )
        ticket = self.env["helpdesk.ticket"].search([("name", "=", subject)])
        self.assertEqual(len(ticket), 1)
        self._process(
            data.REPLY,
            f"Re: {subject}",
            self.agent.email_formatted,
            REPLY_WITH_BLOCKS,
            in_reply_to=first_id,
        )
        self.assertEqual(ticket.time_used, 1.5, "the reply's block was applied")
        self.assertEqual(
            ticket.resolution_id,
            self.env.ref("helpdesk_mgmt_mailgate.resolution_fixed"),
        )
        self.start_tour(
            f"/odoo/helpdesk-tickets/{ticket.id}",
            "helpdesk_mailgate_ticket_from_mail",
            login="admin",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reprocess_failed_mail(self):
        """A manager reprocesses a failed mail from the mail log: it opens
        its ticket, and the log record tells so."""
        subject = "Correo que falló en el tour"
        raw = data.PLAIN.format(
            return_path="rosa.remitente@tours-customer.example.com",
            to=self.queue,
            cc="",
            email_from="Rosa Remitente <rosa.remitente@tours-customer.example.com>",
            subject=email.header.Header(subject, "utf-8").encode(),
            msg_id=self._new_message_id(),
            references="",
            extra="",
            body=data.SEED_BODY,
        )
        log = self.env["helpdesk.mailgate.log"]._mailgate_record_failure(
            raw.encode(), "helpdesk.ticket", Exception("la cola estaba mal configurada")
        )
        self.assertEqual(log.state, "failed")
        self.start_tour("/odoo", "helpdesk_mailgate_reprocess_failed", login="admin")
        ticket = self.env["helpdesk.ticket"].search([("name", "=", subject)])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        log.invalidate_recordset()
        self.assertEqual(log.state, "created")
        self.assertEqual(log.ticket_id, ticket)
