# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import contextlib
import logging
from datetime import timedelta

import odoo
from odoo import api, fields, models
from odoo.tools import SQL, email_normalize
from odoo.tools.mail import decode_message_header

from ..tools.headers import parse_headers, without_nul

_logger = logging.getLogger(__name__)

PURGED_STATES = ("created", "updated", "ignored")
# Which mails are being processed: one row per raw mail (its SHA-256), with
# the transaction that last started it and how many starts in a row ended
# without that transaction ending (helpdesk.mailgate.log._mailgate_start).
STARTS_TABLE = "helpdesk_mailgate_log_start"
STARTS_KEPT_DAYS = 2


class HelpdeskMailgateLog(models.Model):
    """One record for every mail that reaches a helpdesk queue or a helpdesk
    fetchmail server, with what became of it (readme/USAGE.md, "6. The mail log").

    A mail whose processing failed keeps its raw source here, for managers
    only, until a manager reprocesses it: the same record then tells what
    became of it, so each mail has exactly one record."""

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
        string="Reason", help="What was not done and why, or the error raised."
    )
    # In the record's own row, not an attachment: ir.attachment's search and
    # /web/content check the record's access, not the field's groups, so a
    # helpdesk user could read every failed mail whole through them.
    raw_source = fields.Binary(
        attachment=False,
        groups="helpdesk_mgmt.group_helpdesk_manager",
        help="The mail as received, kept until a failed mail is processed.",
    )
    model = fields.Char(
        string="Fallback model",
        help="The fallback model the mail was processed with (the target of "
        "its fetchmail server), used again when it is reprocessed.",
    )
    attempts = fields.Integer(default=1, help="How many times the mail was tried.")

    def init(self):
        super().init()
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s (
                       digest varchar PRIMARY KEY,
                       attempts integer NOT NULL,
                       txid bigint NOT NULL,
                       date timestamp NOT NULL DEFAULT (now() at time zone 'utc'))""",
                SQL.identifier(STARTS_TABLE),
            )
        )

    # ------------------------------------------------------------
    # Interrupted processing
    # ------------------------------------------------------------

    @api.model
    def _mailgate_start(self, digest):
        """Note, committed at once on a cursor of its own, that this
        transaction starts processing the mail of SHA-256 ``digest``; return
        how many starts in a row it has had, this one included, whose
        transaction never ended.

        A worker killed in the middle of a mail (a time limit, the OOM
        killer) commits nothing, not even the mail's failed record: the same
        mail would come first on every run, forever. The note records the
        transaction (``txid_current()``); at the next start, PostgreSQL says
        whether that transaction committed (the mail's outcome is in: the
        count starts again), aborted (the worker died: one more), or is
        still running (another worker has the same mail now: unchanged). A
        start in the same transaction (reprocessing, tests) starts again.
        Nothing is written in the mail's own transaction, so the log keeps
        one record per mail. The note's commit does not wait for the WAL to
        reach the disk (``synchronous_commit = off``): every helpdesk mail
        pays for it, and a note lost with PostgreSQL itself only gives a
        mail one more try. A failure to note is logged and counts as a
        first start: the note never stops a mail.

        :param str digest: the raw mail's SHA-256, hex
        :return: the number of starts, at least 1
        """
        self.env.cr.execute("SELECT txid_current()")
        txid = self.env.cr.fetchone()[0]
        try:
            with self._mailgate_start_cursor() as cr:
                cr.execute(
                    SQL(
                        """SET LOCAL lock_timeout = '10s';
                           SET LOCAL synchronous_commit = off;
                           INSERT INTO %(table)s AS start (digest, attempts, txid)
                           VALUES (%(digest)s, 1, %(txid)s)
                           ON CONFLICT (digest) DO UPDATE SET
                               attempts = CASE
                                   WHEN start.txid = EXCLUDED.txid THEN 1
                                   WHEN txid_status(start.txid) = 'aborted'
                                       THEN start.attempts + 1
                                   WHEN txid_status(start.txid) = 'in progress'
                                       THEN start.attempts
                                   ELSE 1 END,
                               txid = EXCLUDED.txid,
                               date = now() at time zone 'utc'
                           RETURNING attempts""",
                        table=SQL.identifier(STARTS_TABLE),
                        digest=digest,
                        txid=txid,
                    )
                )
                return cr.fetchone()[0]
        except Exception:  # never stop a mail for its note
            _logger.warning(
                "Helpdesk mail gateway: could not note the start of mail %s",
                digest,
                exc_info=True,
            )
            return 1

    @api.model
    def _mailgate_unstart(self, digest):
        """Forget the last start of a mail whose transaction is rolled back
        to be retried (a concurrency error): it was not interrupted."""
        try:
            with self._mailgate_start_cursor() as cr:
                cr.execute(
                    SQL(
                        "UPDATE %s SET attempts = greatest(attempts - 1, 0)"
                        " WHERE digest = %s",
                        SQL.identifier(STARTS_TABLE),
                        digest,
                    )
                )
        except Exception:  # the note is a help, never a reason to fail
            _logger.warning(
                "Helpdesk mail gateway: could not forget the start of mail %s",
                digest,
                exc_info=True,
            )

    @api.model
    def _mailgate_start_cursor(self):
        """A cursor of its own, committed at once, for the notes of started
        mails; in a test, the test's own transaction: a test is rolled back,
        and a note committed outside it would take every test's rollback for
        an interrupted processing."""
        if odoo.modules.module.current_test:
            return contextlib.nullcontext(self.env.cr)
        return self.env.registry.cursor()

    @api.model
    def _mailgate_interrupted_reason(self):
        return self.env._(
            "Processing was interrupted twice (the worker was stopped while "
            "processing this mail, e.g. by a time limit or lack of memory): it is "
            "not tried again until a manager reprocesses it."
        )

    # ------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------

    @api.model
    def _mailgate_record(
        self, facts, state, team=None, ticket=None, commands=None, note=None
    ):
        """Record what became of a mail.

        A mail that failed before keeps its record: it is updated, so a mail
        has one record however often it is tried.

        :param facts: the mail's ``MailFacts`` (tools/headers.py);
        :param str state: the outcome, a key of ``state``;
        :param team: the queue's ``helpdesk.ticket.team``, if any;
        :param ticket: the ``helpdesk.ticket`` created or updated, if any;
        :param str commands: what the mail's commands changed;
        :param str note: the reason for anything not done;
        :return: the log record
        """
        values = {
            "message_id": facts.message_id or False,
            "email_from": facts.sender or facts.email_from or False,
            "subject": facts.subject or False,
            "state": state,
            "team_id": team.id if team else False,
            "ticket_id": ticket.id if ticket else False,
            "commands": commands or False,
            "error": note or False,
        }
        earlier = self._mailgate_failed_record(facts.message_id)
        if earlier:
            earlier.sudo().write(
                without_nul(values)
                | {"raw_source": False, "date": fields.Datetime.now()}
            )
            return earlier
        return self._mailgate_insert(values)

    @api.model
    def _mailgate_record_failure(self, raw, model, error=None, reason=None):
        """Keep a mail whose processing raised, whole, with the error.

        :param bytes raw: the mail as received;
        :param str model: the fallback model it was processed with;
        :param Exception error: what was raised;
        :param str reason: why the mail failed, when nothing was raised
        :return: the ``failed`` log record
        """
        headers = parse_headers(raw)
        message_id = _header(headers, "Message-Id")
        reason = reason or f"{type(error).__name__}: {error}"
        earlier = self._mailgate_failed_record(message_id)
        if earlier:
            earlier.sudo().write(
                without_nul(
                    {
                        "error": reason,
                        "attempts": earlier.attempts + 1,
                        "date": fields.Datetime.now(),
                    }
                )
            )
            return earlier
        return self._mailgate_insert(
            {
                "message_id": message_id,
                "email_from": email_normalize(_header(headers, "From"))
                or _header(headers, "From"),
                "subject": _header(headers, "Subject"),
                "state": "failed",
                "error": reason,
                "model": model or False,
                "raw_source": base64.b64encode(raw),
            }
        )

    @api.model
    def _mailgate_insert(self, values):
        """Insert a new log record with one query, as superuser, and return it.

        Every helpdesk mail writes one, on the gateway's hot path, and nothing
        computes from it: like Odoo's own ``ir.logging`` it is written with a
        single INSERT, which costs a mail about a millisecond less than the
        ORM's ``create``; it is read and changed through the ORM. The values
        are converted as ``create`` converts them (``convert_to_column_insert``),
        their texts lose any NUL character, and the record is dated now.

        :param dict values: field name -> value, for stored fields of this model
        :return: the new record
        """
        now = self.env.cr.now()
        row = {"date": now, "attempts": 1} | without_nul(values)
        row |= {
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        records = self.sudo()
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES (%s) RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in row),
                SQL(", ").join(
                    SQL(
                        "%s",
                        self._fields[name].convert_to_column_insert(value, records),
                    )
                    for name, value in row.items()
                ),
            )
        )
        return records.browse(self.env.cr.fetchone()[0])

    @api.model
    def _mailgate_failed_record(self, message_id):
        """The failed record of the mail being reprocessed, or of the same
        Message-ID (a mail fetched again after failing)."""
        reprocessed = self.env.context.get("mailgate_reprocess_log_id")
        if reprocessed:
            return self.sudo().browse(reprocessed).exists()
        if not message_id:
            return self.browse()
        # Every helpdesk mail asks, and almost none has one: one indexed
        # query, without the ORM's search machinery.
        self.flush_model(["message_id", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM helpdesk_mailgate_log"
                " WHERE message_id = %s AND state = 'failed' LIMIT 1",
                message_id,
            )
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_reprocess(self):
        """Process failed mails again, after their cause was fixed.

        Each runs through the gateway as when it arrived, in its own
        savepoint, and its record tells the new outcome. A mail is processed
        at most once: a record that is no longer ``failed`` is left alone, and
        Odoo's duplicate Message-ID check stops a mail already processed.
        """
        self.check_access("write")
        thread = self.env["mail.thread"].sudo()
        for log in self.sudo().filtered(lambda log: log.state == "failed"):
            if not log.raw_source:
                log.error = self.env._("The raw source is gone: cannot reprocess.")
                continue
            raw = base64.b64decode(log.raw_source)
            __, failure = thread.with_context(
                mailgate_reprocess_log_id=log.id
            )._mailgate_process_safely(log.model or None, raw)
            if not failure and log.state == "failed":
                # Processed, but nothing recorded: the mail was a duplicate or
                # went to another application.
                log.write(
                    {
                        "state": "ignored",
                        "raw_source": False,
                        "error": self.env._(
                            "Reprocessed: nothing to do for the helpdesk (already "
                            "processed, or not a helpdesk mail)."
                        ),
                    }
                )
        return True

    # ------------------------------------------------------------
    # Purge
    # ------------------------------------------------------------

    @api.model
    def _cron_purge(self):
        """Delete old records of processed mails; failed and rejected ones
        stay until a manager deletes them. The notes of started mails go
        after two days."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE date < %s",
                SQL.identifier(STARTS_TABLE),
                fields.Datetime.now() - timedelta(days=STARTS_KEPT_DAYS),
            )
        )
        days = self._mailgate_retention_days()
        if days <= 0:
            return
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.sudo().search([("state", "in", PURGED_STATES), ("date", "<", limit)])
        _logger.info("Purging %s mail log records older than %s days", len(old), days)
        old.unlink()

    @api.model
    def _mailgate_retention_days(self):
        """Days the records of processed mails are kept (0: forever).

        The setting is installed at 30 days; Odoo's settings screen stores 0
        by removing the parameter, so an absent one means 0.
        """
        return self.env["ir.config_parameter"]._mailgate_get(
            "helpdesk_mgmt_mailgate.log_retention_days", int
        )


def _header(message, name):
    """A header of a possibly broken mail, decoded as Odoo's gateway does."""
    try:
        return decode_message_header(message, name)
    except Exception:  # broken encodings: keep the raw text, never fail here
        raw = next(
            (
                value
                for key, value in message.raw_items()
                if key.lower() == name.lower()
            ),
            "",
        )
        return str(raw).replace("\r", " ").replace("\n", " ")
