# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

REFUSAL_TEMPLATE = "helpdesk_mgmt_mailgate.mail_template_mailgate_refusal"


class MailAlias(models.Model):
    _inherit = "mail.alias"

    def _get_alias_bounced_body_fallback(self, message_dict):
        """A helpdesk queue that rejects unknown senders says so and why, in
        the words of the template ``mail_template_mailgate_refusal`` (Odoo
        renders it in the sender's language)."""
        team = self.env["helpdesk.ticket.team"]._mailgate_team_of_alias(self)
        template = self.env.ref(REFUSAL_TEMPLATE, raise_if_not_found=False)
        if team.mailgate_unknown_sender != "reject" or not template:
            return super()._get_alias_bounced_body_fallback(message_dict)
        return template._render_field(
            "body_html",
            team.ids,
            add_context={
                "queue": self.display_name,
                "sender": message_dict.get("email_from"),
            },
        )[team.id]
