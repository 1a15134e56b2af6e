# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from email.utils import getaddresses

from odoo import api, models
from odoo.tools import email_normalize

from ..tools import reference


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Create the ticket of a new mail to a team's queue (SPEC section 2).

        The queue's defaults fill in what the alias defaults leave unset. The
        ticket is created as the sender's user: the one found by Odoo's
        gateway, or a portal user created here when the team's policy for
        unknown senders is ``user``. Otherwise the sender gets a contact,
        found or created, which becomes the ticket's contact and the author of
        its first message (``msg_dict["author_id"]`` is updated for that, as
        Odoo's own routing does).
        """
        values = dict(custom_values or {})
        team = self.env["helpdesk.ticket.team"].browse(values.get("team_id")).exists()
        if team:
            values = {**team._mailgate_ticket_values(), **values}
        sender_email = email_normalize(msg_dict.get("email_from") or "")
        sender_name = self._mailgate_sender_name(msg_dict)
        ticket_model = self
        if sender_email:
            user, partner = self._mailgate_find_or_create_sender(
                team, sender_email, sender_name
            )
            if user and user != self.env.user:
                ticket_model = self.with_user(user).sudo()
            msg_dict["author_id"] = partner.id
            values.setdefault("partner_id", partner.id)
            values.setdefault("partner_name", partner.name)
        # The primary email field takes the From header as is: store the address.
        msg_for_values = dict(msg_dict, email_from=sender_email)
        ticket = super(HelpdeskTicket, ticket_model).message_new(
            msg_for_values, custom_values=values
        )
        ticket._mailgate_subscribe_participants(msg_dict)
        other_queues = team._mailgate_other_queues(msg_dict) if team else team
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            msg_dict,
            "created",
            team=team,
            ticket=ticket,
            note=other_queues
            and self.env._(
                "Also addressed to the queue(s) %(queues)s: one ticket only.",
                queues=", ".join(other_queues.mapped("alias_email")),
            ),
        )
        return ticket

    @api.model
    def _mailgate_sender_name(self, msg_dict):
        """The display name of the From header, empty when it has none."""
        pairs = getaddresses([msg_dict.get("email_from") or ""])
        return pairs[0][0].strip() if pairs else ""

    @api.model
    def _mailgate_find_or_create_sender(self, team, email, name):
        """Return ``(user, partner)`` for the sender of a new-ticket mail.

        ``user`` is the sender's active user (any kind), else the portal user
        created for it when ``team`` says ``user``, else empty; ``partner`` is
        that user's contact, else the contact found or created for ``email``.
        """
        users = self.env["res.users"].sudo()
        user = users.search([("email_normalized", "=", email)], limit=1)
        if user:
            return user, user.partner_id
        formatted = f'"{name}" <{email}>' if name else email
        partner = self._mail_find_partner_from_emails([formatted], force_create=False)[0]
        if team.mailgate_unknown_sender == "user":
            user = team._mailgate_create_portal_user(email, name, partner)
            return user, user.partner_id
        if not partner:
            partner = self._mail_find_partner_from_emails([formatted], force_create=True)[0]
        return users.browse(), partner

    def _mailgate_subscribe_participants(self, msg_dict):
        """Subscribe every To and Cc address that is not one of the database's
        own (queue, alias, catchall, bounce), creating contacts as needed, so
        they receive the ticket's public notifications (Integria's
        "Notificaciones por email")."""
        system_addresses = self.env[
            "helpdesk.ticket.team"
        ]._mailgate_system_addresses()
        participants = [
            f'"{name}" <{address}>' if name else address
            for name, address in getaddresses(
                [msg_dict.get("to") or "", msg_dict.get("cc") or ""]
            )
            if email_normalize(address)
            and email_normalize(address) not in system_addresses
        ]
        if not participants:
            return
        partners = self._mail_find_partner_from_emails(
            participants, records=self, force_create=True
        )
        self.message_subscribe([partner.id for partner in partners if partner])

    # ------------------------------------------------------------
    # Notifications
    # ------------------------------------------------------------

    def _message_compute_subject(self):
        """The ticket's title: the reference token is added on sending."""
        self.ensure_one()
        return self.name

    def _notify_by_email_get_base_mail_values(self, message, additional_values=None):
        """Put the ticket's reference token in the subject of every
        notification (``[HT00012] Problema con los servidores``), so a reply
        finds its ticket even when a mail client drops the References."""
        values = super()._notify_by_email_get_base_mail_values(
            message, additional_values=additional_values
        )
        if len(self) == 1 and self.number and self.number != "/":
            subject = values.get("subject") or message.subject or self.name
            values["subject"] = reference.add_reference(subject, self.number)
        return values
