# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Move the raw source of kept mails from attachments into the log's row.

Up to 18.0.1.0.0 ``helpdesk.mailgate.log.raw_source`` was stored as an
attachment, which helpdesk users could read through ``ir.attachment``. The
field is now a column; the attachments are copied into it, then deleted.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    attachments = (
        env["ir.attachment"]
        .with_context(skip_res_field_check=True)
        .search(
            [
                ("res_model", "=", "helpdesk.mailgate.log"),
                ("res_field", "=", "raw_source"),
            ]
        )
    )
    for attachment in attachments:
        log = env["helpdesk.mailgate.log"].browse(attachment.res_id).exists()
        if log and not log.raw_source:
            log.raw_source = attachment.datas
    attachments.unlink()
