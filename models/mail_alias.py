# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import models


class MailAlias(models.Model):
    _inherit = "mail.alias"

    def _get_alias_bounced_body_fallback(self, message_dict):
        """A helpdesk queue that rejects unknown senders says so and why."""
        team = self.env["helpdesk.ticket.team"]._mailgate_team_of_alias(self)
        if team.mailgate_unknown_sender != "reject":
            return super()._get_alias_bounced_body_fallback(message_dict)
        return Markup("<p>%s</p><p>%s</p>") % (
            self.env._(
                "Your message to %(queue)s did not open a ticket: this helpdesk "
                "queue only accepts mail from its registered users, and the "
                "address %(sender)s has no user.",
                queue=self.display_name,
                sender=message_dict.get("email_from"),
            ),
            self.env._(
                "Please write from the address of your account, or ask the "
                "helpdesk team to register you."
            ),
        )
