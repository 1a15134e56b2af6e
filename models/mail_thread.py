# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import logging

from odoo import api, models
from odoo.tools import email_normalize, email_split
from odoo.tools.mail import decode_message_header

from ..tools import reference
from ..tools.automatic import is_automatic_mail

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    # ------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """Apply the helpdesk queue rules to Odoo's routes (SPEC section 1).

        This is the one place that sees every route of a mail at once, the
        same way for fetchmail servers and for the MTA gateway:

        * a new-ticket route that comes from no queue (the fallback model of a
          helpdesk fetchmail server, or of ``message_process``) is dropped and
          logged as ignored, and nothing is bounced (Integria: "no será
          tratado");
        * a new-ticket route whose subject carries the reference token of a
          ticket the sender may follow up becomes a follow-up of that ticket
          (for mail clients that drop the References header);
        * an automatic mail (auto-reply, bulk) never opens a ticket: it is
          dropped and logged as ignored;
        * of several queues addressed at once, only the first (in To, else Cc)
          creates a ticket.
        """
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        routes = [
            self._mailgate_route_by_reference(route, message_dict) for route in routes
        ]
        automatic = is_automatic_mail(message)
        routes = [
            route
            for route in routes
            if not self._mailgate_is_dropped_route(route, message_dict, automatic)
        ]
        return self._mailgate_one_queue(routes, message)

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Tell ``message_update`` whether the mail is automatic: only the raw
        message has the headers that say so (RFC 3834)."""
        return super(
            MailThread,
            self.with_context(mailgate_auto_submitted=is_automatic_mail(message)),
        )._message_route_process(message, message_dict, routes)

    @api.model
    def _routing_create_bounce_email(
        self, email_from, body_html, message, **mail_values
    ):
        """Bounces are automatic answers: mark them so (RFC 3834), and never
        send one in answer to automatic mail, which would start a loop."""
        if is_automatic_mail(message):
            _logger.info(
                "Not bouncing automatic mail from %s with Message-Id %s",
                email_from,
                message.get("Message-Id"),
            )
            return
        headers = ast.literal_eval(mail_values.get("headers") or "{}")
        headers["Auto-Submitted"] = "auto-replied"
        mail_values["headers"] = repr(headers)
        return super()._routing_create_bounce_email(
            email_from, body_html, message, **mail_values
        )

    @api.model
    def _mailgate_route_by_reference(self, route, message_dict):
        """Turn a new-ticket route into a follow-up of the ticket whose
        reference token the subject carries, when the sender is that ticket's
        contact, one of its followers, or an internal user who may read it.
        Anyone else quoting a ticket number opens a new ticket."""
        route_model, route_thread_id, route_values, route_uid, alias = route
        if route_model != "helpdesk.ticket" or route_thread_id:
            return route
        numbers = reference.find_references(message_dict.get("subject") or "")
        if not numbers:
            return route
        tickets = self.env["helpdesk.ticket"].sudo().search([("number", "in", numbers)])
        sender = email_normalize(message_dict.get("email_from") or "")
        for ticket in tickets:
            if ticket._mailgate_accepts_follow_up_from(sender):
                _logger.info(
                    "Mail from %s with Message-Id %s: follow-up of %s by its "
                    "subject's reference",
                    sender,
                    message_dict.get("message_id"),
                    ticket.number,
                )
                return (route_model, ticket.id, route_values, route_uid, alias)
        return route

    @api.model
    def _mailgate_is_dropped_route(self, route, message_dict, automatic):
        """Whether ``route`` would create a ticket it must not: for no queue,
        or for an automatic mail. A dropped route is logged as ignored."""
        route_model, route_thread_id, route_values, __, alias = route
        if route_model != "helpdesk.ticket" or route_thread_id:
            return False
        if automatic:
            reason = self.env._("Automatic mail (auto-reply, bulk): no ticket opened.")
        elif not alias and not (route_values or {}).get("team_id"):
            reason = self.env._(
                "Addressed to no helpdesk queue and replying to no ticket: "
                "not processed."
            )
        else:
            return False
        _logger.info(
            "Mail from %s to %s with Message-Id %s ignored: %s",
            message_dict.get("email_from"),
            message_dict.get("to"),
            message_dict.get("message_id"),
            reason,
        )
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            message_dict,
            "ignored",
            team=self.env["helpdesk.ticket.team"]._mailgate_team_of_alias(alias),
            note=reason,
        )
        return True

    @api.model
    def _mailgate_one_queue(self, routes, message):
        """Keep one new-ticket route among several helpdesk queues: the one
        whose address comes first in To, then in Cc.

        The headers are read from ``message``: the parsed ``to`` of Odoo's
        message dict has lost their order."""
        queue_routes = [
            route
            for route in routes
            if route[0] == "helpdesk.ticket" and not route[1] and route[4]
        ]
        if len(queue_routes) < 2:
            return routes
        addresses = [
            email_normalize(address)
            for header in ("To", "Cc")
            for address in email_split(
                decode_message_header(message, header, separator=",")
            )
        ]

        def position(route):
            address = route[4].alias_full_name
            return addresses.index(address) if address in addresses else len(addresses)

        kept = min(queue_routes, key=position)
        return [route for route in routes if route not in queue_routes or route is kept]
