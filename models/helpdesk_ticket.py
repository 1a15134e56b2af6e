# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import formataddr

from ..tools import masking, reference

_logger = logging.getLogger(__name__)

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
    # Mail gateway
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Create the ticket of a new mail to a team's queue
        (readme/USAGE.md, "1. A new ticket").

        The queue's defaults fill in what the alias defaults leave unset. The
        ticket is created as the sender's user: the one found by Odoo's
        gateway, or a portal user created here when the team's policy for
        unknown senders is ``user``. Otherwise the sender gets a contact,
        found or created, which becomes the ticket's contact and the author of
        its first message. Command blocks of the mail are applied to the new
        ticket: it must exist for the sender's rights on it to be checked, so
        its description is written again only when a block was applied (and
        removed from it).

        Each step returns its piece; ``msg_dict`` is updated once, at the
        end, with what Odoo's gateway then posts (author, body, attachments).
        """
        router = self.env["helpdesk.mailgate.router"]
        facts = router._facts(msg_dict)
        values = dict(custom_values or {})
        team = self.env["helpdesk.ticket.team"].browse(values.get("team_id"))
        if team:
            values = {**team._mailgate_ticket_values(), **values}
        sender = router._sender(team, facts, msg_dict.get("author_id"))
        ticket_model = self
        if sender.user and sender.user != self.env.user:
            ticket_model = self.with_user(sender.user).sudo()
        if sender.partner:
            values.setdefault("partner_id", sender.partner.id)
            values.setdefault("partner_name", sender.partner.name)
        attachments = router._attachments(msg_dict.get("attachments"), team)
        dropped = facts.dropped + attachments.dropped
        body = self._mailgate_with_notes(msg_dict.get("body"), dropped)
        masked = self._mailgate_mask(body)
        # The portal token is otherwise written on the ticket's first
        # notification: two replies processed at once would both write it.
        values.setdefault("access_token", str(uuid.uuid4()))
        # The primary email field takes the From header as is: store the address.
        ticket = super(HelpdeskTicket, ticket_model).message_new(
            dict(
                msg_dict,
                email_from=facts.sender,
                author_id=sender.partner.id or msg_dict.get("author_id"),
                body=masked,
            ),
            custom_values=values,
        )
        notes = router._subscribe_participants(ticket, facts)
        answering = ticket._mailgate_in_sender_language(sender.partner, sender.user)
        outcome = self.env["helpdesk.mailgate.command"]._process_commands(
            answering, facts, sender.user, sender.partner, body, masked, is_new=True
        )
        if outcome.applied:
            ticket.sudo().description = outcome.body
        answering._mailgate_answer_sender(
            facts, outcome.problems, dropped, outcome.not_done
        )
        other_queues = team._mailgate_other_queues(facts) if team else team
        if other_queues:
            notes.append(
                self.env._(
                    "Also addressed to the queue(s) %(queues)s: one ticket only.",
                    queues=", ".join(other_queues.mapped("alias_email")),
                )
            )
        self._mailgate_log_outcome(
            facts, "created", ticket, outcome, notes + list(dropped)
        )
        if sender.partner:
            msg_dict["author_id"] = sender.partner.id
        msg_dict.update(body=outcome.body, attachments=attachments.kept)
        return ticket

    def message_update(self, msg_dict, update_vals=None):
        """Take a follow-up of this ticket (readme/USAGE.md, "2. A reply").

        Its To and Cc participants follow the ticket, its command blocks are
        applied as its sender, a work unit logs its time, and its body, with
        the applied blocks removed and masked when masking is on, becomes the
        comment that the gateway posts next. An automatic mail (auto-reply,
        bulk) is posted as an internal note, with no command, no work unit
        and no reply. ``msg_dict`` is updated once, at the end.
        """
        result = super().message_update(msg_dict, update_vals=update_vals)
        router = self.env["helpdesk.mailgate.router"]
        facts = router._facts(msg_dict)
        notes = router._subscribe_participants(self, facts)
        attachments = router._attachments(msg_dict.get("attachments"), self.team_id)
        dropped = facts.dropped + attachments.dropped
        body = self._mailgate_with_notes(msg_dict.get("body"), dropped)
        commands = self.env["helpdesk.mailgate.command"]
        if facts.automatic:
            notes.append(
                self.env._(
                    "Automatic mail: posted as an internal note, commands not read."
                )
            )
            outcome = commands._unread_commands(self._mailgate_mask(body))
        else:
            user = router._sender_user(facts)
            author = self.env["res.partner"].browse(msg_dict.get("author_id"))
            answering = self._mailgate_in_sender_language(author, user)
            outcome = commands._process_commands(
                answering, facts, user, author, body, self._mailgate_mask(body)
            )
            answering._mailgate_answer_sender(
                facts, outcome.problems, dropped, outcome.not_done
            )
        self._mailgate_log_outcome(
            facts, "updated", self, outcome, notes + list(dropped)
        )
        msg_dict.update(body=outcome.body, attachments=attachments.kept)
        if facts.automatic:
            msg_dict["is_internal"] = True
        return result

    def _mailgate_log_outcome(self, facts, state, ticket, outcome, notes):
        """Record in the mail log what became of a mail to ``ticket``: what
        its commands did, and the reasons for anything not done, masked as
        everything agents read."""
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            facts,
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

    def _mailgate_in_sender_language(self, author, user):
        """These records in the sender's language, when it is known (its
        user's, else its contact's ``author``): problems and answers are
        written in it."""
        lang = user.lang or author.lang
        return self.with_context(lang=lang) if lang else self

    @api.model
    def _mailgate_with_notes(self, body, notes):
        """``body`` (HTML) with ``notes`` (what of the mail was not read, the
        attachments not stored) said at its end, in italics."""
        if not notes:
            return body
        return Markup(body or "") + Markup("<p><i>%s</i></p>") % Markup("<br/>").join(
            notes
        )

    # ------------------------------------------------------------
    # Replies
    # ------------------------------------------------------------

    def _mailgate_answer_sender(self, facts, problems, dropped, not_done=()):
        """Send the sender one reply, when there is something to say: the
        problems of its commands, the attachments that were not stored, and
        what else was not done although the commands were right
        (``not_done``: the timesheet line).

        The reply's subject and body are the template
        ``mail_template_mailgate_answer``'s (editable and translatable by an
        administrator), rendered in the sender's language (these records'
        context). It is an automatic answer (``Auto-Submitted:
        auto-replied``), threaded on the sender's mail, from and replying to
        the ticket's queue, and kept in the chatter as an internal note for
        the agents, masked as everything agents read: only the mail to the
        sender quotes the sender's own words.

        :param facts: the mail's ``MailFacts``
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
                facts.sender,
                facts.message_id,
            )
            return
        answer = {
            "problems": problems,
            "dropped": dropped,
            "not_done": not_done,
            "mail_subject": reference.add_reference(facts.subject, self.number),
        }
        body = self._mailgate_render_answer(template, "body_html", answer)
        chatter_body = body
        if self._mailgate_masking_enabled():
            masked = [masking.mask_emails_in_html(problem) for problem in problems]
            chatter_body = self._mailgate_render_answer(
                template, "body_html", dict(answer, problems=masked)
            )
        self.env["mail.mail"].sudo().create(
            {
                # A template edited before it had a subject still answers with one.
                "subject": self._mailgate_render_answer(template, "subject", answer)
                or "Re: " + answer["mail_subject"],
                "email_from": self._mailgate_queue_address(),
                "reply_to": self._mailgate_queue_address(),
                "email_to": facts.email_from,
                "body_html": body,
                "references": facts.message_id,
                "headers": repr(
                    {
                        "Auto-Submitted": "auto-replied",
                        "In-Reply-To": facts.message_id,
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

    def _mailgate_render_answer(self, template, field, answer):
        """``field`` of the answer ``template`` rendered for this ticket with
        the ``answer`` variables."""
        return template._render_field(
            field,
            self.ids,
            add_context=answer,
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
