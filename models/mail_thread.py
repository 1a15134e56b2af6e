# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import dataclasses
import hashlib
import logging

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..tools import bounds, charset, header_safety, headers
from ..tools.automatic import is_automatic_mail

_logger = logging.getLogger(__name__)

# A mail whose processing was started this many times without its
# transaction ending (a killed worker, the OOM killer) is not tried again: it
# is kept as failed (helpdesk.mailgate.log._mailgate_start).
MAX_STARTS = 2


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
        """Process a mail; a helpdesk mail is never lost (readme/USAGE.md,
        "6. The mail log").

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

        The helpdesk tells from the header block whether a mail may be its
        own (``helpdesk.mailgate.router._takes_mail``); that mail is then
        processed with ``helpdesk_mailgate`` in the context, so that
        :meth:`message_parse` reads what its headers tell, and one that
        raises is rolled back whole and recorded as ``failed`` in the mail log
        with its raw source and the error, so that the next mail goes through
        and a manager can reprocess it. Concurrency errors are raised all the
        same: the caller's transaction is doomed, and retrying it is the
        caller's job.

        :return: ``(thread_id, failed_log)``, ``failed_log`` empty unless the
            mail failed
        """
        raw = headers.as_bytes(message)
        log_model = self.env["helpdesk.mailgate.log"]
        if not self.env["helpdesk.mailgate.router"]._takes_mail(model, raw):
            return super().message_process(model, raw, **kwargs), log_model
        # A flag, the same for every mail: the mail's own facts travel in its
        # message dict, so the environments of one mail serve the next.
        this = self.with_context(helpdesk_mailgate=True)
        bounded = bounds.bound_mail(raw)
        if bounded.changed:
            this = this._mailgate_bounded(bounded)
        digest = hashlib.sha256(raw).hexdigest()
        if log_model._mailgate_start(digest) > MAX_STARTS:
            _logger.warning(
                "Helpdesk mail gateway: a mail of %s bytes was interrupted twice "
                "while being processed; kept in the mail log, not tried again",
                len(raw),
            )
            return False, log_model._mailgate_record_failure(
                raw, model, reason=log_model._mailgate_interrupted_reason()
            )
        try:
            with self.env.cr.savepoint():
                return super(MailThread, this).message_process(
                    model, bounded.raw, **kwargs
                ), log_model
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            # Rolled back to be retried: not an interrupted processing.
            log_model._mailgate_unstart(digest)
            raise
        except Exception as error:
            _logger.exception(
                "Helpdesk mail gateway: processing failed for a mail of %s bytes; "
                "kept in the mail log for reprocessing",
                len(raw),
            )
            return False, log_model._mailgate_record_failure(raw, model, error)

    @api.model
    def _mailgate_bounded(self, bounded):
        """This model, for a mail past the limits of tools/bounds.py, with
        what was dropped of it in the context, where the router reads the
        notes for the comment, the log and the answer (the mail's own
        environment: such mails are rare)."""
        _logger.warning(
            "Helpdesk mail gateway: a mail of %s bytes, %s parts, %s levels deep "
            "was cut to its limits: %s parts and %s attachments dropped, %s bytes "
            "of headers dropped%s",
            len(bounded.raw),
            bounded.parts,
            bounded.depth,
            bounded.parts_dropped,
            bounded.attachments_dropped,
            bounded.header_bytes_dropped,
            ", deeper parts flattened" if bounded.flattened else "",
        )
        return self.with_context(
            helpdesk_mailgate_bounds=dataclasses.replace(bounded, raw=b"")
        )

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
        msg_dict = headers.without_nul(
            super().message_parse(message, save_original=save_original)
        )
        if self.env.context.get("helpdesk_mailgate"):
            self.env["helpdesk.mailgate.router"]._read_facts(message, msg_dict)
        return msg_dict

    @api.model
    def _message_parse_extract_payload_postprocess(self, message, payload_dict):
        """Clean what Odoo took from the MIME parts' headers before anything
        uses it: the attachments' file names (``filename``, RFC 2231's
        ``filename*`` or the part's ``name``) and their info (content id,
        charset) lose their control characters
        (:func:`header_safety.clean_part_text`).

        This hook, not :meth:`message_parse`, as Odoo's own post-processing
        already writes a file name into the body (the ``data-filename`` of a
        ``cid:`` image, where lxml refuses a NUL), and a NUL in a stored name
        fails the whole mail in PostgreSQL.
        """
        given = payload_dict.get("attachments") or []
        attachments = [self._mailgate_clean_attachment(item) for item in given]
        if [item[0] for item in attachments] != [item[0] for item in given]:
            _logger.info(
                "Mail with Message-Id %s: control characters removed from the "
                "name of an attachment",
                message.get("Message-Id"),
            )
        return super()._message_parse_extract_payload_postprocess(
            message, dict(payload_dict, attachments=attachments)
        )

    @api.model
    def _mailgate_clean_attachment(self, attachment):
        """An attachment of Odoo's parser, its name and info without control
        characters; an emptied name becomes ``attachment`` as in Odoo."""
        fname, content, info = attachment
        clean = header_safety.clean_part_text
        name = clean(fname) if isinstance(fname, str) else fname
        info = {
            key: clean(value) if isinstance(value, str) else value
            for key, value in (info or {}).items()
        }
        return self._Attachment(name or "attachment", content, info)

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """Let the helpdesk judge the routes of its mail (readme/CONFIGURE.md,
        "4. Each team's queue").

        This is the one place that sees every route of a mail at once, the
        same way for fetchmail servers and for the MTA gateway; the rules are
        the router's (``helpdesk.mailgate.router._routes``).
        """
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        router = self.env["helpdesk.mailgate.router"]
        facts = router._gateway_facts(message_dict)
        if facts is None:
            return routes
        return router._routes(facts, message_dict, routes)

    @api.model
    def _detect_loop_sender(self, message, message_dict, routes):
        """Odoo's own loop guard (too many mails from one sender in a short
        time) stays in force; a helpdesk mail it stops is logged as ignored.
        """
        looping = super()._detect_loop_sender(message, message_dict, routes)
        router = self.env["helpdesk.mailgate.router"]
        facts = router._gateway_facts(message_dict)
        if looping and facts is not None:
            router._log_loop(facts, routes)
        return looping

    def _get_notify_valid_parameters(self):
        """Odoo's gateway posts a mail with every key of its message dict: a
        helpdesk mail's also carries its ``MailFacts``, which notifications
        leave alone."""
        return super()._get_notify_valid_parameters() | {headers.MESSAGE_DICT_KEY}

    @api.model
    def _routing_create_bounce_email(
        self, email_from, body_html, message, **mail_values
    ):
        """Bounces are automatic answers: mark them so (RFC 3834), and never
        send one in answer to automatic mail, which would start a loop.

        Odoo hands over the parsed mail only, not its message dict: the
        verdict is read from its headers here, for the few mails bounced.
        """
        if is_automatic_mail(message):
            _logger.info(
                "Not bouncing automatic mail from %s with Message-Id %s",
                email_from,
                message.get("Message-Id"),
            )
            return
        bounce_headers = ast.literal_eval(mail_values.get("headers") or "{}")
        bounce_headers["Auto-Submitted"] = "auto-replied"
        mail_values["headers"] = repr(bounce_headers)
        return super()._routing_create_bounce_email(
            email_from, body_html, message, **mail_values
        )
