# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from functools import partial
from imaplib import IMAP4

from odoo import _, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import retrying

from odoo.addons.mail.models.fetchmail import MAX_POP_MESSAGES

_logger = logging.getLogger(__name__)


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def fetch_mail(self, raise_exception=True):
        """Fetch the helpdesk servers (target model ``helpdesk.ticket``) so
        that no mail is lost; the others as Odoo does.

        Odoo's loop marks a failed IMAP mail as seen and keeps nothing of it,
        and commits whatever the failed processing had done. Here each mail
        runs in a savepoint (``mail.thread._mailgate_process_safely``); a
        failed mail is kept whole in the mail log, and on the server: an IMAP
        mail stays unseen and gets the ``\\Flagged`` flag (flagged mail is not
        fetched again: a manager reprocesses it from the log), a POP mail is
        not deleted (POP has no flags: it is tried again on the next fetch,
        and its log record counts the attempts). The next mail goes through
        either way.
        """
        helpdesk_servers = self.filtered(
            lambda server: server.object_id.model == "helpdesk.ticket"
            and server._get_connection_type() in ("imap", "pop")
        )
        super(FetchmailServer, self - helpdesk_servers).fetch_mail(
            raise_exception=raise_exception
        )
        for server in helpdesk_servers:
            _logger.info(
                "start checking for new emails on %s server %s",
                server.server_type,
                server.name,
            )
            try:
                if server._get_connection_type() == "imap":
                    count, failed = server._mailgate_fetch_imap()
                else:
                    count, failed = server._mailgate_fetch_pop()
                _logger.info(
                    "Fetched %d email(s) on %s server %s; %d succeeded, %d failed.",
                    count,
                    server.server_type,
                    server.name,
                    count - failed,
                    failed,
                )
            except Exception as error:
                if raise_exception:
                    raise ValidationError(
                        _(
                            "Couldn't get your emails. Check out the error "
                            "message below for more info:\n%s",
                            error,
                        )
                    ) from error
                _logger.warning(
                    "General failure when trying to fetch mail from %s server %s.",
                    server.server_type,
                    server.name,
                    exc_info=True,
                )
            server.write({"date": fields.Datetime.now()})
        return True

    def _mailgate_process_fetched(self, raw):
        """Process one fetched mail in a transaction of its own, as Odoo's
        own fetch loop does (the server's flags and the database must agree
        if the next mail crashes the run), retried like an RPC call when it
        meets a concurrent transaction (another worker taking a reply to the
        same ticket).

        :return: True when the mail failed (and was kept in the mail log)
        """
        process = partial(
            self.env["mail.thread"]
            .with_context(
                fetchmail_cron_running=True, default_fetchmail_server_id=self.id
            )
            ._mailgate_process_safely,
            self.object_id.model,
            raw,
            save_original=self.original,
            strip_attachments=not self.attach,
        )
        __, failure = retrying(process, self.env)  # commits
        return bool(failure)

    def _mailgate_fetch_imap(self):
        """:return: ``(count, failed)`` for one IMAP run"""
        imap_server = self.connect()
        try:
            imap_server.select()
            __, data = imap_server.search(None, "(UNSEEN UNFLAGGED)")
            numbers = data[0].split()
            failed = 0
            for number in numbers:
                __, fetched = imap_server.fetch(number, "(BODY.PEEK[])")
                if self._mailgate_process_fetched(fetched[0][1]):
                    imap_server.store(number, "+FLAGS", "\\Flagged")
                    failed += 1
                else:
                    imap_server.store(number, "+FLAGS", "\\Seen")
            return len(numbers), failed
        finally:
            try:
                imap_server.close()
                imap_server.logout()
            except (OSError, IMAP4.abort):
                _logger.warning(
                    "Failed to properly finish imap connection: %s.",
                    self.name,
                    exc_info=True,
                )

    def _mailgate_fetch_pop(self):
        """:return: ``(count, failed)`` for one POP run (at most
        ``MAX_POP_MESSAGES`` mails, as Odoo)"""
        pop_server = self.connect()
        try:
            (num_messages, __) = pop_server.stat()
            pop_server.list()
            count = min(MAX_POP_MESSAGES, num_messages)
            failed = 0
            for number in range(1, count + 1):
                (__, lines, __) = pop_server.retr(number)
                if self._mailgate_process_fetched(b"\n".join(lines)):
                    failed += 1
                else:
                    pop_server.dele(number)
            return count, failed
        finally:
            try:
                pop_server.quit()
            except OSError:
                _logger.warning(
                    "Failed to properly finish pop connection: %s.",
                    self.name,
                    exc_info=True,
                )
