# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import email_normalize


class HelpdeskMailgateLog(models.Model):
    """One record for every mail that reaches a helpdesk queue or a helpdesk
    fetchmail server, with what became of it (SPEC section 7)."""

    _name = "helpdesk.mailgate.log"
    _description = "Helpdesk Mail Log"
    _order = "date desc, id desc"
    _rec_name = "subject"

    date = fields.Datetime(default=fields.Datetime.now, required=True, index=True)
    message_id = fields.Char(string="Message-ID", index="btree_not_null")
    email_from = fields.Char(string="Sender")
    subject = fields.Char()
    state = fields.Selection(
        selection=[
            ("created", "Ticket created"),
            ("updated", "Ticket updated"),
            ("ignored", "Ignored"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
        ],
        string="Outcome",
        required=True,
        index=True,
    )
    team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team", string="Queue", ondelete="set null"
    )
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket", ondelete="set null", index="btree_not_null"
    )
    commands = fields.Text(help="What the mail's command blocks changed.")
    error = fields.Text(
        string="Reason", help="Why anything was not done, or the error raised."
    )

    @api.model
    def _mailgate_record(
        self, msg_dict, state, team=None, ticket=None, commands=None, note=None
    ):
        """Record what became of a mail.

        :param dict msg_dict: the mail as parsed by ``mail.thread.message_parse``;
        :param str state: the outcome, a key of ``state``;
        :param team: the queue's ``helpdesk.ticket.team``, if any;
        :param ticket: the ``helpdesk.ticket`` created or updated, if any;
        :param str commands: what the mail's commands changed;
        :param str note: the reason for anything not done;
        :return: the new log record
        """
        return self.sudo().create(
            {
                "message_id": msg_dict.get("message_id"),
                "email_from": email_normalize(msg_dict.get("email_from") or "")
                or msg_dict.get("email_from"),
                "subject": msg_dict.get("subject"),
                "state": state,
                "team_id": team.id if team else False,
                "ticket_id": ticket.id if ticket else False,
                "commands": commands or False,
                "error": note or False,
            }
        )
