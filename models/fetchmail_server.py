# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time
from dataclasses import dataclass
from functools import partial
from imaplib import IMAP4

from odoo import _, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import retrying

from odoo.addons.mail.models.fetchmail import MAX_POP_MESSAGES

_logger = logging.getLogger(__name__)

# A cron run's budget for the helpdesk servers, checked between two mails:
# well within Odoo's cron time limit (``limit_time_real_cron``, else
# ``limit_time_real``: 120 s by default) even when the last mail is a big one.
# The cron triggers itself again while mail remains. Both can be changed with
# the system parameters of the same names.
FETCH_BATCH_SIZE = 200
FETCH_TIME_BUDGET = 45.0
# The keyword a failed mail gets on an IMAP server that accepts keywords: it is
# \Seen (its only copy that matters is in the mail log), and the keyword tells
# a person reading the mailbox why no ticket came of it. Never a flag people
# use, such as \Flagged.
FAILED_KEYWORD = "$HelpdeskFailed"


@dataclass(frozen=True)
class FetchResult:
    """What one run of a helpdesk server's fetch did.

    :param count: mails processed (each committed as a ticket, a comment or
        a failed log record)
    :param failed: of which failed (kept whole in the mail log)
    :param left: mails left on the server for the next run
    """

    count: int = 0
    failed: int = 0
    left: int = 0


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def fetch_mail(self, raise_exception=True):
        """Fetch the helpdesk servers (target model ``helpdesk.ticket``) so
        that no mail is lost; the others as Odoo does.

        A helpdesk server is fetched by the method named after its connection
        type, ``_mailgate_fetch_<type>`` (``imap``, ``pop``): adding a way in
        is one such method, with the contract of :meth:`_mailgate_fetch_imap`.

        Each mail runs in a savepoint (``mail.thread._mailgate_process_safely``)
        and is committed on its own: as a ticket, a comment, or a ``failed``
        log record that keeps it whole. Only then is the server's copy let go:
        an IMAP mail is marked ``\\Seen`` (a failed one also gets the
        ``$HelpdeskFailed`` keyword where the server allows keywords), a POP
        mail is deleted. The mail log is the quarantine: a manager reprocesses
        a failed mail from there. IMAP selects every unseen mail whatever its
        other flags (a starred unread mail is processed).

        A run takes at most ``FETCH_BATCH_SIZE`` mails per server and stops
        taking new ones after ``FETCH_TIME_BUDGET`` seconds; while mail
        remains, the fetchmail cron is triggered again, so a large backlog is
        worked off in bounded runs.
        """
        helpdesk_servers = self.filtered(
            lambda server: server.object_id.model == "helpdesk.ticket"
            and server._mailgate_fetcher()
        )
        super(FetchmailServer, self - helpdesk_servers).fetch_mail(
            raise_exception=raise_exception
        )
        budget = self._mailgate_budget()
        remaining = False
        for server in helpdesk_servers:
            _logger.info(
                "start checking for new emails on %s server %s",
                server.server_type,
                server.name,
            )
            try:
                result = server._mailgate_fetcher()(budget)
                remaining = remaining or bool(result.left)
                _logger.info(
                    "Fetched %d email(s) on %s server %s; %d succeeded, %d failed, "
                    "%d left for the next run.",
                    result.count,
                    server.server_type,
                    server.name,
                    result.count - result.failed,
                    result.failed,
                    result.left,
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
                    "General failure when trying to fetch mail from %s server %s; "
                    "the mails not yet processed stay on the server for the next "
                    "run.",
                    server.server_type,
                    server.name,
                    exc_info=True,
                )
            server.write({"date": fields.Datetime.now()})
        if remaining:
            cron = self.env.ref("mail.ir_cron_mail_gateway_action", False)
            if cron:
                cron.sudo()._trigger()
        return True

    # ------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------

    def _mailgate_fetcher(self):
        """The bound ``_mailgate_fetch_<connection type>`` method of this
        server, None when the helpdesk has none for its type (Odoo then
        fetches it as usual)."""
        return getattr(self, f"_mailgate_fetch_{self._get_connection_type()}", None)

    def _mailgate_budget(self):
        """The budget of one run: a :class:`_Budget` shared by the servers."""
        params = self.env["ir.config_parameter"].sudo()
        return _Budget(
            _positive(
                params.get_param("helpdesk_mgmt_mailgate.fetch_batch_size"),
                FETCH_BATCH_SIZE,
                int,
            ),
            _positive(
                params.get_param("helpdesk_mgmt_mailgate.fetch_time_budget"),
                FETCH_TIME_BUDGET,
                float,
            ),
        )

    def _mailgate_process_fetched(self, raw):
        """Process one fetched mail in a transaction of its own, as Odoo's
        own fetch loop does (the server's flags and the database must agree
        if the next mail crashes the run), retried like an RPC call when it
        meets a concurrent transaction (another worker taking a reply to the
        same ticket).

        When this returns, the mail is committed as a ticket, a comment or a
        failed log record; when it raises, nothing of it is (the caller
        leaves the server's copy alone).

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
        failed = bool(failure)
        # Memory stays flat through a backlog: nothing of this mail is needed
        # for the next one.
        self.env.invalidate_all()
        return failed

    def _mailgate_fetch_imap(self, budget):
        """One IMAP run, by UID (sequence numbers shift when another client
        expunges mail meanwhile).

        The contract of every ``_mailgate_fetch_<type>`` method: take mails
        while ``budget.take()`` allows, hand each raw mail to
        :meth:`_mailgate_process_fetched` (which commits it), and only then
        let the server's copy go (here ``\\Seen``); never let go of a mail
        that was not processed; raise on a connection failure (the run logs
        it, and the mails not yet processed stay for the next run).

        :param budget: the run's :class:`_Budget`, shared by the servers;
        :return: the :class:`FetchResult`
        """
        imap_server = self.connect()
        try:
            imap_server.select()
            keywords = _imap_accepts_keywords(imap_server)
            __, data = imap_server.uid("SEARCH", None, "UNSEEN")
            uids = data[0].split() if data and data[0] else []
            count = failed = 0
            for uid in uids:
                if not budget.take():
                    break
                __, fetched = imap_server.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next(
                    (part[1] for part in fetched or () if isinstance(part, tuple)),
                    None,
                )
                if raw is None:  # expunged by another client meanwhile
                    continue
                mail_failed = self._mailgate_process_fetched(raw)
                flags = "\\Seen"
                if mail_failed and keywords:
                    flags += " " + FAILED_KEYWORD
                imap_server.uid("STORE", uid, "+FLAGS.SILENT", f"({flags})")
                count += 1
                failed += mail_failed
            return FetchResult(count=count, failed=failed, left=len(uids) - count)
        finally:
            try:
                imap_server.close()
                imap_server.logout()
            except (OSError, IMAP4.error):
                _logger.warning(
                    "Failed to properly finish imap connection: %s.",
                    self.name,
                    exc_info=True,
                )

    def _mailgate_fetch_pop(self, budget):
        """One POP run: sessions of at most ``MAX_POP_MESSAGES`` mails, as
        Odoo's, each ended by ``QUIT`` (when the server applies the
        deletions), until the mailbox is empty or the budget is spent.

        Every mail is deleted once committed, a failed one too (it is kept
        whole in the mail log), so failed mails never pile up at the head of
        the mailbox. A session cut before its ``QUIT`` deletes nothing: its
        mails come again and are recognized by their Message-ID (a duplicate
        is ignored; a failed one counts one more attempt).

        :return: the :class:`FetchResult`
        """
        count = failed = 0
        while True:
            pop_server = self.connect()
            try:
                (num_messages, __) = pop_server.stat()
                pop_server.list()
                session = 0
                for number in range(1, min(MAX_POP_MESSAGES, num_messages) + 1):
                    if not budget.take():
                        break
                    (__, lines, __) = pop_server.retr(number)
                    failed += self._mailgate_process_fetched(b"\n".join(lines))
                    pop_server.dele(number)
                    session += 1
                count += session
                left = num_messages - session
            finally:
                try:
                    pop_server.quit()
                except OSError:
                    _logger.warning(
                        "Failed to properly finish pop connection: %s.",
                        self.name,
                        exc_info=True,
                    )
            if not left or not session or budget.spent():
                return FetchResult(count=count, failed=failed, left=left)


class _Budget:
    """How many more mails a run may take, and until when."""

    def __init__(self, mails, seconds):
        self.mails = mails
        self.deadline = time.monotonic() + seconds

    def spent(self):
        return self.mails <= 0 or time.monotonic() >= self.deadline

    def take(self):
        """Take one mail from the budget; False when it is spent."""
        if self.spent():
            return False
        self.mails -= 1
        return True


def _positive(value, default, kind):
    """``value`` (a system parameter) as a positive ``kind``, else ``default``."""
    try:
        number = kind(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _imap_accepts_keywords(imap_server):
    """Whether the selected mailbox accepts keywords of our own: its
    ``PERMANENTFLAGS`` (sent with ``SELECT``) include ``\\*``."""
    __, data = imap_server.response("PERMANENTFLAGS")
    return any(b"\\*" in item for item in data or () if isinstance(item, bytes))
