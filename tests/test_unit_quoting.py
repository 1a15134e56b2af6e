try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.command_block import parse_commands
from ..tools.quoting import cut_quoted_history

NEW = "Printer fixed.\n\n[WORKUNIT]\nTIME_USED: 0,5\n[WORKUNIT]"
OLD_BLOCK = "[INCIDENT]\nSTATUS: Closed\n[INCIDENT]"


class TestCutQuotedHistory(TestCase):
    def test_reply_headers(self):
        """Each client's reply or forward header ends the new text."""
        headers = {
            "gmail": "On Mon, Jan 8, 2024 at 10:00 AM Ann <ann@example.com> wrote:",
            "gmail wrapped": (
                "On Mon, Jan 8, 2024 at 10:00 AM Ann Smith <ann@example.com>\nwrote:"
            ),
            "gmail es": (
                "El lun, 8 ene 2024 a las 10:00, Ana López (<ana@example.com>) "
                "escribió:"
            ),
            "gmail es wrapped": (
                "El lun, 8 ene 2024 a las 10:00, Ana López (<ana@example.com>)\n"
                "escribió:"
            ),
            "apple": "On 12 Jan 2024, at 10:00, Ann Smith <ann@example.com> wrote:",
            "apple es": "El 12 ene 2024, a las 10:00, Ana <ana@example.com> escribió:",
            "thunderbird": "On 1/12/24 10:00, Ann Smith wrote:",
            "thunderbird es": "El 12/01/24 a las 10:00, Ana López escribió:",
            "thunderbird bare": "Ann Smith wrote:",
            "unaccented": "Ana escribio:",
            "outlook original": "-----Original Message-----",
            "outlook original es": "-----Mensaje original-----",
            "outlook original spaced": "----- Original Message -----",
            "outlook en": (
                "From: Ann Smith <ann@example.com>\n"
                "Sent: Monday, January 8, 2024 10:00 AM\n"
                "To: Support <support@example.com>\n"
                "Subject: RE: printer"
            ),
            "outlook en date": (
                "From: Ann Smith <ann@example.com>\n"
                "Date: Monday, January 8, 2024 at 10:00\n"
                "To: Support <support@example.com>\n"
                "Cc: Bob <bob@example.com>\n"
                "Subject: RE: printer"
            ),
            "outlook es": (
                "De: Ana López <ana@example.com>\n"
                "Enviado: lunes, 8 de enero de 2024 10:00\n"
                "Para: Soporte <soporte@example.com>\n"
                "Asunto: RE: impresora"
            ),
            "outlook es desktop": (
                "De: Ana López [mailto:ana@example.com]\n"
                "Enviado el: lunes, 8 de enero de 2024 10:00\n"
                "Para: Soporte\n"
                "Asunto: RE: impresora"
            ),
            "outlook es fecha": (
                "De: Ana López <ana@example.com>\n"
                "Fecha: lunes, 8 de enero de 2024, 10:00\n"
                "Para: Soporte <soporte@example.com>\n"
                "Asunto: RE: impresora"
            ),
            "outlook bold plain": (
                "*From:* Ann Smith <ann@example.com>\n"
                "*Sent:* Monday, January 8, 2024 10:00 AM\n"
                "*To:* Support\n"
                "*Subject:* RE: printer"
            ),
            "outlook rule": (
                "________________________________\n"
                "From: Ann Smith <ann@example.com>\n"
                "Sent: Monday, January 8, 2024 10:00 AM"
            ),
            "outlook rule es": (
                "________________________________\n\nDe: Ana López <ana@example.com>"
            ),
            "gmail forward": "---------- Forwarded message ---------",
            "gmail forward es": "---------- Mensaje reenviado ---------",
            "apple forward": "Begin forwarded message:",
            "apple forward es": "Inicio del mensaje reenviado:",
            "signature": "-- ",
            "signature stripped": "--",
        }
        for client, header in headers.items():
            with self.subTest(client=client):
                text = f"{NEW}\n\n{header}\n\n{OLD_BLOCK}\nOld text.\n"
                self.assertEqual(cut_quoted_history(text), NEW)

    def test_quoted_lines(self):
        """Lines quoted with ">" are dropped, at any depth and indentation."""
        text = (
            "Yes, done.\n"
            "> Can you fix it?\n"
            ">> [INCIDENT]\n"
            "> > STATUS: Closed\n"
            "   > [INCIDENT]\n"
            ">\n"
            "Thanks"
        )
        self.assertEqual(cut_quoted_history(text), "Yes, done.\nThanks")

    def test_bottom_posting(self):
        """A "wrote:" line that introduces ">" lines goes with them only."""
        text = (
            "On Mon, Jan 8, 2024 at 10:00 AM Ann <ann@example.com> wrote:\n"
            "> [INCIDENT]\n"
            "> STATUS: Closed\n"
            "> [INCIDENT]\n"
            "\n"
            "My answer below.\n"
            "[WORKUNIT]\n"
            "TIME_USED: 1\n"
            "[WORKUNIT]\n"
        )
        self.assertEqual(
            cut_quoted_history(text),
            "\nMy answer below.\n[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]",
        )

    def test_gmail_plain_reply(self):
        """A Gmail plain-text reply keeps only the text above the quote."""
        text = (
            "Closing it.\n"
            "\n"
            "[INCIDENT]\n"
            "STATUS: Closed\n"
            "[INCIDENT]\n"
            "\n"
            "On Mon, Jan 8, 2024 at 10:00 AM Helpdesk <support@example.com>\n"
            "wrote:\n"
            "\n"
            "> [INCIDENT]\n"
            "> STATUS: Open\n"
            "> [INCIDENT]\n"
        )
        self.assertEqual(
            cut_quoted_history(text),
            "Closing it.\n\n[INCIDENT]\nSTATUS: Closed\n[INCIDENT]",
        )

    def test_old_block_never_parsed(self):
        """An old block in the quoted history is not in the cut text."""
        replies = [
            f"Thanks\n\nOn 1/12/24 10:00, Ann wrote:\n{OLD_BLOCK}",
            f"Thanks\n-----Original Message-----\n{OLD_BLOCK}",
            "Thanks\nFrom: a@b.com\nSent: today\nTo: c@d.com\nSubject: x\n\n"
            + OLD_BLOCK,
            "Thanks\n" + "\n".join(f"> {line}" for line in OLD_BLOCK.splitlines()),
        ]
        for text in replies:
            with self.subTest(text=text):
                cut = cut_quoted_history(text)
                self.assertEqual(cut, "Thanks")
                self.assertEqual(parse_commands(cut).incident, None)

    def test_kept_lines(self):
        """Lines that only look like headers are part of the new text."""
        texts = [
            "As I wrote in my last mail, the printer is down.",
            "She wrote: the printer is down.",
            "I have wrote the steps below",
            "From: the network team, nobody answered.",
            "From: Ann\nTo: Bob",
            "De: nada, gracias.",
            "Onboarding starts on Monday",
            "El equipo escribió la respuesta ayer.",
            "---- section ----",
            "-- not a signature",
            "________________________________",
            "Date: tomorrow",
            "a > b is true",
        ]
        for text in texts:
            with self.subTest(text=text):
                self.assertEqual(cut_quoted_history(text), text)

    def test_trailing_blank_lines(self):
        """Trailing blank lines and spaces are removed, the rest is kept."""
        cases = [
            ("Hello\n\n\n", "Hello"),
            ("Hello  \n \n", "Hello"),
            ("\nHello\n\nWorld\n", "\nHello\n\nWorld"),
            ("Hello\r\nWorld\r\n", "Hello\nWorld"),
            ("", ""),
            ("> all quoted\n> here", ""),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(cut_quoted_history(text), expected)
