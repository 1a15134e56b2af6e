# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketResolution(models.Model):
    """How a ticket ended (Integria's "Resolución"): Fixed, Invalid, ...

    Agents set it from the form or with ``RESOLUTION:`` in an ``[INCIDENT]``
    block."""

    _name = "helpdesk.ticket.resolution"
    _description = "Helpdesk Ticket Resolution"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_unique", "unique(name)", "A resolution with this name already exists."),
    ]
