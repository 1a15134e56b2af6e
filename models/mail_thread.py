# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import email
import email.parser
import email.policy
import logging
import xmlrpc.client

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import email_normalize, email_split
from odoo.tools.mail import decode_message_header, unfold_references

from ..tools import charset, header_safety, reference
from ..tools.automatic import is_automatic_mail

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    # ------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """Process a mail; a helpdesk mail is never lost (SPEC section 7).

        See :meth:`_mailgate_process_safely`: a helpdesk mail whose processing
        raises leaves no partial change and is kept in the mail log, and this
        returns False as for a mail that created nothing.
        """
        return self._mailgate_process_safely(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )[0]

    @api.model
    def _mailgate_process_safely(self, model, message, **kwargs):
        """Run Odoo's ``message_process``, in a savepoint for helpdesk mail.

        A helpdesk mail (fallback model ``helpdesk.ticket``, addressed to a
        queue, or replying to a ticket) that raises is rolled back whole and
        recorded as ``failed`` in the mail log with its raw source and the
        error, so that the next mail goes through and a manager can reprocess
        it. Concurrency errors are raised all the same: the caller's
        transaction is doomed, and retrying it is the caller's job.

        :return: ``(thread_id, failed_log)``, ``failed_log`` empty unless the
            mail failed
        """
        raw = _as_bytes(message)
        log_model = self.env["helpdesk.mailgate.log"]
        headers = email.parser.BytesHeaderParser(
            policy=email.policy.compat32
        ).parsebytes(raw)
        if not self._mailgate_is_helpdesk_mail(model, headers):
            return super().message_process(model, raw, **kwargs), log_model
        try:
            with self.env.cr.savepoint():
                return super().message_process(model, raw, **kwargs), log_model
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:
            _logger.exception(
                "Helpdesk mail gateway: processing failed for a mail of %s bytes; "
                "kept in the mail log for reprocessing",
                len(raw),
            )
            return False, log_model._mailgate_record_failure(raw, model, error)

    @api.model
    def message_parse(self, message, save_original=False):
        """Read broken mail as well as it can be read.

        Text parts whose declared charset is unknown or does not decode their
        bytes (ISO-8859-1 Spanish declared as UTF-8, 8-bit text declared as
        nothing) are relabelled with a charset that does
        (:func:`charset.repair_charset`), instead of failing or losing every
        accent. NUL characters are dropped from the parsed texts: PostgreSQL
        cannot store them, and hostile mail carries them to make the gateway
        fail. Encoded words that decode to line breaks or other control
        characters (a From name of ``"Evil\\r\\nX: y"``) are defused first
        (:func:`header_safety.defuse_headers`): the standard library's
        address parser raises on them, at every read of the header.
        """
        defused = header_safety.defuse_headers(message)
        if defused:
            _logger.info(
                "Mail with Message-Id %s: control characters removed from its "
                "header(s) %s",
                message.get("Message-Id"),
                ", ".join(defused),
            )
        for part in message.walk():
            if part.get_content_maintype() != "text" or part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            repaired = charset.repair_charset(part.get_content_charset(), payload)
            if repaired:
                part.set_param("charset", repaired)
        msg_dict = super().message_parse(message, save_original=save_original)
        for key, value in msg_dict.items():
            if isinstance(value, str) and "\x00" in value:
                msg_dict[key] = value.replace("\x00", "")
        return msg_dict

    @api.model
    def _mailgate_is_helpdesk_mail(self, model, headers):
        """Whether a mail is the helpdesk's: fetched for helpdesk tickets,
        addressed to a team's queue, or replying to a ticket's message.

        :param str model: the fallback model it is processed with;
        :param headers: the mail or its headers (``email.message.Message``)
        """
        if model == "helpdesk.ticket":
            return True
        addresses = {
            email_normalize(address)
            for header in ("To", "Cc", "Delivered-To")
            for address in email_split(",".join(map(str, headers.get_all(header, []))))
        } - {False}
        if addresses and self.env["mail.alias"].sudo().search_count(
            [
                ("alias_full_name", "in", list(addresses)),
                ("alias_model_id.model", "=", "helpdesk.ticket"),
            ],
            limit=1,
        ):
            return True
        references = unfold_references(
            " ".join(
                str(headers.get(name) or "") for name in ("In-Reply-To", "References")
            )
        )
        return bool(
            references
            and self.env["mail.message"]
            .sudo()
            .search_count(
                [
                    ("message_id", "in", references[-32:]),
                    ("model", "=", "helpdesk.ticket"),
                ],
                limit=1,
            )
        )

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
          creates a ticket;
        * a new-ticket route keeps no alias: when ``message_new`` raises,
          Odoo would then bounce the mail and mark the queue invalid from a
          separate, committed transaction, while this addon keeps the mail
          for reprocessing (:meth:`_mailgate_process_safely`).
        """
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        if message_dict.get("is_bounce") and self._mailgate_is_helpdesk_mail(
            model, message
        ):
            self.env["helpdesk.mailgate.log"]._mailgate_record(
                message_dict,
                "ignored",
                note=self.env._("Delivery report (bounce): handled by Odoo."),
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
        return [
            route[:4] + (None,)
            if route[0] == "helpdesk.ticket" and not route[1]
            else route
            for route in self._mailgate_one_queue(routes, message)
        ]

    @api.model
    def _detect_loop_sender(self, message, message_dict, routes):
        """Odoo's own loop guard (too many mails from one sender in a short
        time) stays in force; a helpdesk mail it stops is logged as ignored.
        """
        looping = super()._detect_loop_sender(message, message_dict, routes)
        if looping and any(route[0] == "helpdesk.ticket" for route in routes):
            self.env["helpdesk.mailgate.log"]._mailgate_record(
                message_dict,
                "ignored",
                note=self.env._(
                    "Too many mails from this sender in a short time (Odoo's "
                    "mail loop guard): not processed."
                ),
            )
        return looping

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Hand ``message_new`` and ``message_update`` what only the raw
        message's headers tell: whether the mail is automatic (RFC 3834) and
        its ``Authentication-Results``. Odoo passes them the parsed dict only.
        """
        return super(
            MailThread,
            self.with_context(
                mailgate_auto_submitted=is_automatic_mail(message),
                mailgate_auth_results=tuple(
                    str(value)
                    for value in message.get_all("Authentication-Results", [])
                ),
            ),
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


def _as_bytes(message):
    """The raw mail as bytes, from any form ``message_process`` accepts."""
    if isinstance(message, xmlrpc.client.Binary):
        return bytes(message.data)
    if isinstance(message, str):
        return message.encode("utf-8")
    return message


def parse_headers(raw):
    """The header block of a raw mail, parsed without the body: a 20 MB mail
    is not copied just to read its headers."""
    ends = [raw.find(separator) for separator in (b"\r\n\r\n", b"\n\n")]
    end = min((index for index in ends if index >= 0), default=len(raw))
    headers = email.parser.BytesHeaderParser(policy=email.policy.SMTP).parsebytes(
        raw[: end + 1]
    )
    header_safety.defuse_headers(headers)
    return headers
