# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import uuid
from email.utils import formataddr, getaddresses

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize, html_sanitize

from ..tools import (
    authentication,
    command_block,
    html_text,
    masking,
    quoting,
    reference,
)
from ..tools.command_block import INCIDENT, WORKUNIT

_logger = logging.getLogger(__name__)

MAX_NEW_PARTICIPANTS = 50  # To/Cc addresses of one mail that become followers
DEFAULT_MAX_ATTACHMENT_MB = 25.0
MEGABYTE = 1024 * 1024


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
        values = dict(custom_values or {})
        team = self.env["helpdesk.ticket.team"].browse(values.get("team_id"))
        if team:
            values = {**team._mailgate_ticket_values(), **values}
        sender_email = email_normalize(msg_dict.get("email_from") or "")
        sender_name = self._mailgate_sender_name(msg_dict)
        user = self.env["res.users"]
        ticket_model = self
        if sender_email:
            user, partner = self._mailgate_find_or_create_sender(
                team, sender_email, sender_name, msg_dict.get("author_id")
            )
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
            email_from=sender_email,
            body=self._mailgate_mask(msg_dict.get("body")),
        )
        ticket = super(HelpdeskTicket, ticket_model).message_new(
            msg_for_values, custom_values=values
        )
        notes = ticket._mailgate_subscribe_participants(msg_dict)
        answering = ticket._mailgate_in_sender_language(msg_dict, user)
        outcome = answering._mailgate_process_mail(msg_dict, user, is_new=True)
        answering._mailgate_answer_sender(
            msg_dict, outcome["problems"], dropped, outcome["not_done"]
        )
        other_queues = team._mailgate_other_queues(msg_dict) if team else team
        if other_queues:
            notes.append(
                self.env._(
                    "Also addressed to the queue(s) %(queues)s: one ticket only.",
                    queues=", ".join(other_queues.mapped("alias_email")),
                )
            )
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            msg_dict,
            "created",
            team=team,
            ticket=ticket,
            commands=outcome["done"],
            note="\n".join(notes + dropped + outcome["problems"] + outcome["not_done"]),
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
        notes = self._mailgate_subscribe_participants(msg_dict)
        dropped = self._mailgate_drop_oversized_attachments(msg_dict, self.team_id)
        if self.env.context.get("mailgate_auto_submitted"):
            msg_dict["is_internal"] = True
            msg_dict["body"] = self._mailgate_mask(msg_dict.get("body"))
            notes.append(
                self.env._(
                    "Automatic mail: posted as an internal note, commands not read."
                )
            )
            outcome = {"done": "", "problems": [], "not_done": []}
        else:
            sender_email = email_normalize(msg_dict.get("email_from") or "")
            user = self._mailgate_user_of(sender_email)
            answering = self._mailgate_in_sender_language(msg_dict, user)
            outcome = answering._mailgate_process_mail(msg_dict, user, is_new=False)
            answering._mailgate_answer_sender(
                msg_dict, outcome["problems"], dropped, outcome["not_done"]
            )
        self.env["helpdesk.mailgate.log"]._mailgate_record(
            msg_dict,
            "updated",
            team=self.team_id,
            ticket=self,
            commands=outcome["done"],
            note="\n".join(notes + dropped + outcome["problems"] + outcome["not_done"]),
        )
        return result

    def _mailgate_in_sender_language(self, msg_dict, user):
        """These records in the sender's language, when it is known (its
        user's, else its contact's): problems and answers are written in it.
        """
        author = self.env["res.partner"].browse(msg_dict.get("author_id"))
        lang = user.lang or author.lang
        return self.with_context(lang=lang) if lang else self

    @api.model
    def _mailgate_sender_name(self, msg_dict):
        """The display name of the From header, empty when it has none."""
        pairs = getaddresses([msg_dict.get("email_from") or ""])
        return pairs[0][0].strip() if pairs else ""

    @api.model
    def _mailgate_user_of(self, email):
        """The active user whose normalized address is ``email`` (any kind).

        Odoo's gateway runs ``message_new``/``message_update`` as the user it
        found for the sender, when there is one: that user is taken first.
        """
        if not email:
            return self.env["res.users"]
        if self.env.user.email_normalized == email:
            return self.env.user
        return (
            self.env["res.users"]
            .sudo()
            .search([("email_normalized", "=", email)], limit=1)
        )

    @api.model
    def _mailgate_find_or_create_sender(self, team, email, name, author_id):
        """Return ``(user, partner)`` for the sender of a new-ticket mail.

        ``user`` is the sender's active user (any kind), else the portal user
        created for it when ``team`` says ``user``, else empty; ``partner`` is
        that user's contact, else the contact Odoo's routing found for the
        sender (``author_id``), else one created for ``email``.
        """
        user = self._mailgate_user_of(email)
        if user:
            return user, user.partner_id
        formatted = formataddr((name, email)) if name else email
        partner = self.env["res.partner"].browse(author_id)
        if team.mailgate_unknown_sender == "user":
            user = team._mailgate_create_portal_user(email, name, partner)
            return user, user.partner_id
        if not partner:
            partner = self._mail_find_partner_from_emails(
                [formatted], force_create=True
            )[0]
        return user, partner

    def _mailgate_subscribe_participants(self, msg_dict):
        """Subscribe every To and Cc address that is not one of the database's
        own (queue, alias, catchall, bounce) nor the sender, creating
        contacts as needed, so they receive the ticket's public notifications
        (Integria's "Notificaciones por email"). Alias addresses, the queues
        among them, are left out by ``_mail_find_partner_from_emails``.

        At most ``MAX_NEW_PARTICIPANTS`` addresses of one mail are taken: a
        mail to thousands of recipients must not create thousands of
        contacts.

        :return: list of notes for the mail log (addresses left out)
        """
        sender = email_normalize(msg_dict.get("email_from") or "")
        candidates = {}
        for name, address in getaddresses(
            [msg_dict.get("to") or "", msg_dict.get("cc") or ""]
        ):
            normalized = email_normalize(address)
            if normalized and normalized != sender:
                candidates.setdefault(normalized, (name, address))
        if not candidates:
            return []
        excluded = self.env["helpdesk.ticket.team"]._mailgate_domain_addresses()
        participants = [
            formataddr((name, address)) if name else address
            for normalized, (name, address) in candidates.items()
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
                    name=attachment.fname,
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
    # Commands
    # ------------------------------------------------------------

    def _mailgate_process_mail(self, msg_dict, user, is_new):
        """Apply the mail's command blocks to this ticket and log its work.

        Only the new part of the mail is read: Odoo's quote detection tags the
        quoted history of HTML mail, :func:`html_text.html_to_text` leaves it
        out, and :func:`quoting.cut_quoted_history` cuts the textual reply
        headers and ``>`` lines it does not catch. Each block is all or
        nothing; a valid one is applied as ``user`` and removed from
        ``msg_dict["body"]`` (and from the description of a new ticket), which
        is masked when masking is on. When
        the team takes commands from authenticated senders only, the blocks of
        other mail are refused.

        :param dict msg_dict: the parsed mail, whose ``body`` is updated;
        :param user: the sender's ``res.users`` (empty for no user);
        :param bool is_new: whether the mail created this ticket (no default
            work unit then: only follow-ups count);
        :return: dict with ``done`` (text: what was applied), ``problems``
            (list of problem lines, each with its line number) and
            ``not_done`` (list: what failed although the commands were right:
            the timesheet line)
        """
        self.ensure_one()
        body = msg_dict.get("body") or ""
        # Commands are read before masking: ASSIGNED_TO may name an address.
        msg_dict["body"] = self._mailgate_mask(body)
        hours = None if is_new else self._mailgate_default_time_used()
        if not command_block.may_hold_commands(body):
            timesheet = hours and self._mailgate_log_work(msg_dict, user, hours)
            return {
                "done": self._mailgate_work_text(hours, timesheet),
                "problems": [],
                "not_done": _timesheet_problems(timesheet),
            }
        text = quoting.cut_quoted_history(html_text.html_to_text(html_sanitize(body)))
        parsed = command_block.parse_commands(text)
        problems = [
            (problem.line, problem.describe(self.env._)) for problem in parsed.problems
        ]
        done, applied_kinds = [], []
        incident, workunit = (
            block if block and block.is_valid else None
            for block in (parsed.incident, parsed.workunit)
        )
        refusal = (incident or workunit) and self._mailgate_authentication_refusal(
            msg_dict
        )
        if refusal:
            problems += [
                (
                    block.start_line,
                    self.env._(
                        "[%(kind)s] not applied: %(reason)s",
                        kind=block.kind,
                        reason=refusal,
                    ),
                )
                for block in (incident, workunit)
                if block
            ]
            incident = workunit = None
        if incident:
            changes, block_problems = self._mailgate_apply_incident(incident, user)
            problems += block_problems
            if not block_problems:
                applied_kinds.append(INCIDENT)
                done += changes
        if workunit:
            block_problems = self._mailgate_check_sender_may(
                user, workunit, "helpdesk.ticket.workunit"
            )
            problems += block_problems
            if not block_problems:
                applied_kinds.append(WORKUNIT)
                hours = command_block.parse_hours(workunit.get("TIME_USED").value)
        if applied_kinds:
            msg_dict["body"] = command_block.remove_blocks_from_html(
                msg_dict["body"], applied_kinds
            )
            if is_new:
                self.sudo().description = msg_dict["body"]
        timesheet = hours and self._mailgate_log_work(msg_dict, user, hours)
        if hours:
            done.append(self._mailgate_work_text(hours, timesheet))
        problems.sort()
        return {
            "done": "\n".join(done),
            "problems": [
                self.env._("line %(line)s: %(problem)s", line=line, problem=text)
                for line, text in problems
            ],
            "not_done": _timesheet_problems(timesheet),
        }

    def _mailgate_work_text(self, hours, timesheet=None):
        """The mail log's line for the work unit, and its timesheet line."""
        if not hours:
            return ""
        text = self.env._("Work unit: %(hours)s h", hours=hours)
        return f"{text}\n{timesheet.note}" if timesheet and timesheet.note else text

    def _mailgate_authentication_refusal(self, msg_dict):
        """Why commands are refused when the team requires authenticated
        senders and no trusted server authenticated this mail, else None.

        :return: the reason, or None
        """
        team = self.team_id
        if not team.mailgate_require_authentication:
            return None
        domain = (email_normalize(msg_dict.get("email_from") or "") or "").rpartition(
            "@"
        )[2]
        if authentication.sender_authenticated(
            self.env.context.get("mailgate_auth_results") or (),
            domain,
            (team.mailgate_trusted_authserv_ids or "").split(","),
        ):
            return None
        return self.env._(
            "this queue takes commands only from authenticated senders, and no "
            "trusted server authenticated your mail (DMARC, or DKIM for "
            "%(domain)s).",
            domain=domain or "?",
        )

    def _mailgate_check_sender_may(self, user, block, model_name):
        """Problems that keep ``user`` from applying ``block`` at all.

        Changing tickets by mail is for helpdesk users: senders without a
        user, and portal users, get a problem instead (SPEC section 8)."""
        if not user:
            return [
                (
                    block.start_line,
                    self.env._(
                        "[%(kind)s] not applied: your address has no user in this "
                        "helpdesk, so it cannot change tickets by mail.",
                        kind=block.kind,
                    ),
                )
            ]
        if user.share or not self.env[model_name].with_user(user).has_access("write"):
            return [
                (
                    block.start_line,
                    self.env._(
                        "[%(kind)s] not applied: the user %(login)s may not make "
                        "this change.",
                        kind=block.kind,
                        login=user.login,
                    ),
                )
            ]
        return []

    def _mailgate_apply_incident(self, block, user):
        """Resolve and apply an ``[INCIDENT]`` block as ``user``.

        :return: ``(changes, problems)``: the human-readable changes made, or
            the ``(line, text)`` problems that kept any change from being made
        """
        problems = self._mailgate_check_sender_may(user, block, "helpdesk.ticket")
        if problems:
            return [], problems
        values, problems = self._mailgate_incident_values(block, user)
        if problems:
            return [], problems
        try:
            with self.env.cr.savepoint():
                self.with_user(user).write(values)
        except (AccessError, UserError, ValidationError) as error:
            return [], [
                (
                    block.start_line,
                    self.env._(
                        "[INCIDENT] not applied: %(error)s",
                        error=getattr(error, "args", [str(error)])[0],
                    ),
                )
            ]
        changes = [f"{field.key}: {field.value}" for field in block.fields]
        return changes, []

    def _mailgate_incident_values(self, block, user):
        """Map an ``[INCIDENT]`` block's fields to ticket values.

        Names are looked up as ``user`` sees them; an unknown or ambiguous
        name is a problem with a did-you-mean hint.

        :return: ``(values, problems)``
        """
        values, problems = {}, []
        team = self.team_id
        resolvers = [
            ("GROUP", self._mailgate_resolve_team),
            ("ASSIGNED_TO", self._mailgate_resolve_user),
            ("STATUS", self._mailgate_resolve_stage),
            ("RESOLUTION", self._mailgate_resolve_resolution),
        ]
        priority = block.get("PRIORITY")
        if priority:
            values["priority"] = command_block.priority_key(priority.value)
        for key, resolve in resolvers:
            field = block.get(key)
            if not field:
                continue
            field_name, record, problem = resolve(field.value, user, team)
            if problem:
                problems.append((field.line, problem))
                continue
            values[field_name] = record.id
            if field_name == "team_id":
                team = record
        return values, problems

    def _mailgate_pick(self, records, value, names_of, unknown, ambiguous):
        """Find the one record of ``records`` named ``value``.

        :param names_of: record -> the names it answers to (languages);
        :param str unknown: the translated problem when none is named so,
            with a ``%(value)s`` placeholder;
        :param str ambiguous: the translated problem when several are, with
            ``%(value)s`` and ``%(count)s`` placeholders;
        :return: ``(record, problem)``, one of them empty
        """
        wanted = value.strip().casefold()
        found = records.filtered(
            lambda record: wanted in {name.casefold() for name in names_of(record)}
        )
        if len(found) == 1:
            return found, None
        if found:
            return found.browse(), ambiguous % {"value": value, "count": len(found)}
        hint = command_block.suggest(
            value, [name for record in records for name in names_of(record)]
        )
        problem = unknown % {"value": value}
        if hint:
            problem += self.env._(" (did you mean %(hint)s?)", hint=hint)
        return records.browse(), problem

    def _mailgate_resolve_team(self, value, user, team):
        teams = self.env["helpdesk.ticket.team"].with_user(user).search([])
        record, problem = self._mailgate_pick(
            teams,
            value,
            lambda team: {team.name, team.complete_name},
            self.env._('no group (team) is called "%(value)s"'),
            self.env._('%(count)s groups (teams) are called "%(value)s"'),
        )
        return "team_id", record, problem

    def _mailgate_resolve_user(self, value, user, team):
        users = self.env["res.users"].sudo().search([("share", "=", False)])
        record, problem = self._mailgate_pick(
            users,
            value,
            lambda candidate: {candidate.login, candidate.email or ""} - {""},
            self.env._('no user has the login or address "%(value)s"'),
            self.env._('%(count)s users have the login or address "%(value)s"'),
        )
        if record and team.user_ids and record not in team.user_ids:
            return (
                "user_id",
                record.browse(),
                self.env._(
                    "the user %(login)s is not a member of the group %(team)s",
                    login=record.login,
                    team=team.name,
                ),
            )
        return "user_id", record, problem

    def _mailgate_resolve_stage(self, value, user, team):
        stages = team._get_applicable_stages()
        record, problem = self._mailgate_pick(
            stages,
            value,
            lambda stage: self._mailgate_names(stage, user),
            self.env._('no status of this group is called "%(value)s"'),
            self.env._('%(count)s statuses of this group are called "%(value)s"'),
        )
        return "stage_id", record, problem

    def _mailgate_resolve_resolution(self, value, user, team):
        resolutions = self.env["helpdesk.ticket.resolution"].search([])
        record, problem = self._mailgate_pick(
            resolutions,
            value,
            lambda resolution: self._mailgate_names(resolution, user),
            self.env._('no resolution is called "%(value)s"'),
            self.env._('%(count)s resolutions are called "%(value)s"'),
        )
        return "resolution_id", record, problem

    @api.model
    def _mailgate_names(self, record, user):
        """A record's name in the sender's language and in English."""
        return {
            record.with_context(lang=user.lang or "en_US").name,
            record.with_context(lang="en_US").name,
        }

    # ------------------------------------------------------------
    # Work units
    # ------------------------------------------------------------

    @api.model
    def _mailgate_default_time_used(self):
        """Hours of a follow-up without ``[WORKUNIT]`` (0: no work unit).

        The setting is installed at 0.25 h, as in Integria; Odoo's settings
        screen stores 0 by removing the parameter, so an absent one means 0.
        """
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("helpdesk_mgmt_mailgate.default_time_used")
        )
        try:
            return float(value or 0)
        except ValueError:
            _logger.warning("Invalid default time used %r: no work unit", value)
            return 0.0

    def _mailgate_log_work(self, msg_dict, user, hours):
        """Create the work unit of a mail, and its timesheet line when the
        helpdesk records timesheets. The same mail never comes here
        twice: Odoo's gateway drops a Message-ID it already has, and a failed
        mail's work unit is rolled back with the rest of it.

        :return: the ``TimesheetOutcome`` of the work unit's timesheet line
        """
        workunit = (
            self.env["helpdesk.ticket.workunit"]
            .sudo()
            .create(
                {
                    "ticket_id": self.id,
                    "message_id": msg_dict.get("message_id"),
                    "user_id": user.id,
                    "partner_id": msg_dict.get("author_id") or user.partner_id.id,
                    "hours": hours,
                }
            )
        )
        return workunit._mailgate_log_timesheet(
            user, msg_dict.get("body"), msg_dict.get("date")
        )

    # ------------------------------------------------------------
    # Replies
    # ------------------------------------------------------------

    def _mailgate_answer_sender(self, msg_dict, problems, dropped, not_done=()):
        """Send the sender one reply, when there is something to say: every
        problem of its commands, the attachments that were not stored, and
        what else was not done (``not_done``: the timesheet line).

        The reply is an automatic answer (``Auto-Submitted: auto-replied``),
        threaded on the sender's mail, from and replying to the ticket's
        queue, and kept in the chatter as an internal note for the agents.
        """
        self.ensure_one()
        if not problems and not dropped and not not_done:
            return
        parts = []
        if problems:
            parts.append(
                Markup("<p>%s</p><ul>%s</ul><p>%s</p>")
                % (
                    self.env._(
                        "The commands of your mail to ticket %(number)s were not "
                        "applied:",
                        number=self.number,
                    ),
                    _html_list(problems),
                    self.env._(
                        "A block with a problem changes nothing; your text "
                        "was added to the ticket as a comment. Correct the block "
                        "and send it again."
                    ),
                )
            )
        if dropped:
            parts.append(
                Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "These attachments of your mail to ticket %(number)s were "
                        "not stored:",
                        number=self.number,
                    ),
                    _html_list(dropped),
                )
            )
        if not_done:
            parts.append(
                Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "Your mail was added to ticket %(number)s, but this was "
                        "not done:",
                        number=self.number,
                    ),
                    _html_list(not_done),
                )
            )
        body = Markup().join(parts)
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
                "body": body,
                "model": self._name,
                "res_id": self.id,
                "message_type": "email_outgoing",
                "subtype_id": self.env.ref("mail.mt_note").id,
                "auto_delete": False,
            }
        )

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
        """``body`` with its email addresses masked when masking is on."""
        if not body or not self._mailgate_masking_enabled():
            return body
        return Markup(masking.mask_emails_in_html(body))

    @api.model
    def _mailgate_masking_enabled(self):
        return bool(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("helpdesk_mgmt_mailgate.mask_email_addresses")
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


def _timesheet_problems(timesheet):
    return [timesheet.problem] if timesheet and timesheet.problem else []


def _html_list(items):
    return Markup().join(Markup("<li>%s</li>") % item for item in items)
