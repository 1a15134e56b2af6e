# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Poison mail (issue 19): a mail has bounded cost, and one whose processing
was interrupted twice is kept as failed, never tried forever."""

import hashlib

from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..tools.bounds import MAX_ATTACHMENTS
from . import data
from .common import MailgateCase
from .test_no_mail_lost import GATEWAY_LOGGERS

TEXT = "Texto legible del cliente, en lo más hondo."


@tagged("post_install", "-at_install")
class TestBoundedMail(MailgateCase):
    """Part floods, deep nesting, huge headers and killed workers, through
    ``mail.thread.message_process``."""

    def _head(self, subject, message_id, extra=b""):
        return (
            f"From: Carla Cliente <carla@customer.example.com>\r\n"
            f"To: {self.queue_support}\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        ).encode() + extra

    def _flood(self, subject, count):
        message_id = self.new_message_id()
        return data.part_flood(self._head(subject, message_id), TEXT, count), message_id

    def _nested(self, subject, depth):
        message_id = self.new_message_id()
        return data.nested(self._head(subject, message_id), TEXT, depth), message_id

    def _push(self, raw):
        return self.env["mail.thread"].sudo().message_process("helpdesk.ticket", raw)

    def _log(self, message_id):
        return self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )

    def _next_mail_goes_through(self, kind):
        subject = f"Correo normal tras {kind}"
        self.assertTrue(self.send_to_queue(subject), f"{kind}: the next mail")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_part_flood(self):
        """25 000 attachments: a ticket with the first 100, the text, the
        comment and the log say what was dropped, the sender is told once."""
        raw, message_id = self._flood("Inundación de partes", 25000)
        with self.mock_mail_gateway():
            ticket_id = self._push(raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertTrue(ticket, "a ticket")
        self.assertEqual(len(ticket.attachment_ids), MAX_ATTACHMENTS)
        self.assertIn(TEXT, ticket.description)
        note = f"{25000 - MAX_ATTACHMENTS} attachment(s) were not stored"
        self.assertIn(note, ticket.message_ids[-1].body)
        log = self._log(message_id)
        self.assertEqual(log.state, "created")
        self.assertIn(note, log.error)
        notices = self._new_mails.filtered(lambda m: note in (m.body_html or ""))
        self.assertEqual(len(notices), 1, "the sender is told once")
        self._next_mail_goes_through("una inundación de partes")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_deep_nesting(self):
        """5 000 levels deep (RecursionError in the standard library at
        1 000): a ticket with the readable text, the flattening noted."""
        raw, message_id = self._nested("Anidado sin fondo", 5000)
        ticket_id = self._push(raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertTrue(ticket, self._log(message_id).error)
        self.assertIn(TEXT, ticket.description)
        log = self._log(message_id)
        self.assertEqual(log.state, "created")
        self.assertIn("nested 5000 levels deep", log.error)
        self._next_mail_goes_through("un anidamiento sin fondo")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_deep_nesting_reply(self):
        """A reply nested 1 000 levels deep becomes a comment with its text."""
        ticket = self.open_ticket("Ticket para la respuesta anidada")
        first = ticket.message_ids.filtered("message_id")[-1].message_id
        raw, message_id = self._nested("Re: Ticket para la respuesta anidada", 1000)
        raw = raw.replace(
            b"MIME-Version", f"In-Reply-To: {first}\r\nMIME-Version".encode(), 1
        )
        self._push(raw)
        comment = ticket.message_ids.filtered(lambda m: m.message_id == message_id)
        self.assertEqual(len(comment), 1, self._log(message_id).error)
        self.assertIn(TEXT, comment.body)
        self.assertEqual(self._log(message_id).state, "updated")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_huge_headers(self):
        """10 MB of header fields: a ticket, the fields dropped noted."""
        message_id = self.new_message_id()
        line = b"X-Relleno: " + b"a" * 980 + b"\r\n"
        raw = (
            self._head("Cabeceras enormes", message_id).replace(
                b"To:", line * (10 * 1024 * 1024 // len(line)) + b"To:", 1
            )
            + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + TEXT.encode()
        )
        ticket_id = self._push(raw)
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertTrue(ticket, self._log(message_id).error)
        self.assertEqual(ticket.team_id, self.team_support)
        self.assertIn(TEXT, ticket.description)
        self.assertIn("KB of header fields were not read", self._log(message_id).error)

    def _interrupted(self, raw, times):
        """Note ``raw`` as started ``times`` times by a transaction that
        aborted, as a killed worker's does."""
        with db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT txid_current()")
            txid = cr.fetchone()[0]
            cr.rollback()
        self.env.cr.execute(
            SQL(
                "INSERT INTO helpdesk_mailgate_log_start (digest, attempts, txid)"
                " VALUES (%s, %s, %s)",
                hashlib.sha256(raw).hexdigest(),
                times,
                txid,
            )
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_interrupted_twice(self):
        """A mail whose processing was interrupted twice is kept as failed
        with its raw source and that reason, and the next mails go through;
        a manager's reprocessing then processes it."""
        raw, message_id = self._nested("Interrumpido dos veces", 3)
        self._interrupted(raw, 2)
        result = self._push(raw)
        self.assertFalse(result)
        log = self._log(message_id)
        self.assertEqual(log.state, "failed")
        self.assertIn("interrupted twice", log.error)
        self.assertTrue(log.raw_source)
        self.assertFalse(
            self.env["helpdesk.ticket"].search_count(
                [("name", "=", "Interrumpido dos veces")]
            )
        )
        self._next_mail_goes_through("un correo interrumpido")
        log.action_reprocess()
        self.assertEqual(log.state, "created")
        self.assertTrue(log.ticket_id)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_interrupted_once(self):
        """Interrupted once, a mail is tried again and processed."""
        raw, message_id = self._nested("Interrumpido una vez", 3)
        self._interrupted(raw, 1)
        self.assertTrue(self._push(raw))
        self.assertEqual(self._log(message_id).state, "created")
