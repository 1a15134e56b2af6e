# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import data
from .common import MailgateCase
from .test_hostile_input import PNG
from .test_no_mail_lost import GATEWAY_LOGGERS

HIDDEN_MESSAGE = "hides from the reader"


def _mail_with_attachment(queue, subject, message_id, part_headers, html=""):
    """A stranger's new mail, its attachment's part headers as given (bytes:
    a NUL is written as it is), with an HTML body referring to it."""
    body = html or "<p>Adjunto el fichero.</p>"
    return (
        (
            f"From: Desconocido <desconocido@stranger.example>\r\nTo: {queue}\r\n"
            f"Subject: {subject}\r\nMessage-ID: {message_id}\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<html><body>{body}</body></html>\r\n--b\r\n"
        ).encode()
        + part_headers
        + (f"Content-Transfer-Encoding: base64\r\n\r\n{PNG}\r\n--b--\r\n").encode()
    )


@tagged("post_install", "-at_install")
class TestPoisonMail(MailgateCase):
    """Poison mail (issue 19): each mail ends as a ticket or a comment,
    never as a failed record, and the sender is told what was refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent.groups_id = [(4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)]

    def _push(self, raw):
        return self.env["mail.thread"].sudo().message_process("helpdesk.ticket", raw)

    def _logs(self, message_id):
        return self.env["helpdesk.mailgate.log"].search(
            [("message_id", "=", message_id)]
        )

    def _reply_with_answer(self, ticket, body, template=data.REPLY):
        """Reply as the agent; return the comment, the answers to the agent
        and the mail's log record."""
        message_id = self.new_message_id()
        with self.mock_mail_gateway():
            comment = self.reply(ticket, body, template=template, msg_id=message_id)
        answers = self._new_mails.filtered(
            lambda mail: "not applied" in (mail.body_html or "")
        )
        return comment, answers, self._logs(message_id)

    # Attachments

    @mute_logger(*GATEWAY_LOGGERS, "odoo.tools.mail")
    def test_nul_in_attachment_names(self):
        """A NUL or another control character in what Odoo takes from a part
        (file name, RFC 2231 file name, part name, content id) is removed:
        the mail is a ticket with the attachment, not a failed record."""
        cases = [
            (
                "quoted",
                b'Content-Type: image/png; name="a.png"\r\n'
                b'Content-Disposition: attachment; filename="a\x00b.png"\r\n',
                "",
                "ab.png",
            ),
            (
                "RFC 2231",
                b"Content-Type: image/png\r\n"
                b"Content-Disposition: attachment;"
                b" filename*=utf-8''a%00b%0D%0Ac.png\r\n",
                "",
                "abc.png",
            ),
            (
                "part name",
                b'Content-Type: image/png; name="n\x00\x1bame.png"\r\n',
                "",
                "name.png",
            ),
            (
                "inline image",
                b'Content-Type: image/png; name="shot.png"\r\n'
                b'Content-Disposition: inline; filename="sh\x00ot.png"\r\n'
                b"Content-ID: <shot\x00@poison.example>\r\n",
                '<p>Mirad:</p><img src="cid:shot@poison.example">',
                "shot.png",
            ),
        ]
        for kind, part_headers, html, name in cases:
            with self.subTest(kind=kind):
                subject = f"Nulo en el adjunto ({kind})"
                message_id = self.new_message_id()
                self._push(
                    _mail_with_attachment(
                        self.queue_support, subject, message_id, part_headers, html
                    )
                )
                log = self._logs(message_id)
                self.assertEqual(log.state, "created", log.error)
                ticket = log.ticket_id
                self.assertEqual(ticket.name, subject)
                attachments = self.env["ir.attachment"].search(
                    [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
                )
                self.assertEqual(attachments.mapped("name"), [name])

    # Work units

    @mute_logger(*GATEWAY_LOGGERS)
    def test_time_used_rounding_to_zero(self):
        """A TIME_USED that rounds to 0.00 h as stored is a refused block with
        an answer, not a failed mail; the text lands as a comment."""
        for value in ("0.004", "0.2m", "0,001"):
            with self.subTest(value=value):
                ticket = self.open_ticket(f"Tiempo casi nulo {value}")
                comment, answers, log = self._reply_with_answer(
                    ticket, f"Revisado.\n\n[WORKUNIT]\nTIME_USED: {value}\n[WORKUNIT]"
                )
                self.assertEqual(log.state, "updated", log.error)
                self.assertIn(f"TIME_USED: {value}", comment.body)
                self.assertEqual(len(answers), 1)
                self.assertIn(
                    "is out of range: more than 0 and at most 24 hours",
                    answers.body_html,
                )
                self.assertIn(value, answers.body_html)
                self.assertIn("line 4", answers.body_html)
                self.assertEqual(ticket.workunit_ids.hours, 0.25, "the default time")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_time_used_rounding_up_is_stored(self):
        """0.005 h is stored as 0.01 h: valid exactly when the work unit is."""
        ticket = self.open_ticket("Tiempo mínimo")
        __, answers, log = self._reply_with_answer(
            ticket, "[WORKUNIT]\nTIME_USED: 0.3m\n[WORKUNIT]"
        )
        self.assertEqual(log.state, "updated", log.error)
        self.assertFalse(answers)
        self.assertEqual(ticket.workunit_ids.hours, 0.01)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_default_time_rounding_to_zero_logs_nothing(self):
        """A default time setting that rounds to 0 h (or is negative) logs no
        work unit; the follow-up is a comment, not a failed mail."""
        ticket = self.open_ticket("Tiempo por defecto casi nulo")
        params = self.env["ir.config_parameter"].sudo()
        for value in ("0.001", "-1"):
            with self.subTest(value=value):
                params.set_param("helpdesk_mgmt_mailgate.default_time_used", value)
                comment, __, log = self._reply_with_answer(ticket, "Sigo con ello.")
                self.assertEqual(log.state, "updated", log.error)
                self.assertIn("Sigo con ello.", comment.body)
                self.assertFalse(ticket.workunit_ids)

    # Hidden blocks

    @mute_logger(*GATEWAY_LOGGERS)
    def test_hidden_blocks_not_applied(self):
        """A block that inline CSS hides from the reader is not applied, the
        text lands as a comment, and the sender is told, with its line."""
        block = "<p>[INCIDENT]</p><p>PRIORITY: 5</p><p>[INCIDENT]</p>"
        cases = [
            ("display", f'<div style="display:none">{block}</div>'),
            ("visibility", f'<div style="visibility:hidden">{block}</div>'),
            ("font size", f'<div style="font-size:0px">{block}</div>'),
            ("opacity", f'<div style="opacity:0">{block}</div>'),
            (
                "white on white",
                f'<div style="background-color:#ffffff"><div style="color:#fff">'
                f"{block}</div></div>",
            ),
            ("zero height", f'<div style="height:0;overflow:hidden">{block}</div>'),
            ("max height", f'<div style="max-height:0">{block}</div>'),
            ("attribute", f"<div hidden>{block}</div>"),
        ]
        for kind, hidden in cases:
            with self.subTest(kind=kind):
                ticket = self.open_ticket(f"Bloque oculto ({kind})")
                comment, answers, log = self._reply_with_answer(
                    ticket,
                    f"<p>Reenvío el correo del cliente.</p>{hidden}<p>Olga</p>",
                    template=data.REPLY_HTML,
                )
                self.assertEqual(log.state, "updated", log.error)
                self.assertEqual(ticket.priority, "1", "not applied")
                self.assertIn("PRIORITY: 5", comment.body, "the text stays")
                self.assertEqual(len(answers), 1)
                self.assertIn(HIDDEN_MESSAGE, answers.body_html)
                self.assertIn("line 2", answers.body_html)
                self.assertIn(HIDDEN_MESSAGE, log.error)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_hidden_value_refuses_whole_block(self):
        """A hidden value in a visible block refuses the whole block; the
        mail's visible block still applies."""
        ticket = self.open_ticket("Valor oculto")
        comment, answers, log = self._reply_with_answer(
            ticket,
            "<p>[INCIDENT]</p><p>STATUS: Assigned</p>"
            '<p>PRIORITY: <span style="font-size:0">5</span></p><p>[INCIDENT]</p>'
            "<p>[WORKUNIT]</p><p>TIME_USED: 0.5</p><p>[WORKUNIT]</p>",
            template=data.REPLY_HTML,
        )
        self.assertEqual(log.state, "updated", log.error)
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(ticket.workunit_ids.hours, 0.5)
        self.assertEqual(len(answers), 1)
        self.assertIn("line 3", answers.body_html)
        self.assertIn(HIDDEN_MESSAGE, answers.body_html)
        self.assertNotIn("TIME_USED", comment.body, "the applied block leaves")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_visible_styled_block_applies(self):
        """Positive control: a visible block in styled HTML (Outlook's
        MsoNormal, coloured text on white) applies."""
        ticket = self.open_ticket("Bloque con estilo visible")
        style = (
            'class="MsoNormal" style="margin:0cm;font-size:11.0pt;'
            'font-family:Calibri,sans-serif;color:#1F497D"'
        )
        lines = ["[INCIDENT]", "PRIORITY: 5", "[INCIDENT]"]
        lines += ["[WORKUNIT]", "TIME_USED: 1h30", "[WORKUNIT]"]
        body = "".join(f"<p {style}>{line}<o:p></o:p></p>" for line in lines)
        comment, answers, log = self._reply_with_answer(
            ticket,
            '<div style="background:white"><p style="color:#c00000">Hecho.</p>'
            f"{body}</div>",
            template=data.REPLY_HTML,
        )
        self.assertEqual(log.state, "updated", log.error)
        self.assertFalse(answers)
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.workunit_ids.hours, 1.5)
        self.assertNotIn("PRIORITY", comment.body)
