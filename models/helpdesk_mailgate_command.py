# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The command blocks of a mail, in three steps with a frozen result each.

1. reading (:meth:`HelpdeskMailgateCommand._read_commands`): the mail's new
   text, from HTML to text to blocks, with the parser's problems;
2. vetting (:meth:`HelpdeskMailgateCommand._vet_commands`): authentication,
   the sender's rights on this ticket (access rights and record rules, as in
   the interface), and the names of records resolved as the sender sees them;
3. applying (:meth:`HelpdeskMailgateCommand._apply_commands`): the ticket
   written as the sender, the work unit logged, the applied blocks removed
   from the body.

A service model (``AbstractModel``), so the steps read as one story in one
file and the ticket keeps the gateway surface; the ticket and the mail's
``MailFacts`` are passed in, and the work is logged by the work unit model:
nothing here calls the ticket's own methods.
"""

import logging
from dataclasses import dataclass

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html_sanitize

from ..tools import authentication, command_block, html_text, quoting
from ..tools.command_block import (
    INCIDENT,
    MAX_LISTED_PROBLEMS,
    WORKUNIT,
    CommandBlock,
    ParsedCommands,
)
from ..tools.display import visible

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadCommands:
    """What the new text of a mail asks (step 1).

    :param parsed: the blocks found, None when the body names no marker
    :param problems: ``(line, text)`` of the parser's problems, translated
        (at most ``command_block.MAX_LISTED_PROBLEMS`` a block)
    """

    parsed: ParsedCommands | None
    problems: tuple[tuple[int, str], ...] = ()

    @property
    def unlisted_problems(self) -> int:
        """:return: how many more problems the parser found than it listed"""
        return self.parsed.unlisted_problems if self.parsed else 0

    @property
    def valid_blocks(self) -> tuple[CommandBlock | None, CommandBlock | None]:
        """:return: ``(incident, workunit)``, each None unless valid"""
        if not self.parsed:
            return None, None
        return tuple(
            block if block and block.is_valid else None
            for block in (self.parsed.incident, self.parsed.workunit)
        )


@dataclass(frozen=True)
class VettedCommands:
    """What may be applied, as the sender (step 2).

    :param incident: the ``[INCIDENT]`` block to apply, else None
    :param incident_values: its ticket values, as ``(field, value)`` pairs
    :param workunit: the ``[WORKUNIT]`` block to apply, else None
    :param hours: the time to log: the block's, else the default time of a
        follow-up, else None (no work unit)
    :param problems: ``(line, text)`` of every problem so far
    :param notes: what was not done and why, for the mail log
    :param unlisted_problems: how many more problems the parser found
    """

    incident: CommandBlock | None
    incident_values: tuple[tuple[str, object], ...]
    workunit: CommandBlock | None
    hours: float | None
    problems: tuple[tuple[int, str], ...]
    notes: tuple[str, ...] = ()
    unlisted_problems: int = 0


@dataclass(frozen=True)
class CommandOutcome:
    """What a mail's commands did (step 3).

    :param body: the HTML body to post: masked when masking is on, the
        applied blocks removed
    :param applied: whether a block was applied (and removed from ``body``)
    :param done: what was changed, one line each
    :param problems: the problems, ``line N: ...`` each, in the sender's
        words (unmasked: mask them wherever agents read them), at most
        ``MAX_LISTED_PROBLEMS`` and a last line saying how many more
    :param notes: what was not done and why, for the mail log
    :param not_done: what failed although the commands were right (the
        timesheet line of the work unit), for the sender and the mail log
    """

    body: str
    applied: bool = False
    done: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    not_done: tuple[str, ...] = ()


class HelpdeskMailgateCommand(models.AbstractModel):
    _name = "helpdesk.mailgate.command"
    _description = "Helpdesk Mail Commands"

    # ------------------------------------------------------------
    # Commands
    # ------------------------------------------------------------

    @api.model
    def _process_commands(
        self, ticket, facts, user, author, body, masked_body, is_new=False
    ):
        """Read, vet and apply the command blocks of a mail to ``ticket``,
        and log its work.

        :param ticket: the ``helpdesk.ticket``, in the sender's language;
        :param facts: the mail's ``MailFacts``;
        :param user: the sender's ``res.users`` (empty for no user);
        :param author: the sender's ``res.partner`` (the comment's author);
        :param body: the mail's HTML body, as received: commands are read
            from it before masking (``ASSIGNED_TO`` may name an address);
        :param masked_body: the same body as it is posted (masked when
            masking is on): applied blocks are removed from it;
        :param bool is_new: whether the mail created the ticket (no default
            work unit then: only follow-ups count);
        :return: the :class:`CommandOutcome`
        """
        ticket.ensure_one()
        self = self.with_env(ticket.env)  # the sender's language
        read = self._read_commands(body or "")
        vetted = self._vet_commands(ticket, read, facts, user, is_new)
        return self._apply_commands(
            ticket, vetted, facts, user, author, masked_body or ""
        )

    @api.model
    def _unread_commands(self, body):
        """The outcome of a mail whose commands are not read (automatic mail)."""
        return CommandOutcome(body=body)

    @api.model
    def _read_commands(self, body):
        """Step 1: the blocks of the new part of an HTML body.

        Only the new part of the mail is read: Odoo's quote detection tags the
        quoted history of HTML mail, :func:`html_text.html_to_text` leaves it
        out, and :func:`quoting.cut_quoted_history` cuts the textual reply
        headers and ``>`` lines it does not catch. Text that the body's
        inline styles hide from the reader is marked, and a block holding
        some is refused (``hidden_block``): Odoo's sanitizer keeps the
        ``style`` and ``hidden`` attributes it is judged by.

        :return: the :class:`ReadCommands`
        """
        if not command_block.may_hold_commands(body):
            return ReadCommands(parsed=None)
        text = quoting.cut_quoted_history(
            html_text.html_to_text(html_sanitize(body), mark_hidden=True)
        )
        parsed = command_block.parse_commands(text)
        return ReadCommands(
            parsed=parsed,
            problems=tuple(
                (problem.line, problem.describe(self.env._))
                for problem in parsed.problems
            ),
        )

    @api.model
    def _vet_commands(self, ticket, read, facts, user, is_new):
        """Step 2: what of the valid blocks the sender may apply, as them.

        Each block is all or nothing: a problem in a block keeps all of it
        from being applied. When the team takes commands from authenticated
        senders only, the blocks of other mail are refused. A sender who is
        an internal user that the record rules keep from working on the
        ticket logs no time on it at all.

        :return: the :class:`VettedCommands`
        """
        problems = list(read.problems)
        notes = []
        incident, workunit = read.valid_blocks
        refusal = (incident or workunit) and self._authentication_refusal(ticket, facts)
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
        # One record-rule check for the whole mail, and only when needed.
        hours = None if is_new else self._default_time_used()
        may_write = None
        if user and not user.share and (incident or workunit or hours):
            may_write = ticket.with_user(user).has_access("write")
        values = {}
        if incident:
            block_problems = self._sender_problems(ticket, user, incident, may_write)
            if not block_problems:
                values, block_problems = self._incident_values(ticket, incident, user)
            problems += block_problems
            if block_problems:
                incident = None
        if workunit:
            block_problems = self._sender_problems(ticket, user, workunit, may_write)
            problems += block_problems
            if block_problems:
                workunit = None
            else:
                hours = command_block.parse_hours(workunit.get("TIME_USED").value)
        if hours and may_write is False:
            notes.append(
                self.env._(
                    "No work unit: %(login)s may not work on this ticket.",
                    login=user.login,
                )
            )
            hours = None
        return VettedCommands(
            incident=incident,
            incident_values=tuple(values.items()),
            workunit=workunit,
            hours=hours,
            problems=tuple(problems),
            notes=tuple(notes),
            unlisted_problems=read.unlisted_problems,
        )

    @api.model
    def _apply_commands(self, ticket, vetted, facts, user, author, body):
        """Step 3: write the ticket as the sender, log the work, and remove
        the applied blocks from ``body`` (the masked HTML to post).

        :return: the :class:`CommandOutcome`
        """
        problems = list(vetted.problems)
        done, applied_kinds = [], []
        if vetted.incident:
            error = self._write_as(ticket, user, dict(vetted.incident_values))
            if error:
                problems.append((vetted.incident.start_line, error))
            else:
                applied_kinds.append(INCIDENT)
                done += [
                    f"{field.key}: {visible(field.value)}"
                    for field in vetted.incident.fields
                ]
        hours = vetted.hours
        if vetted.workunit:
            applied_kinds.append(WORKUNIT)
        if applied_kinds:
            body = Markup(command_block.remove_blocks_from_html(body, applied_kinds))
        not_done = ()
        if hours:
            timesheet = self.env["helpdesk.ticket.workunit"]._mailgate_log_work(
                ticket,
                facts,
                user,
                author,
                hours,
                as_sender=bool(vetted.workunit),
                comment=body,
            )
            done.append(self.env._("Work unit: %(hours)s h", hours=hours))
            done += [timesheet.note] if timesheet.note else []
            not_done = (timesheet.problem,) if timesheet.problem else ()
        problems.sort()
        return CommandOutcome(
            body=body,
            applied=bool(applied_kinds),
            done=tuple(done),
            problems=self._bounded(
                [
                    self.env._("line %(line)s: %(problem)s", line=line, problem=text)
                    for line, text in problems
                ],
                vetted.unlisted_problems,
            ),
            notes=vetted.notes,
            not_done=not_done,
        )

    @api.model
    def _bounded(self, problems, unlisted=0):
        """At most ``MAX_LISTED_PROBLEMS`` problem lines, and a last line
        saying how many more there were: a hostile mail with thousands of bad
        lines must not make a reply or a log record of megabytes.

        :param list problems: the problem lines, in line order;
        :param int unlisted: problems the parser found but did not list;
        :return: tuple of problem lines
        """
        more = max(len(problems) - MAX_LISTED_PROBLEMS, 0) + unlisted
        if not more:
            return tuple(problems)
        return tuple(problems[:MAX_LISTED_PROBLEMS]) + (
            self.env._(
                "... and %(count)s more problems (only the first %(limit)s are "
                "listed).",
                count=more,
                limit=MAX_LISTED_PROBLEMS,
            ),
        )

    # ------------------------------------------------------------
    # Vetting
    # ------------------------------------------------------------

    @api.model
    def _authentication_refusal(self, ticket, facts):
        """Why commands are refused when the team requires authenticated
        senders and no trusted server authenticated this mail, else None.

        :return: the reason, or None
        """
        team = ticket.team_id
        if not team.mailgate_require_authentication:
            return None
        domain = facts.sender.rpartition("@")[2]
        if authentication.sender_authenticated(
            facts.auth_results,
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

    @api.model
    def _sender_problems(self, ticket, user, block, may_write):
        """Problems that keep ``user`` from applying ``block`` to ``ticket``
        at all: changing tickets by mail is for helpdesk users who may change
        this ticket in the interface (access rights and record rules) and,
        for a ``[WORKUNIT]``, create work units (readme/CONFIGURE.md, "7. Agents").

        :param bool may_write: whether ``user`` may write ``ticket``"""
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
        may = bool(may_write)
        if may and block.kind == WORKUNIT:
            may = (
                self.env["helpdesk.ticket.workunit"]
                .with_user(user)
                .has_access("create")
            )
        if not may:
            return [(block.start_line, self._refused_text(ticket, user, block.kind))]
        return []

    @api.model
    def _refused_text(self, ticket, user, kind):
        """The sender's words for a change their rights refuse: what was
        refused, not the internal records (groups, rules) that refused it."""
        return self.env._(
            "[%(kind)s] not applied: the user %(login)s may not make this change "
            "on ticket %(number)s (their access rights in the helpdesk do not "
            "allow it).",
            kind=kind,
            login=user.login,
            number=ticket.number,
        )

    @api.model
    def _write_as(self, ticket, user, values):
        """Write ``values`` on ``ticket`` as ``user``, in a savepoint.

        :return: None when written, else the problem text for the sender
        """
        try:
            with self.env.cr.savepoint():
                ticket.with_user(user).write(values)
        except AccessError:
            _logger.info(
                "Helpdesk mail gateway: %s may not write %s on %s",
                user.login,
                sorted(values),
                ticket.number,
            )
            return self._refused_text(ticket, user, INCIDENT)
        except (UserError, ValidationError) as error:
            return self.env._(
                "[INCIDENT] not applied: %(error)s",
                error=getattr(error, "args", [str(error)])[0],
            )
        return None

    @api.model
    def _incident_values(self, ticket, block, user):
        """Map an ``[INCIDENT]`` block's fields to ticket values, each key by
        its ``_resolve_<key>`` method into the field of
        ``command_block.INCIDENT_KEYS``.

        Names are looked up as ``user`` sees them; an unknown or ambiguous
        name is a problem with a did-you-mean hint.

        :return: ``(values, problems)``
        """
        values, problems = {}, []
        team = ticket.team_id
        for key, field_name in command_block.INCIDENT_KEYS.items():
            field = block.get(key)
            if not field:
                continue
            resolve = getattr(self, f"_resolve_{key.lower()}")
            value, problem = resolve(field.value, user, team)
            if problem:
                problems.append((field.line, problem))
                continue
            values[field_name] = value
            if key == "GROUP":  # the other keys are valid for the new team
                team = team.browse(value)
        return values, problems

    @api.model
    def _pick(self, records, value, names_of, unknown, ambiguous):
        """Find the one record of ``records`` named ``value``.

        :param names_of: record -> the names it answers to (languages);
        :param str unknown: the translated problem when none is named so,
            with a ``%(value)s`` placeholder;
        :param str ambiguous: the translated problem when several are, with
            ``%(value)s`` and ``%(count)s`` placeholders;
        :return: ``(record id, problem)``, one of them empty
        """
        wanted = value.strip().casefold()
        shown = visible(value)
        found = records.filtered(
            lambda record: wanted in {name.casefold() for name in names_of(record)}
        )
        if len(found) == 1:
            return found.id, None
        if found:
            return False, ambiguous % {"value": shown, "count": len(found)}
        hint = command_block.suggest(
            value, [name for record in records for name in names_of(record)]
        )
        problem = unknown % {"value": shown}
        if hint:
            # The parser's own hint sentence: one msgid for every "did you mean".
            problem += self.env._(command_block.HINT_MESSAGE).format(hint=hint)
        return False, problem

    @api.model
    def _pick_translated(self, records, value, user, unknown, ambiguous):
        """:meth:`_pick` among records named in the sender's language or in
        English (stages, resolutions)."""
        return self._pick(
            records, value, lambda record: self._names(record, user), unknown, ambiguous
        )

    # One ``_resolve_<key>`` per key of ``command_block.INCIDENT_KEYS``:
    # ``(value, user, team) -> (field value, problem)``, one of them empty.

    @api.model
    def _resolve_group(self, value, user, team):
        return self._pick(
            self.env["helpdesk.ticket.team"].with_user(user).search([]),
            value,
            lambda team: {team.name, team.complete_name},
            self.env._('no group (team) is called "%(value)s"'),
            self.env._('%(count)s groups (teams) are called "%(value)s"'),
        )

    @api.model
    def _resolve_assigned_to(self, value, user, team):
        users = self.env["res.users"].sudo().search([("share", "=", False)])
        found, problem = self._pick(
            users,
            value,
            lambda candidate: {candidate.login, candidate.email or ""} - {""},
            self.env._('no user has the login or address "%(value)s"'),
            self.env._('%(count)s users have the login or address "%(value)s"'),
        )
        if found and team.user_ids and found not in team.user_ids.ids:
            return False, self.env._(
                "the user %(login)s is not a member of the group %(team)s",
                login=users.browse(found).login,
                team=team.name,
            )
        return found, problem

    @api.model
    def _resolve_priority(self, value, user, team):
        # The parser has checked the value: it is a level.
        return command_block.priority_key(value), None

    @api.model
    def _resolve_status(self, value, user, team):
        return self._pick_translated(
            team._get_applicable_stages(),
            value,
            user,
            self.env._('no status of this group is called "%(value)s"'),
            self.env._('%(count)s statuses of this group are called "%(value)s"'),
        )

    @api.model
    def _resolve_resolution(self, value, user, team):
        return self._pick_translated(
            self.env["helpdesk.ticket.resolution"].search([]),
            value,
            user,
            self.env._('no resolution is called "%(value)s"'),
            self.env._('%(count)s resolutions are called "%(value)s"'),
        )

    @api.model
    def _names(self, record, user):
        """A record's name in the sender's language and in English."""
        return {
            record.with_context(lang=user.lang or "en_US").name,
            record.with_context(lang="en_US").name,
        }

    # ------------------------------------------------------------
    # Work units
    # ------------------------------------------------------------

    @api.model
    def _default_time_used(self):
        """Hours of a follow-up without ``[WORKUNIT]`` (0: no work unit).

        The setting is installed at 0.25 h, as in Integria; Odoo's settings
        screen stores 0 by removing the parameter, so an absent one means 0.
        It is rounded as a work unit stores its hours: a setting that rounds
        to 0 (0.001) or is negative logs no time, instead of failing every
        follow-up on the work unit's positive-hours check.
        """
        hours = round(
            self.env["ir.config_parameter"]._mailgate_get(
                "helpdesk_mgmt_mailgate.default_time_used", float
            ),
            command_block.HOURS_DIGITS,
        )
        return hours if hours > 0 else 0.0
