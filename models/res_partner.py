# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's mail gateway looks every sender and recipient up by this field
    # (mail.thread._mail_find_partner_from_emails), for every mail; without an
    # index each look-up reads the whole contact table, and this module adds
    # a contact for every new sender and Cc'd address.
    email_normalized = fields.Char(index="btree_not_null")
