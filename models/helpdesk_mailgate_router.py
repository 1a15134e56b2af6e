# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where a helpdesk mail goes, and who sent it.

The gateway side of the addon asks this service, never the ticket model:

* ``mail.thread`` asks whether a mail is the helpdesk's
  (:meth:`HelpdeskMailgateRouter._takes_mail`), has its facts read once
  (:meth:`~HelpdeskMailgateRouter._read_facts`) and its routes judged
  (:meth:`~HelpdeskMailgateRouter._routes`);
* ``helpdesk.ticket.message_new``/``message_update`` ask for the mail's
  facts, its sender's user and contact, its participants and the attachments
  within the team's limit.

It calls down only (the mail log, the team, the ORM), and nothing it calls
calls it back.
"""

import dataclasses
import logging
from dataclasses import dataclass

from odoo import api, models
from odoo.tools import SQL, email_normalize, formataddr

from ..tools import bounds, headers, reference
from ..tools.display import visible
from ..tools.headers import MESSAGE_DICT_KEY

_logger = logging.getLogger(__name__)

TICKET_MODEL = "helpdesk.ticket"
MAX_NEW_PARTICIPANTS = 50  # To/Cc addresses of one mail that become followers
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Sender:
    """Who sent a new-ticket mail.

    :param user: the sender's ``res.users`` (found or created), else empty
    :param partner: the sender's contact: the user's, else the one found or
        created for the address; empty for a mail with no sender address
    """

    user: object
    partner: object


@dataclass(frozen=True)
class Attachments:
    """A mail's attachments measured against its team's limit.

    :param kept: the attachments to store, as Odoo's gateway parsed them
    :param dropped: one note per attachment not stored, for the comment, the
        sender and the mail log
    """

    kept: list
    dropped: tuple[str, ...] = ()


class HelpdeskMailgateRouter(models.AbstractModel):
    _name = "helpdesk.mailgate.router"
    _description = "Helpdesk Mail Routing"

    # ------------------------------------------------------------
    # Which mail is the helpdesk's
    # ------------------------------------------------------------

    @api.model
    def _takes_mail(self, model, raw):
        """Whether a raw mail may be the helpdesk's, from its header block.

        A mail is the helpdesk's when it is processed for helpdesk tickets
        (a helpdesk fetchmail server), addressed to a team's queue, or replies
        to a ticket's message. Mail of other applications pays one query here
        at most.

        :param str model: the fallback model it is processed with;
        :param bytes raw: the mail as received
        """
        return model == TICKET_MODEL or self._is_addressed(headers.read_addressing(raw))

    @api.model
    def _is_addressed(self, addressing):
        """Whether a mail's :class:`Addressing` goes to a helpdesk queue or
        replies to a ticket.

        One query for both (this runs for every mail of every application).
        """
        if not addressing.envelope and not addressing.references:
            return False
        self.env["mail.alias"].flush_model(["alias_full_name", "alias_model_id"])
        self.env["mail.message"].flush_model(["message_id", "model"])
        self.env.cr.execute(
            SQL(
                """SELECT EXISTS(
                       SELECT 1 FROM mail_alias alias
                         JOIN ir_model model ON model.id = alias.alias_model_id
                        WHERE model.model = %(model)s
                          AND alias.alias_full_name = ANY(%(addresses)s))
                   OR EXISTS(
                       SELECT 1 FROM mail_message
                        WHERE model = %(model)s AND message_id = ANY(%(ids)s))""",
                model=TICKET_MODEL,
                addresses=list(addressing.envelope),
                ids=list(addressing.references),
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------
    # The mail's facts
    # ------------------------------------------------------------

    @api.model
    def _read_facts(self, message, msg_dict):
        """Read the :class:`MailFacts` of a helpdesk mail, once, from the mail
        Odoo's gateway parsed, into its message dict, where every later step
        finds it: the sender normalized as Odoo does.

        :param message: the ``email.message.Message`` Odoo parsed;
        :param dict msg_dict: its message dict, completed in place
        """
        facts = headers.read_headers(message)
        msg_dict[MESSAGE_DICT_KEY] = dataclasses.replace(
            facts,
            sender=email_normalize(facts.sender) or "",
            message_id=msg_dict.get("message_id") or "",
            subject=msg_dict.get("subject") or "",
            date=msg_dict.get("date") or "",
            email_from=msg_dict.get("email_from") or "",
            dropped=self._bound_notes(self.env.context.get("helpdesk_mailgate_bounds")),
        )

    @api.model
    def _bound_notes(self, bounded):
        """One note per thing the gateway did not read of a mail past its
        limits (``bounds.BoundedMail``, None for a mail within them)."""
        if bounded is None:
            return ()
        notes = []
        if bounded.parts_dropped:
            notes.append(
                self.env._(
                    "%(count)s MIME part(s) of the mail were not read: a mail is "
                    "read up to %(limit)s parts.",
                    count=bounded.parts_dropped,
                    limit=bounds.MAX_PARTS,
                )
            )
        if bounded.attachments_dropped:
            notes.append(
                self.env._(
                    "%(count)s attachment(s) were not stored: a mail keeps at most "
                    "%(limit)s attachments.",
                    count=bounded.attachments_dropped,
                    limit=bounds.MAX_ATTACHMENTS,
                )
            )
        if bounded.flattened:
            notes.append(
                self.env._(
                    "The mail was nested %(depth)s levels deep: its parts below "
                    "level %(limit)s were read as one list.",
                    depth=bounded.depth,
                    limit=bounds.MAX_DEPTH,
                )
            )
        if bounded.header_bytes_dropped:
            notes.append(
                self.env._(
                    "%(size)s KB of header fields were not read: a header block "
                    "is read up to %(limit)s KB.",
                    size=bounded.header_bytes_dropped // 1024,
                    limit=bounds.MAX_HEADER_BYTES // 1024,
                )
            )
        return tuple(notes)

    @api.model
    def _gateway_facts(self, msg_dict):
        """The :class:`MailFacts` the gateway read for a helpdesk mail, or
        None when ``msg_dict`` is not one (another application's mail, or a
        ``message_new``/``message_update`` called outside the gateway)."""
        return msg_dict.get(MESSAGE_DICT_KEY)

    @api.model
    def _facts(self, msg_dict):
        """The :class:`MailFacts` of the mail being processed: the ones the
        gateway read, else, for a ``message_new``/``message_update`` called
        outside the gateway, what ``msg_dict`` tells (``from_gateway``
        False). Called once per mail; the facts are then passed down."""
        return headers.facts_of(msg_dict, email_normalize)

    # ------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------

    @api.model
    def _is_new_ticket_route(self, route):
        """Whether an Odoo route ``(model, thread_id, custom_values, uid,
        alias)`` would create a ticket."""
        return route[0] == TICKET_MODEL and not route[1]

    @api.model
    def _routes(self, facts, msg_dict, routes):
        """Apply the helpdesk queue rules to Odoo's routes of a helpdesk mail
        (readme/CONFIGURE.md, "4. Each team's queue"):

        * a new-ticket route whose subject carries the reference token of a
          ticket the sender may follow up becomes a follow-up of that ticket
          (for mail clients that drop the References header);
        * a new-ticket route that comes from no queue (the fallback model of a
          helpdesk fetchmail server, or of ``message_process``) is dropped and
          logged as ignored, and nothing is bounced (Integria: "no será
          tratado");
        * an automatic mail (auto-reply, bulk) never opens a ticket: it is
          dropped and logged as ignored;
        * of several queues addressed at once, only the first (in To, else Cc)
          creates a ticket;
        * a new-ticket route keeps no alias: when ``message_new`` raises,
          Odoo would then bounce the mail and mark the queue invalid from a
          separate, committed transaction, while this addon keeps the mail
          for reprocessing (``mail.thread._mailgate_process_safely``).

        A delivery report (bounce) is handled by Odoo, and logged as ignored.

        :param facts: the mail's :class:`MailFacts`;
        :param dict msg_dict: its message dict (read only);
        :return: the routes to process
        """
        log = self.env["helpdesk.mailgate.log"]
        if msg_dict.get("is_bounce"):
            log._mailgate_record(
                facts,
                "ignored",
                note=self.env._("Delivery report (bounce): handled by Odoo."),
            )
        routes = [self._route_by_reference(route, facts) for route in routes]
        routes = [route for route in routes if not self._is_dropped(route, facts)]
        return [
            route[:4] + (None,) if self._is_new_ticket_route(route) else route
            for route in self._one_queue(routes, facts)
        ]

    @api.model
    def _log_loop(self, facts, routes):
        """Log a helpdesk mail that Odoo's sender loop guard stopped."""
        if any(route[0] == TICKET_MODEL for route in routes):
            self.env["helpdesk.mailgate.log"]._mailgate_record(
                facts,
                "ignored",
                note=self.env._(
                    "Too many mails from this sender in a short time (Odoo's "
                    "mail loop guard): not processed."
                ),
            )

    @api.model
    def _route_by_reference(self, route, facts):
        """Turn a new-ticket route into a follow-up of the ticket whose
        reference token the subject carries, when the sender is that ticket's
        contact, one of its followers, or an internal user who may read it.
        Anyone else quoting a ticket number opens a new ticket."""
        if not self._is_new_ticket_route(route):
            return route
        numbers = reference.find_references(facts.subject)
        if not numbers:
            return route
        tickets = self.env[TICKET_MODEL].sudo().search([("number", "in", numbers)])
        for ticket in tickets:
            if self._accepts_follow_up_from(ticket, facts.sender):
                _logger.info(
                    "Mail from %s with Message-Id %s: follow-up of %s by its "
                    "subject's reference",
                    facts.sender,
                    facts.message_id,
                    ticket.number,
                )
                return (route[0], ticket.id) + tuple(route[2:])
        return route

    @api.model
    def _accepts_follow_up_from(self, ticket, email):
        """Whether a mail from ``email`` quoting ``ticket``'s reference in its
        subject is a follow-up: from the ticket's contact, a follower, or an
        internal user who may read the ticket."""
        if not email:
            return False
        if email in {
            email_normalize(ticket.partner_email or ""),
            ticket.partner_id.email_normalized,
        }:
            return True
        if email in ticket.message_partner_ids.mapped("email_normalized"):
            return True
        user = self._user_of(email)
        return bool(
            user and not user.share and ticket.with_user(user).has_access("read")
        )

    @api.model
    def _is_dropped(self, route, facts):
        """Whether ``route`` would create a ticket it must not: for no queue,
        or for an automatic mail. A dropped route is logged as ignored."""
        if not self._is_new_ticket_route(route):
            return False
        route_values, alias = route[2], route[4]
        if facts.automatic:
            reason = self.env._("Automatic mail (auto-reply, bulk): no ticket opened.")
        elif not alias and not (route_values or {}).get("team_id"):
            reason = self.env._(
                "Addressed to no helpdesk queue and replying to no ticket: "
                "not processed."
            )
        else:
            return False
        _logger.info(
            "Mail from %s with Message-Id %s ignored: %s",
            facts.sender,
            facts.message_id,
            reason,
        )
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            facts,
            "ignored",
            team=self.env["helpdesk.ticket.team"]._mailgate_team_of_alias(alias),
            note=reason,
        )
        return True

    @api.model
    def _one_queue(self, routes, facts):
        """Keep one new-ticket route among several helpdesk queues: the one
        whose address comes first in To, then in Cc (the parsed ``to`` of
        Odoo's message dict has lost their order)."""
        queue_routes = [
            route for route in routes if self._is_new_ticket_route(route) and route[4]
        ]
        if len(queue_routes) < 2:
            return routes
        addresses = facts.recipient_addresses

        def position(route):
            address = route[4].alias_full_name
            return addresses.index(address) if address in addresses else len(addresses)

        kept = min(queue_routes, key=position)
        return [route for route in routes if route not in queue_routes or route is kept]

    # ------------------------------------------------------------
    # Senders and participants
    # ------------------------------------------------------------

    @api.model
    def _user_of(self, email):
        """The active user whose normalized address is ``email`` (any kind).

        :return: the ``res.users``, empty when there is none
        """
        if not email:
            return self.env["res.users"]
        return (
            self.env["res.users"]
            .sudo()
            .search([("email_normalized", "=", email)], limit=1)
        )

    @api.model
    def _sender_user(self, facts):
        """The sender's user in ``message_new``/``message_update``.

        Odoo's gateway has looked the sender up among all active users by the
        same address, and runs these methods as the user it found: that user,
        or, when it found none, no user (no second search). Called outside
        the gateway, the user is searched.
        """
        if facts.sender and self.env.user.email_normalized == facts.sender:
            return self.env.user
        if facts.from_gateway:
            return self.env["res.users"]
        return self._user_of(facts.sender)

    @api.model
    def _sender(self, team, facts, author_id):
        """The :class:`Sender` of a new-ticket mail.

        Its user is the sender's active user (any kind), else the portal user
        created for it when ``team`` says ``user``, else empty; its contact
        is that user's, else the one Odoo's routing found for the address
        (``author_id``), else one created for it.

        :param team: the queue's ``helpdesk.ticket.team`` (may be empty);
        :param facts: the mail's :class:`MailFacts`;
        :param int author_id: the contact Odoo's gateway found, if any
        """
        user = self._sender_user(facts)
        if user or not facts.sender:
            return Sender(user=user, partner=user.partner_id)
        formatted = (
            formataddr((facts.sender_name, facts.sender))
            if facts.sender_name
            else facts.sender
        )
        partner = self.env["res.partner"].browse(author_id)
        if team.mailgate_unknown_sender == "user":
            user = team._mailgate_create_portal_user(
                facts.sender, facts.sender_name, partner
            )
            return Sender(user=user, partner=user.partner_id)
        if not partner and facts.from_gateway:
            # Odoo's routing found no contact for this address (it looked
            # with the same rules): create it, as _mail_find_partner_from_emails
            # would, without searching again.
            partner = self._create_contact(formatted)
        elif not partner:
            partner = self.env["mail.thread"]._mail_find_partner_from_emails(
                [formatted], force_create=True
            )[0]
        return Sender(user=user, partner=partner)

    @api.model
    def _create_contact(self, formatted):
        """Create the contact of a new sender's ``formatted`` address (name
        and email, as ``res.partner.name_create`` reads them).

        The gateway creates it with no follower and no chatter message
        (``mail_create_nosubscribe``, ``mail_create_nolog``), so the contact's
        own chatter bookkeeping is skipped (``tracking_disable``), when it is
        created and when its stored computed fields (complete name,
        commercial partner, share) are computed: it has nothing to do for a
        new record. Those fields are written at once, in one UPDATE, rather
        than by three flushes spread over the rest of the mail.
        """
        partners = self.env["res.partner"].with_context(tracking_disable=True)
        partner = partners.browse(partners.name_create(formatted)[0])
        partner.flush_recordset()
        return partner.with_env(self.env)

    @api.model
    def _subscribe_participants(self, ticket, facts):
        """Subscribe to ``ticket`` every To and Cc address of the mail that is
        not one of the database's own (queue, alias, catchall, bounce) nor
        the sender, creating contacts as needed, so they receive the ticket's
        public notifications (Integria's "Notificaciones por email"). Alias
        addresses, the queues among them, are left out by
        ``_mail_find_partner_from_emails``.

        At most ``MAX_NEW_PARTICIPANTS`` addresses of one mail are taken: a
        mail to thousands of recipients must not create thousands of
        contacts.

        :return: list of notes for the mail log (addresses left out)
        """
        # The ticket's own queue is left out here, which spares the usual
        # mail (To: the queue, no Cc) any query.
        own = {facts.sender, False, ticket.team_id.alias_id.alias_full_name}
        candidates = [
            (name, address, email_normalize(address))
            for name, address in facts.recipients
        ]
        candidates = [candidate for candidate in candidates if candidate[2] not in own]
        if not candidates:
            return []
        excluded = self.env["helpdesk.ticket.team"]._mailgate_domain_addresses()
        participants = [
            formataddr((name, address)) if name else address
            for name, address, normalized in candidates
            if normalized not in excluded
        ]
        notes = []
        if len(participants) > MAX_NEW_PARTICIPANTS:
            notes.append(
                self.env._(
                    "%(count)s addresses in To and Cc: only the first %(max)s were "
                    "added as followers.",
                    count=len(participants),
                    max=MAX_NEW_PARTICIPANTS,
                )
            )
            participants = participants[:MAX_NEW_PARTICIPANTS]
        if participants:
            partners = ticket._mail_find_partner_from_emails(
                participants, records=ticket, force_create=True
            )
            ticket.message_subscribe([partner.id for partner in partners if partner])
        return notes

    # ------------------------------------------------------------
    # Attachments
    # ------------------------------------------------------------

    @api.model
    def _attachments(self, attachments, team):
        """The :class:`Attachments` of a mail within ``team``'s size limit
        (``mailgate_max_attachment_mb``, the default limit for no team).

        :param list attachments: ``msg_dict["attachments"]`` as Odoo parsed them
        """
        attachments = attachments or []
        limit_mb = team._mailgate_attachment_limit_mb()
        if not limit_mb or not attachments:
            return Attachments(kept=attachments)
        kept, dropped = [], []
        for attachment in attachments:
            content = attachment.content
            size = len(content.encode() if isinstance(content, str) else content)
            if size <= limit_mb * MEGABYTE:
                kept.append(attachment)
                continue
            dropped.append(
                self.env._(
                    "%(name)s (%(size)s MB) was not stored: attachments are limited "
                    "to %(limit)s MB each.",
                    name=visible(attachment.fname or ""),
                    size=round(size / MEGABYTE, 1),
                    limit=limit_mb,
                )
            )
        return Attachments(kept=kept, dropped=tuple(dropped))
