# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import dataclasses
import logging
import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize, formataddr

from ..tools import headers, masking, reference
from ..tools.display import visible
from ..tools.headers import MESSAGE_DICT_KEY, MailHeaders

_logger = logging.getLogger(__name__)

MAX_NEW_PARTICIPANTS = 50  # To/Cc addresses of one mail that become followers
DEFAULT_MAX_ATTACHMENT_MB = 25.0
MEGABYTE = 1024 * 1024
ANSWER_TEMPLATE = "helpdesk_mgmt_mailgate.mail_template_mailgate_answer"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    resolution_id = fields.Many2one(
        comodel_name="helpdesk.ticket.resolution",
        string="Resolution",
        tracking=True,
        index="btree_not_null",
    )
    workunit_ids = fields.One2many(
        comodel_name="helpdesk.ticket.workunit",
        inverse_name="ticket_id",
        string="Work Units",
    )
    # Not stored: a follow-up then never writes the ticket's row, so replies
    # to one ticket processed at the same time do not conflict.
    time_used = fields.Float(
        compute="_compute_time_used",
        help="Hours of all the ticket's work units.",
    )
    mailgate_log_count = fields.Integer(
        string="Mails", compute="_compute_mailgate_log_count"
    )

    @api.depends("workunit_ids.hours")
    def _compute_time_used(self):
        for ticket in self:
            ticket.time_used = sum(ticket.workunit_ids.mapped("hours"))

    def _compute_mailgate_log_count(self):
        counts = dict(
            self.env["helpdesk.mailgate.log"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.mailgate_log_count = counts.get(ticket, 0)

    def action_view_mailgate_log(self):
        """The mail log records of this ticket."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt_mailgate.helpdesk_mailgate_log_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------
    # Mail routing: what mail.thread asks the helpdesk
    # ------------------------------------------------------------

    @api.model
    def _mailgate_takes_mail(self, model, raw):
        """Whether a raw mail may be the helpdesk's, from its header block.

        A mail is the helpdesk's when it is processed for helpdesk tickets
        (a helpdesk fetchmail server), addressed to a team's queue, or replies
        to a ticket's message. Mail of other applications pays one query here
        at most.

        :param str model: the fallback model it is processed with;
        :param bytes raw: the mail as received
        """
        return model == self._name or self._mailgate_is_addressed(
            headers.read_addressing(raw)
        )

    @api.model
    def _mailgate_is_addressed(self, addressing):
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
                model=self._name,
                addresses=list(addressing.envelope),
                ids=list(addressing.references),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _mailgate_read_mail(self, message, msg_dict):
        """Read what the headers of a helpdesk mail tell, once, from the mail
        Odoo's gateway parsed, into its message dict, where every later step
        finds it (:meth:`_mailgate_mail`): the sender normalized as Odoo does.

        :param message: the ``email.message.Message`` Odoo parsed;
        :param dict msg_dict: its message dict, completed in place
        """
        mail = headers.read_headers(message)
        msg_dict[MESSAGE_DICT_KEY] = dataclasses.replace(
            mail, sender=email_normalize(mail.sender) or ""
        )

    @api.model
    def _mailgate_gateway_mail(self, msg_dict):
        """The :class:`MailHeaders` the gateway read for a helpdesk mail, or
        None when ``msg_dict`` is not one (another application's mail, or a
        ``message_new``/``message_update`` called outside the gateway)."""
        return msg_dict.get(MESSAGE_DICT_KEY)

    @api.model
    def _mailgate_mail(self, msg_dict):
        """The :class:`MailHeaders` of the mail being processed: the ones the
        gateway read, else, for a ``message_new``/``message_update`` called
        outside the gateway, what ``msg_dict`` tells."""
        mail = self._mailgate_gateway_mail(msg_dict)
        if mail is not None:
            return mail
        sender_name, sender = next(
            iter(headers.recipients([msg_dict.get("email_from") or ""])), ("", "")
        )
        return MailHeaders(
            sender=email_normalize(sender) or "",
            sender_name=sender_name,
            recipients=headers.recipients(
                [msg_dict.get("to") or "", msg_dict.get("cc") or ""]
            ),
            automatic=False,
            auth_results=(),
        )

    @api.model
    def _mailgate_is_new_ticket_route(self, route):
        """Whether an Odoo route ``(model, thread_id, custom_values, uid,
        alias)`` would create a ticket."""
        return route[0] == self._name and not route[1]

    @api.model
    def _mailgate_routes(self, message_dict, routes):
        """Apply the helpdesk queue rules to Odoo's routes of a helpdesk mail
        (SPEC section 1):

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

        :return: the routes to process
        """
        mail = self._mailgate_mail(message_dict)
        if message_dict.get("is_bounce"):
            self.env["helpdesk.mailgate.log"]._mailgate_record(
                message_dict,
                "ignored",
                note=self.env._("Delivery report (bounce): handled by Odoo."),
            )
        routes = [
            self._mailgate_route_by_reference(route, message_dict, mail)
            for route in routes
        ]
        routes = [
            route
            for route in routes
            if not self._mailgate_is_dropped_route(route, message_dict, mail)
        ]
        return [
            route[:4] + (None,) if self._mailgate_is_new_ticket_route(route) else route
            for route in self._mailgate_one_queue(routes, mail)
        ]

    @api.model
    def _mailgate_log_loop(self, message_dict, routes):
        """Log a helpdesk mail that Odoo's sender loop guard stopped."""
        if any(route[0] == self._name for route in routes):
            self.env["helpdesk.mailgate.log"]._mailgate_record(
                message_dict,
                "ignored",
                note=self.env._(
                    "Too many mails from this sender in a short time (Odoo's "
                    "mail loop guard): not processed."
                ),
            )

    @api.model
    def _mailgate_route_by_reference(self, route, message_dict, mail):
        """Turn a new-ticket route into a follow-up of the ticket whose
        reference token the subject carries, when the sender is that ticket's
        contact, one of its followers, or an internal user who may read it.
        Anyone else quoting a ticket number opens a new ticket."""
        if not self._mailgate_is_new_ticket_route(route):
            return route
        numbers = reference.find_references(message_dict.get("subject") or "")
        if not numbers:
            return route
        tickets = self.sudo().search([("number", "in", numbers)])
        for ticket in tickets:
            if ticket._mailgate_accepts_follow_up_from(mail.sender):
                _logger.info(
                    "Mail from %s with Message-Id %s: follow-up of %s by its "
                    "subject's reference",
                    mail.sender,
                    message_dict.get("message_id"),
                    ticket.number,
                )
                return (route[0], ticket.id) + tuple(route[2:])
        return route

    @api.model
    def _mailgate_is_dropped_route(self, route, message_dict, mail):
        """Whether ``route`` would create a ticket it must not: for no queue,
        or for an automatic mail. A dropped route is logged as ignored."""
        if not self._mailgate_is_new_ticket_route(route):
            return False
        route_values, alias = route[2], route[4]
        if mail.automatic:
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
    def _mailgate_one_queue(self, routes, mail):
        """Keep one new-ticket route among several helpdesk queues: the one
        whose address comes first in To, then in Cc (the parsed ``to`` of
        Odoo's message dict has lost their order)."""
        queue_routes = [
            route
            for route in routes
            if self._mailgate_is_new_ticket_route(route) and route[4]
        ]
        if len(queue_routes) < 2:
            return routes
        addresses = mail.recipient_addresses

        def position(route):
            address = route[4].alias_full_name
            return addresses.index(address) if address in addresses else len(addresses)

        kept = min(queue_routes, key=position)
        return [route for route in routes if route not in queue_routes or route is kept]

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
        Odoo's own routing does). Command blocks of the mail are applied to
        the new ticket, and the body is masked when masking is on: both change
        ``msg_dict["body"]``, which the gateway then posts.
        """
        mail = self._mailgate_mail(msg_dict)
        values = dict(custom_values or {})
        team = self.env["helpdesk.ticket.team"].browse(values.get("team_id"))
        if team:
            values = {**team._mailgate_ticket_values(), **values}
        user = self.env["res.users"]
        ticket_model = self
        if mail.sender:
            user, partner = self._mailgate_find_or_create_sender(team, mail, msg_dict)
            if user and user != self.env.user:
                ticket_model = self.with_user(user).sudo()
            msg_dict["author_id"] = partner.id
            values.setdefault("partner_id", partner.id)
            values.setdefault("partner_name", partner.name)
        dropped = self._mailgate_drop_oversized_attachments(msg_dict, team)
        # The portal token is otherwise written on the ticket's first
        # notification: two replies processed at once would both write it.
        values.setdefault("access_token", str(uuid.uuid4()))
        # The primary email field takes the From header as is: store the address.
        msg_for_values = dict(
            msg_dict,
            email_from=mail.sender,
            body=self._mailgate_mask(msg_dict.get("body")),
        )
        ticket = super(HelpdeskTicket, ticket_model).message_new(
            msg_for_values, custom_values=values
        )
        notes = ticket._mailgate_subscribe_participants(msg_dict)
        answering = ticket._mailgate_in_sender_language(msg_dict, user)
        outcome = self.env["helpdesk.mailgate.command"]._process_commands(
            answering, msg_dict, mail, user, is_new=True
        )
        msg_dict["body"] = outcome.body
        if outcome.applied:
            ticket.sudo().description = outcome.body
        answering._mailgate_answer_sender(
            msg_dict, outcome.problems, dropped, outcome.not_done
        )
        other_queues = team._mailgate_other_queues(mail) if team else team
        if other_queues:
            notes.append(
                self.env._(
                    "Also addressed to the queue(s) %(queues)s: one ticket only.",
                    queues=", ".join(other_queues.mapped("alias_email")),
                )
            )
        self._mailgate_log_outcome(
            msg_dict, "created", ticket, outcome, notes + dropped
        )
        return ticket

    def message_update(self, msg_dict, update_vals=None):
        """Take a follow-up of this ticket (SPEC section 3).

        Its To and Cc participants follow the ticket, its command blocks are
        applied as its sender, a work unit logs its time, and its body, with
        the applied blocks removed and masked when masking is on, becomes the
        comment that the gateway posts next (``msg_dict["body"]``). An
        automatic mail (auto-reply, bulk) is posted as an internal note, with
        no command, no work unit and no reply.
        """
        result = super().message_update(msg_dict, update_vals=update_vals)
        mail = self._mailgate_mail(msg_dict)
        notes = self._mailgate_subscribe_participants(msg_dict)
        dropped = self._mailgate_drop_oversized_attachments(msg_dict, self.team_id)
        commands = self.env["helpdesk.mailgate.command"]
        if mail.automatic:
            msg_dict["is_internal"] = True
            notes.append(
                self.env._(
                    "Automatic mail: posted as an internal note, commands not read."
                )
            )
            outcome = commands._unread_commands(
                self._mailgate_mask(msg_dict.get("body"))
            )
        else:
            user = self._mailgate_sender_user(msg_dict)
            answering = self._mailgate_in_sender_language(msg_dict, user)
            outcome = commands._process_commands(
                answering, msg_dict, mail, user, is_new=False
            )
            answering._mailgate_answer_sender(
                msg_dict, outcome.problems, dropped, outcome.not_done
            )
        msg_dict["body"] = outcome.body
        self._mailgate_log_outcome(msg_dict, "updated", self, outcome, notes + dropped)
        return result

    def _mailgate_log_outcome(self, msg_dict, state, ticket, outcome, notes):
        """Record in the mail log what became of a mail to ``ticket``: what
        its commands did, and the reasons for anything not done, masked as
        everything agents read."""
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            msg_dict,
            state,
            team=ticket.team_id,
            ticket=ticket,
            commands=self._mailgate_mask_text("\n".join(outcome.done)),
            note=self._mailgate_mask_text(
                "\n".join(
                    notes
                    + list(outcome.notes)
                    + list(outcome.problems)
                    + list(outcome.not_done)
                )
            ),
        )

    def _mailgate_in_sender_language(self, msg_dict, user):
        """These records in the sender's language, when it is known (its
        user's, else its contact's): problems and answers are written in it.
        """
        author = self.env["res.partner"].browse(msg_dict.get("author_id"))
        lang = user.lang or author.lang
        return self.with_context(lang=lang) if lang else self

    @api.model
    def _mailgate_user_of(self, email):
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
    def _mailgate_sender_user(self, msg_dict):
        """The sender's user in ``message_new``/``message_update``.

        Odoo's gateway has looked the sender up among all active users by the
        same address, and runs these methods as the user it found: that user,
        or, when it found none, no user (no second search). Called outside
        the gateway, the user is searched.
        """
        mail = self._mailgate_mail(msg_dict)
        if mail.sender and self.env.user.email_normalized == mail.sender:
            return self.env.user
        if self._mailgate_gateway_mail(msg_dict) is not None:
            return self.env["res.users"]
        return self._mailgate_user_of(mail.sender)

    @api.model
    def _mailgate_find_or_create_sender(self, team, mail, msg_dict):
        """Return ``(user, partner)`` for the sender of a new-ticket mail.

        ``user`` is the sender's active user (any kind), else the portal user
        created for it when ``team`` says ``user``, else empty; ``partner`` is
        that user's contact, else the contact Odoo's routing found for the
        sender (``msg_dict["author_id"]``), else one created for its address.
        """
        user = self._mailgate_sender_user(msg_dict)
        if user:
            return user, user.partner_id
        email, name = mail.sender, mail.sender_name
        formatted = formataddr((name, email)) if name else email
        partner = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if team.mailgate_unknown_sender == "user":
            user = team._mailgate_create_portal_user(email, name, partner)
            return user, user.partner_id
        if not partner and self._mailgate_gateway_mail(msg_dict) is not None:
            # Odoo's routing found no contact for this address (it looked
            # with the same rules): create it, as _mail_find_partner_from_emails
            # would, without searching again.
            partner = self._mailgate_create_contact(formatted)
        elif not partner:
            partner = self._mail_find_partner_from_emails(
                [formatted], force_create=True
            )[0]
        return user, partner

    @api.model
    def _mailgate_create_contact(self, formatted):
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

    def _mailgate_subscribe_participants(self, msg_dict):
        """Subscribe every To and Cc address of the mail that is not one of
        the database's own (queue, alias, catchall, bounce) nor the sender,
        creating contacts as needed, so they receive the ticket's public
        notifications (Integria's "Notificaciones por email"). Alias
        addresses, the queues among them, are left out by
        ``_mail_find_partner_from_emails``.

        At most ``MAX_NEW_PARTICIPANTS`` addresses of one mail are taken: a
        mail to thousands of recipients must not create thousands of
        contacts.

        :return: list of notes for the mail log (addresses left out)
        """
        mail = self._mailgate_mail(msg_dict)
        # The ticket's own queue is left out here, which spares the usual
        # mail (To: the queue, no Cc) any query.
        own = {mail.sender, False, self.team_id.alias_id.alias_full_name}
        candidates = [
            (name, address, email_normalize(address))
            for name, address in mail.recipients
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
            partners = self._mail_find_partner_from_emails(
                participants, records=self, force_create=True
            )
            self.message_subscribe([partner.id for partner in partners if partner])
        return notes

    @api.model
    def _mailgate_drop_oversized_attachments(self, msg_dict, team):
        """Leave the attachments larger than the team's limit out of the mail
        (``msg_dict["attachments"]``), and say which at the end of its body.

        :return: list of notes, one per file left out, for the sender and
            the mail log
        """
        limit_mb = (
            team.mailgate_max_attachment_mb if team else DEFAULT_MAX_ATTACHMENT_MB
        )
        attachments = msg_dict.get("attachments") or []
        if not limit_mb or not attachments:
            return []
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
        if dropped:
            msg_dict["attachments"] = kept
            msg_dict["body"] = Markup(msg_dict.get("body") or "") + Markup(
                "<p><i>%s</i></p>"
            ) % Markup("<br/>").join(dropped)
        return dropped

    def _mailgate_accepts_follow_up_from(self, email):
        """Whether a mail from ``email`` quoting this ticket's reference in
        its subject is a follow-up: from the ticket's contact, a follower, or
        an internal user who may read the ticket (SPEC section 3)."""
        self.ensure_one()
        if not email:
            return False
        if email in {
            email_normalize(self.partner_email or ""),
            self.partner_id.email_normalized,
        }:
            return True
        if email in self.message_partner_ids.mapped("email_normalized"):
            return True
        user = self._mailgate_user_of(email)
        return bool(user and not user.share and self.with_user(user).has_access("read"))

    # ------------------------------------------------------------
    # Work units
    # ------------------------------------------------------------

    def _mailgate_log_work(self, msg_dict, user, hours, as_sender, comment):
        """Create the work unit of a mail on this ticket.

        The same mail never comes here twice: Odoo's gateway drops a
        Message-ID it already has, and a failed mail's work unit is rolled
        back with the rest of it.

        :param user: the sender's ``res.users`` (empty for no user);
        :param float hours: the time to log, more than 0;
        :param bool as_sender: create it as ``user``, with their rights (the
            time of a ``[WORKUNIT]`` block), else as the gateway (the default
            time every follow-up counts, a customer's too);
        :param str comment: the comment as posted (blocks removed, masked
            when masking is on): its first line describes the timesheet line;
        :return: the ``TimesheetOutcome`` of the work unit's timesheet line
            (made when the helpdesk records timesheets, see
            ``helpdesk.ticket.workunit._mailgate_log_timesheet``)
        """
        self.ensure_one()
        workunits = self.env["helpdesk.ticket.workunit"]
        workunits = workunits.with_user(user) if as_sender else workunits.sudo()
        workunit = workunits.create(
            {
                "ticket_id": self.id,
                "message_id": msg_dict.get("message_id"),
                "user_id": user.id,
                "partner_id": msg_dict.get("author_id") or user.partner_id.id,
                "hours": hours,
            }
        )
        return workunit._mailgate_log_timesheet(user, comment, msg_dict.get("date"))

    # ------------------------------------------------------------
    # Replies
    # ------------------------------------------------------------

    def _mailgate_answer_sender(self, msg_dict, problems, dropped, not_done=()):
        """Send the sender one reply, when there is something to say: the
        problems of its commands, the attachments that were not stored, and
        what else was not done although the commands were right
        (``not_done``: the timesheet line).

        The reply is written by the template ``mail_template_mailgate_answer``
        (editable and translatable by an administrator), in the sender's
        language (these records' context). It is an automatic answer
        (``Auto-Submitted: auto-replied``), threaded on the sender's mail,
        from and replying to the ticket's queue, and kept in the chatter as an
        internal note for the agents, masked as everything agents read: only
        the mail to the sender quotes the sender's own words.
        """
        self.ensure_one()
        if not problems and not dropped and not not_done:
            return
        template = self.env.ref(ANSWER_TEMPLATE, raise_if_not_found=False)
        if not template:
            _logger.warning(
                "Helpdesk mail gateway: the template %s is missing, no answer sent "
                "to %s for Message-Id %s",
                ANSWER_TEMPLATE,
                msg_dict.get("email_from"),
                msg_dict.get("message_id"),
            )
            return
        body = self._mailgate_render_answer(template, problems, dropped, not_done)
        chatter_body = body
        if self._mailgate_masking_enabled():
            chatter_body = self._mailgate_render_answer(
                template,
                [masking.mask_emails_in_html(problem) for problem in problems],
                dropped,
                not_done,
            )
        self.env["mail.mail"].sudo().create(
            {
                "subject": "Re: "
                + reference.add_reference(msg_dict.get("subject") or "", self.number),
                "email_from": self._mailgate_queue_address(),
                "reply_to": self._mailgate_queue_address(),
                "email_to": msg_dict.get("email_from"),
                "body_html": body,
                "references": msg_dict.get("message_id"),
                "headers": repr(
                    {
                        "Auto-Submitted": "auto-replied",
                        "In-Reply-To": msg_dict.get("message_id"),
                    }
                ),
                # Shown in the chatter as an internal note, for the agents.
                "body": chatter_body,
                "model": self._name,
                "res_id": self.id,
                "message_type": "email_outgoing",
                "subtype_id": self.env.ref("mail.mt_note").id,
                "auto_delete": False,
            }
        )

    def _mailgate_render_answer(self, template, problems, dropped, not_done):
        return template._render_field(
            "body_html",
            self.ids,
            add_context={
                "problems": problems,
                "dropped": dropped,
                "not_done": not_done,
            },
            options={"post_process": True},
        )[self.id]

    def _mailgate_queue_address(self):
        """The ticket's queue as a formatted address, else the company's."""
        alias = self.team_id.alias_id
        if alias.alias_full_name:
            return formataddr((self.team_id.name, alias.alias_full_name))
        return self.company_id.email_formatted or self.env.company.email_formatted

    # ------------------------------------------------------------
    # Masking
    # ------------------------------------------------------------

    @api.model
    def _mailgate_mask(self, body):
        """``body`` (HTML) with its email addresses masked when masking is on."""
        if not body or not self._mailgate_masking_enabled():
            return body
        return Markup(masking.mask_emails_in_html(body))

    @api.model
    def _mailgate_mask_text(self, text):
        """``text`` (plain) with its email addresses masked when masking is on."""
        if not text or not self._mailgate_masking_enabled():
            return text
        return masking.mask_emails_in_html(text)

    @api.model
    def _mailgate_masking_enabled(self):
        return bool(
            self.env["ir.config_parameter"]._mailgate_get(
                "helpdesk_mgmt_mailgate.mask_email_addresses", bool
            )
        )

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
