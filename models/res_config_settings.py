# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mailgate_mask_email_addresses = fields.Boolean(
        string="Mask email addresses",
        config_parameter="helpdesk_mgmt_mailgate.mask_email_addresses",
        help="Replace every email address written in the body of a comment or "
        "description that comes from a mail by xxxx@xxxx.xxx.",
    )
    mailgate_default_time_used = fields.Float(
        string="Default time of a follow-up (hours)",
        config_parameter="helpdesk_mgmt_mailgate.default_time_used",
        help="Hours of the work unit of a follow-up mail without a [WORKUNIT] "
        "block. 0 disables automatic work units.",
    )
    mailgate_log_retention_days = fields.Integer(
        string="Keep the mail log (days)",
        config_parameter="helpdesk_mgmt_mailgate.log_retention_days",
        help="Records of processed and ignored mails older than this are purged "
        "every day; failed and rejected ones stay until a manager deletes them. "
        "0 keeps everything.",
    )
