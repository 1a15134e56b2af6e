# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time logged by mail in the timesheets (readme/USAGE.md, Time in timesheets).

``TestWithoutTimesheets`` runs in the Odoo tier's first pass, on a database
without OCA's helpdesk_mgmt_timesheet; ``TestTimesheets`` only in its second
pass (tag ``mailgate_timesheet``), on a fresh database where it is installed.
"""

import ast
import datetime
import pathlib
import unittest

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MailgateCase

TIMESHEET_CHAIN = (
    "helpdesk_mgmt_timesheet",
    "helpdesk_mgmt_project",
    "project_timesheet_time_control",
    "hr_timesheet",
    "project",
    "hr",
    "analytic",
)
MAIL_DATE = datetime.datetime(2026, 11, 30, 10, 0)  # data.REPLY's Date, in UTC


def _answers(mails):
    """The addon's own answers among ``mails`` (not the notifications)."""
    return mails.filtered(lambda mail: "Auto-Submitted" in (mail.headers or ""))


def _installed(env, names):
    return env["ir.module.module"].search(
        [("name", "in", list(names)), ("state", "=", "installed")]
    )


@tagged("post_install", "-at_install")
class TestWithoutTimesheets(MailgateCase):
    """Without helpdesk_mgmt_timesheet nothing of timesheets is needed."""

    def test_depends_only_on_helpdesk_and_mail(self):
        """The addon depends on helpdesk_mgmt and mail only, and this pass
        really runs without any module of the timesheet chain, so its
        passing tests prove that none is required."""
        manifest = pathlib.Path(__file__).parents[1] / "__manifest__.py"
        depends = ast.literal_eval(manifest.read_text())["depends"]
        self.assertEqual(sorted(depends), ["helpdesk_mgmt", "mail"])
        self.assertFalse(_installed(self.env, TIMESHEET_CHAIN).mapped("name"))
        self.assertNotIn("account.analytic.line", self.env)
        self.assertFalse(
            self.env["helpdesk.ticket.workunit"]._mailgate_timesheets_installed()
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_follow_up_keeps_work_unit_only(self):
        """A follow-up makes its work unit as before: no timesheet note in the
        mail log, no answer to the sender."""
        ticket = self.open_ticket("Sin hojas de horas")
        with self.mock_mail_gateway():
            self.reply(ticket, "Revisado el servidor de correo.")
        self.assertEqual(ticket.workunit_ids.hours, 0.25)
        self.assertFalse(ticket.workunit_ids.timesheet_line_id)
        self.assertFalse(ticket.workunit_ids.timesheet_line_name)
        log = self.mail_log("Re: Sin hojas de horas")
        self.assertEqual(log.commands, "Work unit: 0.25 h")
        self.assertNotIn("imesheet", log.error or "")
        self.assertFalse(_answers(self._new_mails))


@tagged("post_install", "-at_install", "-standard", "mailgate_timesheet")
class TestTimesheets(MailgateCase):
    """With helpdesk_mgmt_timesheet, mailed time is in the timesheets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not _installed(cls.env, ["helpdesk_mgmt_timesheet"]):
            # Odoo's runner only selects this class (tag mailgate_timesheet) in
            # the pass that installs the module; pytest-odoo reads no tags.
            raise unittest.SkipTest("needs helpdesk_mgmt_timesheet installed")
        cls.agent.write(
            {
                "groups_id": [
                    (4, cls.env.ref("hr_timesheet.group_hr_timesheet_user").id),
                    (4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id),
                ],
                "tz": "Europe/Madrid",
            }
        )
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Olga Operadora", "user_id": cls.agent.id}
        )
        cls.project_support = cls.env["project.project"].create(
            {"name": "Soporte 2026", "allow_timesheets": True}
        )
        cls.project_contract = cls.env["project.project"].create(
            {"name": "Contrato ACME", "allow_timesheets": True}
        )
        cls.team_support.write(
            {
                "allow_timesheet": True,
                "default_project_id": cls.project_support.id,
            }
        )
        # An agent with an employee but no timesheet rights at all.
        cls.agent_no_timesheets = mail_new_test_user(
            cls.env,
            login="mailgate_agent_nots",
            name="Nuria Sinhoras",
            email="nuria.sinhoras@test.example.com",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.env["hr.employee"].create(
            {"name": "Nuria Sinhoras", "user_id": cls.agent_no_timesheets.id}
        )
        cls.team_support.user_ids = [(4, cls.agent_no_timesheets.id)]

    def _lines(self, ticket):
        return self.env["account.analytic.line"].search([("ticket_id", "=", ticket.id)])

    def _answers(self):
        return _answers(self._new_mails)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_agent_reply_becomes_timesheet_line(self):
        """An agent's reply with the default time is a timesheet line of the
        ticket: the team's project, the agent's employee, the mail's date,
        0.25 h, the comment's first line; the work unit links to it."""
        ticket = self.open_ticket("Hoja de horas por correo")
        with self.mock_mail_gateway():
            self.reply(
                ticket,
                "Reiniciado el servidor de correo.\n\nAhora funciona.\nOlga",
            )
        line = self._lines(ticket)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.project_id, self.project_support)
        self.assertEqual(line.employee_id, self.employee)
        self.assertEqual(line.user_id, self.agent)
        self.assertEqual(line.unit_amount, 0.25)
        self.assertEqual(line.name, "Reiniciado el servidor de correo.")
        self.assertEqual(line.date, MAIL_DATE.date())
        self.assertEqual(line.date_time, MAIL_DATE)
        self.assertEqual(line.account_id, self.project_support.account_id)
        workunit = ticket.workunit_ids
        self.assertEqual(workunit.timesheet_line_id, line.id)
        self.assertEqual(workunit.timesheet_line_model, "account.analytic.line")
        self.assertEqual(
            workunit.timesheet_line_name, "Soporte 2026, Olga Operadora: 0.25 h"
        )
        self.assertEqual(ticket.time_used, 0.25)
        self.assertEqual(ticket.total_hours, 0.25)
        log = self.mail_log("Re: Hoja de horas por correo")
        self.assertEqual(
            log.commands,
            "Work unit: 0.25 h\nTimesheet: 0.25 h for Olga Operadora on Soporte 2026.",
        )
        self.assertFalse(self._answers(), "nothing to answer")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_workunit_block_on_ticket_project_in_sender_day(self):
        """[WORKUNIT] TIME_USED: 1h30 is a 1.5 h line on the ticket's own
        project (before the team's), dated on the sender's day, described by
        the comment without the block."""
        ticket = self.open_ticket("Hoja de horas con bloque")
        ticket.project_id = self.project_contract
        # UTC+14: the mail's 10:00 UTC is already the next day there.
        self.agent.tz = "Pacific/Kiritimati"
        self.reply(
            ticket,
            "[WORKUNIT]\nTIME_USED: 1h30\n[WORKUNIT]\n\nMigrados los buzones.",
        )
        line = self._lines(ticket)
        self.assertEqual(line.project_id, self.project_contract)
        self.assertEqual(line.unit_amount, 1.5)
        self.assertEqual(line.name, "Migrados los buzones.")
        self.assertEqual(line.date, datetime.date(2026, 12, 1))
        self.assertEqual(ticket.workunit_ids.hours, 1.5)
        self.assertEqual(ticket.workunit_ids.timesheet_line_id, line.id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_new_ticket_workunit_block(self):
        """An agent's new-ticket mail with a [WORKUNIT] block logs its time
        in the timesheet of the team's project too."""
        ticket = self.send_to_queue(
            "Alta de buzón con horas",
            email_from=self.agent.email_formatted,
            body="Creado el buzón de ventas.\n\n[WORKUNIT]\nTIME_USED: 2\n[WORKUNIT]",
        )
        line = self._lines(ticket)
        self.assertEqual(ticket.workunit_ids.hours, 2)
        self.assertEqual(line.unit_amount, 2)
        self.assertEqual(line.project_id, self.project_support)
        self.assertEqual(line.name, "Creado el buzón de ventas.")
        self.assertEqual(ticket.workunit_ids.timesheet_line_id, line.id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_same_mail_twice_one_line(self):
        """The same mail (same Message-ID) arriving twice makes one line."""
        ticket = self.open_ticket("Correo repetido con horas")
        msg_id = self.new_message_id()
        self.reply(ticket, "Revisado.", msg_id=msg_id)
        self.reply(ticket, "Revisado.", msg_id=msg_id)
        self.assertEqual(len(ticket.workunit_ids), 1)
        self.assertEqual(len(self._lines(ticket)), 1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_totals_count_mail_and_hand_lines(self):
        """time_used counts every work unit (the customer's too); the
        ticket's timesheet total counts exactly the lines made from mail plus
        those entered by hand."""
        ticket = self.open_ticket("Totales de horas")
        self.reply(ticket, "[WORKUNIT]\nTIME_USED: 0,5\n[WORKUNIT]\nPrimera revisión.")
        self.reply(ticket, "Segunda revisión.")
        self.reply(ticket, "Gracias.", email_from=self.customer.email_formatted)
        self.env["account.analytic.line"].with_user(self.agent).create(
            {
                "ticket_id": ticket.id,
                "project_id": self.project_support.id,
                "name": "Llamada telefónica",
                "unit_amount": 1.0,
            }
        )
        ticket.invalidate_recordset()
        self.assertEqual(sorted(ticket.workunit_ids.mapped("hours")), [0.25, 0.25, 0.5])
        self.assertEqual(ticket.time_used, 1.0)
        self.assertEqual(
            sorted(ticket.timesheet_ids.mapped("unit_amount")), [0.25, 0.5, 1.0]
        )
        self.assertEqual(ticket.total_hours, 1.75)
        linked = ticket.workunit_ids.filtered("timesheet_line_id")
        self.assertEqual(
            set(linked.mapped("timesheet_line_id")),
            set(ticket.timesheet_ids.filtered(lambda t: t.unit_amount < 1).ids),
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_customer_keeps_work_unit_only(self):
        """A customer's follow-up keeps a work unit only; the mail log says
        why no timesheet was made, and the customer gets no answer."""
        ticket = self.open_ticket("Horas de la clienta")
        with self.mock_mail_gateway():
            self.reply(ticket, "Sigue igual.", email_from=self.customer.email_formatted)
        self.assertEqual(ticket.workunit_ids.hours, 0.25)
        self.assertFalse(ticket.workunit_ids.timesheet_line_id)
        self.assertFalse(self._lines(ticket))
        log = self.mail_log("Re: Horas de la clienta")
        self.assertIn("No timesheet: the sender is not an employee", log.commands)
        self.assertFalse(_answers(self._new_mails))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_internal_user_without_employee_keeps_work_unit_only(self):
        """An internal user without an employee keeps a work unit only, and
        the mail log names the user and the company."""
        no_employee = mail_new_test_user(
            self.env,
            login="mailgate_noemployee",
            name="Pedro Sinficha",
            email="pedro.sinficha@test.example.com",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user,"
            "hr_timesheet.group_hr_timesheet_user",
        )
        ticket = self.open_ticket("Horas sin empleado")
        with self.mock_mail_gateway():
            self.reply(ticket, "Mirado.", email_from=no_employee.email_formatted)
        self.assertEqual(ticket.workunit_ids.user_id, no_employee)
        self.assertFalse(self._lines(ticket))
        log = self.mail_log("Re: Horas sin empleado")
        self.assertIn(
            f"No timesheet: Pedro Sinficha has no employee in {ticket.company_id.name}",
            log.commands,
        )
        self.assertFalse(_answers(self._new_mails))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_agent_without_timesheet_rights_gets_answer(self):
        """An agent who may not record timesheets gets an answer saying the
        line was not made; the comment, the [INCIDENT] change and the work
        unit land, and the mail log says so."""
        ticket = self.open_ticket("Horas sin permiso")
        with self.mock_mail_gateway():
            comment = self.reply(
                ticket,
                "Lo miro hoy.\n\n[INCIDENT]\nPRIORITY: 3\n[INCIDENT]",
                email_from=self.agent_no_timesheets.email_formatted,
            )
        self.assertIn("Lo miro hoy.", comment.body)
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.workunit_ids.user_id, self.agent_no_timesheets)
        self.assertFalse(ticket.workunit_ids.timesheet_line_id)
        self.assertFalse(self._lines(ticket))
        answer = self._answers()
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.email_to, self.agent_no_timesheets.email_formatted)
        self.assertIn(
            f"Your mail was added to ticket {ticket.number}", answer.body_html
        )
        self.assertNotIn("were not applied", answer.body_html)
        log = self.mail_log("Re: Horas sin permiso")
        self.assertEqual(log.state, "updated")
        self.assertIn("no timesheet line was made", log.error)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_timesheet_rule_of_private_project_is_kept(self):
        """The line is created with the sender's rights: on a project visible
        to its followers only, an agent who does not follow it gets no line
        (the timesheet rule holds, no superuser), and an answer."""
        private = self.env["project.project"].create(
            {"name": "Proyecto reservado", "privacy_visibility": "followers"}
        )
        ticket = self.open_ticket("Horas en proyecto reservado")
        ticket.project_id = private
        with self.mock_mail_gateway():
            self.reply(ticket, "Revisado.")
        self.assertTrue(ticket.workunit_ids)
        self.assertFalse(self._lines(ticket))
        self.assertEqual(len(self._answers()), 1)
        private.message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.reply(ticket, "Revisado otra vez.")
        self.assertEqual(self._lines(ticket).project_id, private)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_failed_timesheets_keep_mail_and_work_unit(self):
        """A project that cannot take the line (none, archived, timesheets
        off, no or an archived analytic account) loses neither the comment
        nor the work unit: the log and the answer say what was not done."""
        archived = self.env["project.project"].create({"name": "Proyecto cerrado"})
        archived.action_archive()
        no_timesheets = self.env["project.project"].create(
            {"name": "Proyecto sin horas", "allow_timesheets": False}
        )
        disabled = self.env["project.project"].create({"name": "Proyecto apagado"})
        disabled.allow_timesheets = False
        inactive_account = self.env["project.project"].create(
            {"name": "Proyecto con cuenta archivada"}
        )
        inactive_account.account_id.active = False
        no_project_team = self._create_team(
            "Sin proyecto", "sinproyecto", allow_timesheet=True
        )
        cases = [
            ("archived", archived, self.team_support, "is archived"),
            ("off", no_timesheets, self.team_support, "has no analytic account"),
            ("disabled", disabled, self.team_support, "does not record timesheets"),
            ("account", inactive_account, self.team_support, "active analytic"),
            ("none", None, no_project_team, "has no default project"),
        ]
        for name, project, team, reason in cases:
            with self.subTest(name):
                ticket = self.open_ticket(f"Horas fallidas {name}")
                ticket.write({"team_id": team.id, "project_id": project and project.id})
                with self.mock_mail_gateway():
                    comment = self.reply(
                        ticket, f"Trabajo {name}.", to=team.alias_email
                    )
                self.assertIn(f"Trabajo {name}.", comment.body)
                self.assertEqual(ticket.workunit_ids.hours, 0.25)
                self.assertFalse(ticket.workunit_ids.timesheet_line_id)
                self.assertFalse(self._lines(ticket))
                log = self.mail_log(f"Re: Horas fallidas {name}")
                self.assertEqual(log.state, "updated")
                self.assertIn(reason, log.error)
                self.assertIn(reason, self._answers().body_html)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_team_without_timesheets_changes_nothing(self):
        """On a team that does not allow timesheets a follow-up keeps its
        work unit only, without a word about timesheets."""
        ticket = self.open_ticket(
            "Equipo sin hojas de horas", to=self.queue_engineering
        )
        self.team_engineering.user_ids = [(4, self.agent.id)]
        with self.mock_mail_gateway():
            self.reply(ticket, "Mirado.", to=self.queue_engineering)
        self.assertEqual(ticket.workunit_ids.hours, 0.25)
        self.assertFalse(self._lines(ticket))
        self.assertEqual(
            self.mail_log("Re: Equipo sin hojas de horas").commands,
            "Work unit: 0.25 h",
        )
        self.assertFalse(_answers(self._new_mails))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_line_deleted_by_hand_leaves_work_unit(self):
        """A line deleted in the timesheet leaves the work unit and its time;
        the work unit no longer shows a line."""
        ticket = self.open_ticket("Línea borrada a mano")
        self.reply(ticket, "Hecho.")
        self._lines(ticket).with_user(self.agent).unlink()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.time_used, 0.25)
        self.assertEqual(ticket.total_hours, 0)
        self.assertFalse(ticket.workunit_ids.timesheet_line_name)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_masked_description(self):
        """With masking on, the line's description is the masked comment."""
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mgmt_mailgate.mask_email_addresses", True
        )
        ticket = self.open_ticket("Descripción enmascarada")
        self.reply(ticket, "Escrito a jefe@secreto.example.org sobre el corte.")
        self.assertEqual(
            self._lines(ticket).name, "Escrito a xxxx@xxxx.xxx sobre el corte."
        )
