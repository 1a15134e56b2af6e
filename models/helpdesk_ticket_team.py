# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.tools import email_normalize

from odoo.addons.mail.tools.alias_error import AliasError

from ..tools import headers

DEFAULT_MAX_ATTACHMENT_MB = 25.0


class HelpdeskTicketTeam(models.Model):
    """A team's alias is its mail queue (Integria's "Cola de correo").

    The ``mailgate_*`` fields are the queue's defaults for the tickets its
    mails create, and its policy for senders who have no user.
    """

    _inherit = "helpdesk.ticket.team"

    mailgate_default_stage_id = fields.Many2one(
        comodel_name="helpdesk.ticket.stage",
        string="Status of new tickets",
        domain="['|', ('team_ids', '=', False), ('team_ids', '=', id)]",
        help="Status (stage) of the tickets created from mail to this queue. "
        "Empty: the team's first stage.",
    )
    mailgate_default_category_id = fields.Many2one(
        comodel_name="helpdesk.ticket.category",
        string="Ticket type",
        help="Type (category) of the tickets created from mail to this queue.",
    )
    mailgate_default_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Owner",
        domain="[('share', '=', False), ('id', 'in', user_ids)]",
        help="Team member assigned to the tickets created from mail to this queue.",
    )
    mailgate_unknown_sender = fields.Selection(
        selection=[
            ("contact", "Create the ticket for a contact"),
            ("user", "Create a portal user"),
            ("reject", "Reject the mail"),
        ],
        string="Senders without a user",
        default="contact",
        required=True,
        help="What a new mail from an address that has no user gets: a ticket "
        "for a contact found or created for the address; a portal user created "
        "for the address, who becomes the ticket's creator; or no ticket and a "
        "refusal sent to the sender.",
    )
    mailgate_max_attachment_mb = fields.Float(
        string="Attachment size limit (MB)",
        default=DEFAULT_MAX_ATTACHMENT_MB,
        help="Attachments larger than this are not stored: the comment says "
        "which file was dropped and the sender is told. 0: no limit.",
    )
    mailgate_require_authentication = fields.Boolean(
        string="Commands only from authenticated senders",
        help="Apply [INCIDENT] and [WORKUNIT] blocks only from mail that a "
        "trusted server authenticated (DMARC pass, or a DKIM signature aligned "
        "with the From domain, in its Authentication-Results header). Other "
        "mail lands as a comment and its sender is told why.",
    )
    mailgate_trusted_authserv_ids = fields.Char(
        string="Trusted authentication servers",
        help="Comma-separated authserv-id of your inbound mail servers, as "
        "they write it first in the Authentication-Results header "
        "(e.g. mx.example.com).",
    )
    mailgate_invite_new_users = fields.Boolean(
        string="Invite created users",
        help="Send the portal invitation (password set-up mail) to the users "
        "created for unknown senders. Off: they are created silently.",
    )

    # ------------------------------------------------------------
    # Mail queue
    # ------------------------------------------------------------

    def _alias_get_error(self, message, message_dict, alias):
        """Refuse new tickets from senders without a user when this team
        rejects unknown senders; Odoo then sends the refusal
        (``mail.alias._get_alias_bounced_body_fallback``).

        Odoo asks the alias's parent record, this team, about mail that
        would create a record; replies to a ticket ask the ticket instead, so
        they are never refused here.
        """
        error = super()._alias_get_error(message, message_dict, alias)
        if error or self.mailgate_unknown_sender != "reject":
            return error
        facts = headers.facts_of(message_dict, email_normalize)
        sender_email = facts.sender
        if sender_email and self.env["res.users"].sudo().search_count(
            [("email_normalized", "=", sender_email)], limit=1
        ):
            return error
        reason = self.env._("this queue only accepts mail from registered users")
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            facts, "rejected", team=self, note=reason
        )
        return AliasError("mailgate_unknown_sender", reason)

    @api.model
    def _mailgate_team_of_alias(self, alias):
        """Return the team whose mail queue is ``alias`` (empty if none)."""
        if not alias or alias.alias_model_id.model != "helpdesk.ticket":
            return self.browse()
        return self.sudo().search([("alias_id", "=", alias.id)], limit=1)

    def _mailgate_attachment_limit_mb(self):
        """The size limit of one attachment of a mail to this queue, in MB
        (0: none); the default limit for no team (an empty recordset)."""
        return self.mailgate_max_attachment_mb if self else DEFAULT_MAX_ATTACHMENT_MB

    def _mailgate_ticket_values(self):
        """Values of a ticket created from a mail to this team's queue."""
        self.ensure_one()
        values = {"team_id": self.id}
        if self.mailgate_default_stage_id:
            values["stage_id"] = self.mailgate_default_stage_id.id
        if self.mailgate_default_category_id:
            values["category_id"] = self.mailgate_default_category_id.id
        if self.mailgate_default_user_id:
            values["user_id"] = self.mailgate_default_user_id.id
        if self.company_id:
            values["company_id"] = self.company_id.id
        return values

    def _mailgate_create_portal_user(self, email, name, partner=None):
        """Create the portal user of an unknown sender, for this team's queue.

        :param str email: the sender's normalized address, used as login;
        :param str name: the sender's display name (the address when empty);
        :param partner: the sender's existing contact, reused when given;
        :return: the new ``res.users`` (portal, never internal)
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        values = {
            "login": email,
            "email": email,
            "name": name or email,
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
        }
        if partner:
            values["partner_id"] = partner.id
        user = (
            self.env["res.users"]
            .sudo()
            .with_context(no_reset_password=True)
            .create(values)
        )
        if self.mailgate_invite_new_users:
            user.with_context(create_user=True).action_reset_password()
        return user

    @api.model
    def _mailgate_domain_addresses(self):
        """The catchall and bounce addresses of every alias domain: they must
        never become followers (aliases are left out by Odoo itself)."""
        domains = self.env["mail.alias.domain"].sudo().search([])
        return set(
            filter(
                None, domains.mapped("catchall_email") + domains.mapped("bounce_email")
            )
        )

    def _mailgate_other_queues(self, facts):
        """Other teams whose queue the mail of ``facts`` (``MailFacts``) is
        also addressed to (To or Cc)."""
        addresses = set(facts.recipient_addresses)
        if len(addresses) < 2:
            return self.browse()
        return (
            self.sudo().search([("alias_id.alias_full_name", "in", list(addresses))])
            - self
        )
