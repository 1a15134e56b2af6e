import email
import email.policy
from pathlib import Path

try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.command_block import parse_commands
from ..tools.html_text import html_to_text
from ..tools.quoting import cut_quoted_history

SAMPLES = Path(__file__).parent / "samples"
# The first samples carry a new [INCIDENT] too (see samples/README.md).
WITH_NEW_INCIDENT = {
    "apple_mail_reply.eml",
    "gmail_reply.eml",
    "outlook_reply_es.eml",
    "outlook_reply_html.eml",
    "thunderbird_reply_plain.eml",
}

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
            "gmail de wrapped": (
                "Am Mo., 30. Nov. 2026 um 09:15 Uhr schrieb Kunde <\nkunde@example.de>:"
            ),
            "gmail fr wrapped": (
                "Le lun. 30 nov. 2026 à 09:00, Client <c@example.fr> a\nécrit :"
            ),
            "gmail mobile": "On Mon, 30 Nov 2026, 09:15 Ann, <ann@example.com> wrote:",
            "german thunderbird": "Am 30.11.2026 um 09:00 schrieb Kunde:",
            "german outlook original": "-----Ursprüngliche Nachricht-----",
            "german outlook": (
                "Von: Kunde <k@example.de>\n"
                "Gesendet: Montag, 30. November 2026 09:00\n"
                "An: Support <support@example.com>\n"
                "Betreff: AW: Drucker"
            ),
            "french outlook": (
                "De : Client <c@example.fr>\n"
                "Envoyé : lundi 30 novembre 2026 09:00\n"
                "À : Support <support@example.com>\n"
                "Objet : RE: imprimante"
            ),
            "french gmail": "Le lun. 30 nov. 2026 à 09:00, Client <c@x.fr> a écrit :",
            "italian gmail": (
                "Il giorno lun 30 nov 2026 alle ore 09:00 Cliente <c@x.it> ha scritto:"
            ),
            "portuguese gmail": (
                "Em seg., 30 de nov. de 2026 às 09:00, Cliente <c@x.pt> escreveu:"
            ),
            "dutch outlook": (
                "Van: Klant <k@example.nl>\n"
                "Verzonden: maandag 30 november 2026 09:00\n"
                "Aan: Support <support@example.com>\n"
                "Onderwerp: RE: printer"
            ),
            "russian gmail": "пн, 30 нояб. 2026 г. в 09:00, Клиент <k@example.ru>:",
            "japanese gmail": "2026年11月30日(月) 9:00 顧客 <k@example.jp>:",
            "chinese gmail": "客户 <k@example.cn> 于2026年11月30日周一 09:00写道：",
            "turkish gmail": (
                "Müşteri <m@example.com.tr>, 30 Kas 2026 Pzt, 09:00 tarihinde "
                "şunu yazdı:"
            ),
            "samsung de": (
                "-------- Ursprüngliche Nachricht --------\n"
                "Von: Kunde <k@example.de>\n"
                "Datum: 30.11.26 09:00 (GMT+01:00)"
            ),
            "gmail forward de": "---------- Weitergeleitete Nachricht ---------",
            "apple forward fr": "Début du message réexpédié :",
            "thunderbird forward": "-------- Forwarded Message --------",
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
            "Wie der Lieferant gestern schrieb, ist das Netzteil getauscht.",
            "Comme le fournisseur a écrit hier : l'alimentation est changée.",
            "Ich schrieb dem Lieferanten:",
            "Von: der Buchhaltung kam nichts.",
            "De : rien, merci.",
            "Hi,\n\nThanks for your patience.",
            "Contact: Ann <ann@example.com>",
            "The new address is <ann@example.com>:",
        ]
        for text in texts:
            with self.subTest(text=text):
                self.assertEqual(cut_quoted_history(text), text)

    def test_text_after_signature_is_kept(self):
        """A signature or a signature-like line does not end the new text."""
        for signature in (
            "-- \nOlga Operadora",
            "--\nOlga",
            "Best regards,\nOlga",
            "Sent from my iPhone",
            "Envoyé de mon iPhone",
            "Get Outlook for Android",
            "Olga Operadora | Support\n________________________________",
        ):
            with self.subTest(signature=signature):
                text = f"Done.\n\n{signature}\n\n{NEW}"
                self.assertEqual(cut_quoted_history(text), text)

    def test_placeholder_of_html_quote(self):
        """The ">" line html_to_text leaves for HTML history is a quote: the
        "wrote:" line before it only introduces it, new text after stays."""
        text = f"Le 30/11/2026 à 09:15, Soporte a écrit :\n>\n{NEW}"
        self.assertEqual(cut_quoted_history(text), NEW)

    def test_inline_reply(self):
        """Answers between quoted parts are kept, the quoted parts are not."""
        text = (
            "On 30/11/2026 09:15, Soporte wrote:\n"
            "> Is the printer fixed?\n"
            "\n"
            "Yes.\n"
            "\n"
            "> [INCIDENT]\n"
            "> STATUS: Closed\n"
            "> [INCIDENT]\n"
            "\n"
            f"{NEW}\n"
            "> Support\n"
        )
        self.assertEqual(cut_quoted_history(text), f"\nYes.\n\n\n{NEW}")

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


class TestClientSamples(TestCase):
    """Every client sample: the new block is read, the quoted one never."""

    def _texts(self, path):
        message = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                yield "text/plain", part.get_content()
            elif part.get_content_type() == "text/html":
                yield "text/html", html_to_text(part.get_content())

    def test_samples(self):
        """The cut text of each part holds the new block and not the old one.

        Without Odoo, nothing tags the HTML history here, so the cutter alone
        must find its header; a bottom-posted HTML reply then loses its new
        text after the header (Odoo's tagging keeps it: test_client_samples).
        """
        paths = sorted(SAMPLES.glob("*.eml"))
        self.assertGreater(len(paths), 100)
        for path in paths:
            for content_type, text in self._texts(path):
                with self.subTest(sample=path.name, part=content_type):
                    parsed = parse_commands(cut_quoted_history(text))
                    self.assertEqual(parsed.problems, ())
                    if path.name in WITH_NEW_INCIDENT:
                        self.assertEqual(
                            parsed.incident.get("STATUS").value, "Assigned"
                        )
                    else:
                        self.assertIsNone(parsed.incident, "the old block was read")
                    if "bottom" in path.name and content_type == "text/html":
                        continue
                    self.assertEqual(parsed.workunit.get("TIME_USED").value, "0,5")
