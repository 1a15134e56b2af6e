# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from odoo import fields, models

_logger = logging.getLogger(__name__)

# How long the helpdesk's mails wait for an outgoing server that cannot be
# reached, as an MTA keeps a mail in its queue (Postfix: 5 days).
SMTP_RETRY_DAYS = 5
HELPDESK_MODELS = ("helpdesk.ticket", "helpdesk.ticket.team")


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """Keep the helpdesk's mails queued while the outgoing server cannot
        be reached.

        When Odoo cannot connect to the SMTP server it marks the whole batch
        "Delivery Failed" (``failure_type`` ``mail_smtp``, used for that case
        only), and nothing sends it again: the customer's answers and the
        notifications of an outage would be lost until someone clicks
        *Retry* on each. A helpdesk mail younger than ``SMTP_RETRY_DAYS``
        goes back to the outgoing queue instead, and the mail queue's cron
        sends it once the server answers; its notifications show the failure
        meanwhile.
        """
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        if failure_type == "mail_smtp":
            oldest = fields.Datetime.now() - timedelta(days=SMTP_RETRY_DAYS)
            queued = self.exists().filtered(
                lambda mail: mail.state == "exception"
                and mail.model in HELPDESK_MODELS
                and (mail.create_date or fields.Datetime.now()) >= oldest
            )
            if queued:
                _logger.info(
                    "Outgoing mail server unreachable: %s helpdesk mail(s) stay "
                    "queued for the next run (mail.mail %s)",
                    len(queued),
                    queued.ids,
                )
                queued.sudo().write({"state": "outgoing"})
        return result
