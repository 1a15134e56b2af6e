# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from dataclasses import dataclass

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import command_block, html_text, quoting

_logger = logging.getLogger(__name__)

TIMESHEET_MODEL = "account.analytic.line"
MAX_TIMESHEET_NAME = 200  # characters of the comment's first line kept


@dataclass(frozen=True)
class TimesheetOutcome:
    """What logging a work unit's time in the timesheets did.

    :ivar note: for the mail log: the line made, or why none was made
        (a sender without an employee); empty when timesheets are not in
        use for the ticket;
    :ivar problem: for the sender and the mail log: the timesheet line that
        should have been made and was not, and why; empty when none failed.
    """

    note: str = ""
    problem: str = ""


class HelpdeskTicketWorkunit(models.Model):
    """Time spent on a ticket by one follow-up (Integria's "Workunit").

    Every follow-up mail creates one, a customer's too, with the hours of its
    ``[WORKUNIT] TIME_USED`` or the default time setting. When OCA's
    ``helpdesk_mgmt_timesheet`` is installed and the ticket's team allows
    timesheets, the time of an employee's work unit is also a timesheet line
    of the ticket (:meth:`_mailgate_log_timesheet`)."""

    _name = "helpdesk.ticket.workunit"
    _description = "Helpdesk Ticket Work Unit"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        required=True,
        ondelete="cascade",
        index=True,
    )
    message_id = fields.Char(
        string="Message-ID",
        index="btree_not_null",
        help="The Message-ID of the mail that logged this time.",
    )
    user_id = fields.Many2one(comodel_name="res.users", string="User", index=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Author")
    hours = fields.Float(digits=(16, command_block.HOURS_DIGITS), required=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    # Timesheets are an optional module: the link is an id without a foreign
    # key, so this model never depends on account.analytic.line existing, and
    # installing or uninstalling helpdesk_mgmt_timesheet (or the timesheet
    # apps) in any order never touches this table.
    timesheet_line_id = fields.Many2oneReference(
        string="Timesheet Line",
        model_field="timesheet_line_model",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The timesheet line made from this work unit, when the helpdesk "
        "records timesheets (helpdesk_mgmt_timesheet).",
    )
    timesheet_line_model = fields.Char(
        compute="_compute_timesheet_line_model",
        help="Model of the timesheet line: account.analytic.line.",
    )
    timesheet_line_name = fields.Char(
        string="Timesheet",
        compute="_compute_timesheet_line_name",
        help="The timesheet line made from this work unit: its project, "
        "employee and hours; empty when there is none (any more).",
    )

    _sql_constraints = [
        ("hours_positive", "CHECK(hours > 0)", "A work unit's time must be positive."),
    ]

    @api.depends("ticket_id", "hours")
    def _compute_display_name(self):
        for workunit in self:
            workunit.display_name = f"{workunit.ticket_id.number}: {workunit.hours} h"

    def _compute_timesheet_line_model(self):
        self.timesheet_line_model = TIMESHEET_MODEL

    @api.depends("timesheet_line_id")
    def _compute_timesheet_line_name(self):
        lines_model = self.env.get(TIMESHEET_MODEL)
        for workunit in self:
            line = (
                lines_model.browse(workunit.timesheet_line_id).exists()
                if lines_model is not None and workunit.timesheet_line_id
                else None
            )
            workunit.timesheet_line_name = (
                self.env._(
                    "%(project)s, %(employee)s: %(hours)s h",
                    project=line.sudo().project_id.display_name or "-",
                    employee=line.sudo().employee_id.name or "-",
                    hours=line.sudo().unit_amount,
                )
                if line
                else False
            )

    # ------------------------------------------------------------
    # Logging a mail's time
    # ------------------------------------------------------------

    @api.model
    def _mailgate_log_work(
        self, ticket, facts, user, author, hours, as_sender, comment
    ):
        """Create the work unit of a mail on ``ticket``, and its timesheet
        line when the helpdesk records timesheets.

        The same mail never comes here twice: Odoo's gateway drops a
        Message-ID it already has, and a failed mail's work unit is rolled
        back with the rest of it.

        :param facts: the mail's ``MailFacts``;
        :param user: the sender's ``res.users`` (empty for no user);
        :param author: the sender's ``res.partner`` (empty: the user's);
        :param float hours: the time to log, more than 0;
        :param bool as_sender: create it as ``user``, with their rights (the
            time of a ``[WORKUNIT]`` block), else as the gateway (the default
            time every follow-up counts, a customer's too);
        :param str comment: the comment as posted (blocks removed, masked
            when masking is on): its first line describes the timesheet line;
        :return: the :class:`TimesheetOutcome` of the timesheet line
        """
        workunits = self.with_user(user) if as_sender else self.sudo()
        workunit = workunits.create(
            {
                "ticket_id": ticket.id,
                "message_id": facts.message_id or False,
                "user_id": user.id,
                "partner_id": author.id or user.partner_id.id,
                "hours": hours,
            }
        )
        return workunit._mailgate_log_timesheet(user, comment, facts.date)

    # ------------------------------------------------------------
    # Timesheets
    # ------------------------------------------------------------

    @api.model
    def _mailgate_timesheets_installed(self):
        """Whether tickets have timesheet lines: OCA's helpdesk_mgmt_timesheet
        is installed (this addon does not depend on it)."""
        lines_model = self.env.get(TIMESHEET_MODEL)
        return (
            lines_model is not None
            and "ticket_id" in lines_model._fields
            and "allow_timesheet" in self.env["helpdesk.ticket.team"]._fields
        )

    def _mailgate_log_timesheet(self, user, comment, mail_date=None):
        """Record this work unit's time as a timesheet line of its ticket.

        Only when helpdesk_mgmt_timesheet is installed and the ticket's team
        allows timesheets. The line goes to the ticket's project, else the
        team's, for the sender's employee, dated at the mail's date, with the
        hours of the work unit and the comment's first line as description.
        It is created as ``user``, with their rights on timesheets and the
        timesheet rules (never as superuser), in a savepoint: a line that
        cannot be made changes nothing else, and the work unit stays.

        :param user: the sender's ``res.users`` (empty for none);
        :param comment: the comment posted from the mail (HTML, masked);
        :param str mail_date: the mail's date as the gateway parsed it (UTC),
            else the work unit's date is taken;
        :return: :class:`TimesheetOutcome`
        """
        self.ensure_one()
        ticket = self.ticket_id
        if (
            not self._mailgate_timesheets_installed()
            or not ticket.team_id.sudo().allow_timesheet
        ):
            return TimesheetOutcome()
        if not user or user.share:
            return TimesheetOutcome(
                note=self.env._(
                    "No timesheet: the sender is not an employee of the helpdesk "
                    "(work unit only)."
                )
            )
        # The team's project is company-dependent: the ticket's company's.
        team = ticket.team_id.with_company(ticket.company_id).sudo()
        project = (ticket.project_id or team.default_project_id).sudo()
        company = project.company_id or ticket.company_id
        employee = (
            self.env["hr.employee"]
            .sudo()
            .search(
                [("user_id", "=", user.id), ("company_id", "=", company.id)], limit=1
            )
        )
        if not employee:
            return TimesheetOutcome(
                note=self.env._(
                    "No timesheet: %(user)s has no employee in %(company)s "
                    "(work unit only).",
                    user=user.name,
                    company=company.name,
                )
            )
        reason = self._mailgate_timesheet_project_refusal(project)
        if reason:
            return self._mailgate_timesheet_failure(reason)
        values = {
            "ticket_id": ticket.id,
            "project_id": project.id,
            "task_id": ticket.task_id.id,
            "employee_id": employee.id,
            "unit_amount": self.hours,
            "name": self._mailgate_timesheet_name(comment),
            **self._mailgate_timesheet_date_values(user, mail_date),
        }
        try:
            with self.env.cr.savepoint():
                line = (
                    self.env[TIMESHEET_MODEL]
                    .with_user(user)
                    .with_company(company)
                    .create(values)
                )
        # IntegrityError: a required field another module adds to the lines.
        except (AccessError, UserError, IntegrityError) as error:
            _logger.info(
                "No timesheet line for work unit %s of ticket %s by %s: %s",
                self.id,
                ticket.number,
                user.login,
                error,
            )
            return self._mailgate_timesheet_failure(
                getattr(error, "args", [str(error)])[0]
            )
        self.timesheet_line_id = line.id
        return TimesheetOutcome(
            note=self.env._(
                "Timesheet: %(hours)s h for %(employee)s on %(project)s.",
                hours=self.hours,
                employee=employee.name,
                project=project.display_name,
            )
        )

    def _mailgate_timesheet_project_refusal(self, project):
        """Why no timesheet line can go to ``project`` (a sudo record), or "".

        hr_timesheet itself lets lines land on an archived project; a helpdesk
        that invoices its hours does not want time logged there."""
        ticket = self.ticket_id
        if not project:
            return self.env._(
                "the ticket has no project, and its team %(team)s has no default "
                "project.",
                team=ticket.team_id.name,
            )
        if not project.active:
            return self.env._(
                "the project %(project)s is archived.", project=project.display_name
            )
        if not project.account_id:
            return self.env._(
                "the project %(project)s has no analytic account, so it records "
                "no timesheets.",
                project=project.display_name,
            )
        if not project.allow_timesheets:
            return self.env._(
                "the project %(project)s does not record timesheets.",
                project=project.display_name,
            )
        return ""

    def _mailgate_timesheet_failure(self, reason):
        return TimesheetOutcome(
            problem=self.env._(
                "Your time (%(hours)s h) was recorded as a work unit of ticket "
                "%(number)s, but no timesheet line was made: %(reason)s",
                hours=self.hours,
                number=self.ticket_id.number,
                reason=reason,
            )
        )

    def _mailgate_timesheet_name(self, comment):
        """The description of a timesheet line: the first line of the
        comment's new text (quoted history left out), else the ticket's."""
        text = quoting.cut_quoted_history(html_text.html_to_text(str(comment or "")))
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if len(first) > MAX_TIMESHEET_NAME:
            first = first[: MAX_TIMESHEET_NAME - 1].rstrip() + "…"
        return first or f"{self.ticket_id.number} {self.ticket_id.name}"

    def _mailgate_timesheet_date_values(self, user, mail_date):
        """The date values of the line: the mail's date (never in the future:
        a sender's clock may be wrong), as a day in the sender's time zone,
        and as the start time when project_timesheet_time_control adds one."""
        when = self.date
        if mail_date:
            try:
                when = min(
                    fields.Datetime.to_datetime(mail_date), fields.Datetime.now()
                )
            except ValueError:
                _logger.info("Unreadable mail date %r: work unit date taken", mail_date)
        lines_model = self.env[TIMESHEET_MODEL].with_user(user)
        values = {"date": fields.Date.context_today(lines_model, when)}
        if "date_time" in lines_model._fields:
            values["date_time"] = when
        return values
