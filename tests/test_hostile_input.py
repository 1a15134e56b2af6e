# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import email
import unittest
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailgateCase
from .test_no_mail_lost import GATEWAY_LOGGERS

# The standard library's own corpus of real and broken mails (test.test_email).
CORPUS = Path(email.__file__).parent.parent / "test" / "test_email" / "data"

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmM"
    "IQAAAABJRU5ErkJggg=="
)


def _headers(queue, subject, message_id, content_type, extra=""):
    return (
        f"From: Hostil <hostil@unknown.example>\r\nTo: {queue}\r\n"
        f"Subject: {subject}\r\nMessage-ID: {message_id}\r\n{extra}"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
    ).encode()


@tagged("post_install", "-at_install")
class TestHostileInput(MailgateCase):
    """Bad input never crashes the gateway nor loses the mail,
    and the next mail goes through."""

    def _push(self, raw):
        """Push raw bytes as the MTA gateway does; it must never raise."""
        return self.env["mail.thread"].sudo().message_process("helpdesk.ticket", raw)

    def _assert_kept_and_next_works(self, message_id, kind):
        log = self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )
        self.assertEqual(len(log), 1, f"{kind}: one log record")
        self.assertIn(log.state, ("created", "failed"), f"{kind}: {log.error}")
        if log.state == "created":
            self.assertTrue(log.ticket_id)
        else:
            self.assertTrue(log.raw_source, f"{kind}: the failed mail is kept")
        subject = f"Correo normal tras {kind}"
        self.send_to_queue(subject, email_from="user@company.com")
        self.assertTrue(
            self.env["helpdesk.ticket"].search([("name", "=", subject)]),
            f"{kind}: the next mail goes through",
        )

    def _hostile_mails(self):
        """(kind, raw bytes) for each hostile input the gateway must survive."""
        queue = self.queue_support
        big = "Servidores caídos. " * (20 * 1024 * 1024 // 20)
        recipients = ", ".join(f"dest{i}@many.example" for i in range(10000))
        attachments = "".join(
            f'--b500\r\nContent-Type: image/png; name="f{i}.png"\r\n'
            f'Content-Disposition: attachment; filename="f{i}.png"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{PNG}\r\n"
            for i in range(500)
        )
        nested = "Texto del mensaje más interno."
        for depth in range(3):
            nested = (
                f"--n{depth}\r\nContent-Type: text/plain\r\n\r\nNivel {depth}\r\n"
                f"--n{depth}\r\nContent-Type: message/rfc822\r\n\r\n"
                f"From: x{depth}@example.com\r\nSubject: nivel {depth}\r\n"
                f'Content-Type: multipart/mixed; boundary="n{depth}"\r\n\r\n{nested}'
                f"\r\n--n{depth}--\r\n"
            )
        bomb = "<div>" * 50000 + "bomba" + "</div>" * 10 + "<b x='" + "a" * 100000
        return [
            (
                "malformed MIME",
                _headers(
                    queue,
                    "MIME roto",
                    "<hostile-mime@t>",
                    'multipart/mixed; boundary="nunca"',
                )
                + b"\r\n--otro\r\nContent-Type: text/plain\r\n\r\n"
                + b"Sin cierre ni frontera",
            ),
            (
                "wrong charset",
                _headers(
                    queue,
                    "Charset falso",
                    "<hostile-charset@t>",
                    "text/plain; charset=utf-8",
                )
                + b"\r\nSeguimos con problemas: ca\xeddos toda la ma\xf1ana.\r\n",
            ),
            (
                "missing charset",
                _headers(
                    queue,
                    "Sin charset",
                    "<hostile-nocharset@t>",
                    "text/plain; charset=x-unknown-8",
                )
                + b"\r\nCa\xeddos \xff\xfe otra vez.\r\n",
            ),
            (
                "20 MB body",
                _headers(
                    queue,
                    "Cuerpo de 20 MB",
                    "<hostile-20mb@t>",
                    "text/plain; charset=utf-8",
                )
                + b"\r\n"
                + big.encode(),
            ),
            (
                "10 000 recipients",
                _headers(
                    queue,
                    "Diez mil destinatarios",
                    "<hostile-10k@t>",
                    "text/plain; charset=utf-8",
                    extra=f"Cc: {recipients}\r\n",
                )
                + b"\r\nA todos.\r\n",
            ),
            (
                "500 attachments",
                _headers(
                    queue,
                    "Quinientos adjuntos",
                    "<hostile-500@t>",
                    'multipart/mixed; boundary="b500"',
                )
                + b"\r\n--b500\r\nContent-Type: text/plain\r\n\r\nAdjuntos.\r\n"
                + attachments.encode()
                + b"--b500--\r\n",
            ),
            (
                "nested message/rfc822",
                _headers(
                    queue,
                    "Mensajes anidados",
                    "<hostile-nested@t>",
                    'multipart/mixed; boundary="top"',
                )
                + b"\r\n--top\r\nContent-Type: message/rfc822\r\n\r\n"
                + b"From: y@example.com\r\nSubject: anidado\r\n"
                + b'Content-Type: multipart/mixed; boundary="n2"\r\n\r\n'
                + nested.encode()
                + b"\r\n--top--\r\n",
            ),
            (
                "HTML bomb",
                _headers(
                    queue, "Bomba HTML", "<hostile-bomb@t>", "text/html; charset=utf-8"
                )
                + b"\r\n"
                + bomb.encode(),
            ),
            (
                "NUL in headers",
                _headers(
                    queue,
                    "Nulo\x00en el asunto",
                    "<hostile-nul@t>",
                    "text/plain; charset=utf-8",
                )
                + b"\r\nCuerpo con \x00 nulo.\r\n",
            ),
        ]

    @mute_logger(
        *GATEWAY_LOGGERS, "odoo.tools.mail", "odoo.addons.base.models.ir_attachment"
    )
    def test_hostile_mails(self):
        """Each hostile mail is processed or kept as failed; none crashes the
        gateway; the next mail goes through."""
        message_ids = {
            "malformed MIME": "<hostile-mime@t>",
            "wrong charset": "<hostile-charset@t>",
            "missing charset": "<hostile-nocharset@t>",
            "20 MB body": "<hostile-20mb@t>",
            "10 000 recipients": "<hostile-10k@t>",
            "500 attachments": "<hostile-500@t>",
            "nested message/rfc822": "<hostile-nested@t>",
            "HTML bomb": "<hostile-bomb@t>",
            "NUL in headers": "<hostile-nul@t>",
        }
        for kind, raw in self._hostile_mails():
            with self.subTest(kind=kind):
                self._push(raw)
                self._assert_kept_and_next_works(message_ids[kind], kind)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_ten_thousand_recipients_bounded(self):
        """A mail to 10 000 addresses subscribes a bounded number of them."""
        recipients = ", ".join(f"cc{i}@many.example" for i in range(10000))
        ticket = self.send_to_queue("Copia a diez mil", cc=recipients)
        self.assertLessEqual(len(ticket.message_partner_ids), 52)
        self.assertIn(
            "addresses in To and Cc: only the first 50",
            self.mail_log("Copia a diez mil").error,
        )

    @mute_logger(*GATEWAY_LOGGERS, "odoo.tools.mail")
    def test_latin1_declared_utf8_keeps_text(self):
        """ISO-8859-1 Spanish declared as UTF-8 still reads as Spanish."""
        self._push(
            _headers(
                self.queue_support,
                "Latin1 como UTF-8",
                "<latin1-utf8@t>",
                "text/plain; charset=utf-8",
            )
            + b"\r\nHan estado ca\xeddos toda la ma\xf1ana.\r\n"
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Latin1 como UTF-8")]
        )
        self.assertIn("toda la mañana", ticket.description)

    @mute_logger(*GATEWAY_LOGGERS, "odoo.tools.mail")
    def test_stdlib_corpus(self):
        """Every mail of the standard library's email test corpus, delivered
        to a queue, gets a result in the log and never crashes the gateway."""
        if not CORPUS.is_dir():
            raise unittest.SkipTest(f"no email test corpus at {CORPUS}")
        Log = self.env["helpdesk.mailgate.log"]
        seen_ids = set()
        files = sorted(CORPUS.glob("msg_*.txt"))
        self.assertGreater(len(files), 40)
        for path in files:
            with self.subTest(mail=path.name):
                raw = path.read_bytes()
                message_id = email.message_from_bytes(raw).get("Message-ID")
                before = Log.search([])
                self._push(f"Delivered-To: {self.queue_support}\n".encode() + raw)
                new_logs = Log.search([]) - before
                if message_id and message_id in seen_ids:
                    continue  # the same mail again: recorded the first time
                seen_ids.add(message_id)
                touched = (
                    Log.search([("message_id", "=", message_id)]) if message_id else Log
                )
                self.assertTrue(
                    new_logs or touched,
                    f"{path.name}: no result recorded",
                )
