# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketWorkunit(models.Model):
    """Time spent on a ticket by one follow-up (Integria's "Workunit").

    Every follow-up mail creates one, a customer's too, with the hours of its
    ``[WORKUNIT] TIME_USED`` or the default time setting."""

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
    hours = fields.Float(digits=(16, 2), required=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)

    _sql_constraints = [
        ("hours_positive", "CHECK(hours > 0)", "A work unit's time must be positive."),
    ]

    @api.depends("ticket_id", "hours")
    def _compute_display_name(self):
        for workunit in self:
            workunit.display_name = f"{workunit.ticket_id.number}: {workunit.hours} h"
