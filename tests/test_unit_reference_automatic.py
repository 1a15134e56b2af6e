try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.automatic import is_automatic_mail
from ..tools.reference import add_reference, find_references


class TestReference(TestCase):
    """Ticket reference tokens in subjects."""

    def test_add_reference(self):
        """The token is added once, in front, and whitespace is folded."""
        cases = [
            ("Problema con los servidores", "[HT00012] Problema con los servidores"),
            ("Re: [HT00012] Problema", "Re: [HT00012] Problema"),
            ("[HT00011] Otro ticket", "[HT00012] [HT00011] Otro ticket"),
            ("Línea\n  partida", "[HT00012] Línea partida"),
            ("", "[HT00012]"),
        ]
        for subject, expected in cases:
            with self.subTest(subject=subject):
                self.assertEqual(add_reference(subject, "HT00012"), expected)

    def test_find_references(self):
        """Every token of a subject is found, in order."""
        self.assertEqual(
            find_references("RE: [HT00012] FW: [TCK7] [not a ref] [12]"),
            ["HT00012", "TCK7"],
        )
        self.assertEqual(find_references(""), [])


class TestAutomaticMail(TestCase):
    """RFC 3834 and de-facto automatic mail headers."""

    def test_automatic(self):
        """Auto-replies, bulk mail and delivery reports are automatic."""
        cases = [
            {"Auto-Submitted": "auto-replied"},
            {"Auto-Submitted": "auto-generated"},
            {"Precedence": "bulk"},
            {"Precedence": "Junk"},
            {"Precedence": "list"},
            {"X-Autoreply": "yes"},
            {"X-Autorespond": "Out of office"},
            {"Return-Path": "<>"},
            {"Content-Type": "multipart/report; report-type=delivery-status"},
        ]
        for headers in cases:
            with self.subTest(headers=headers):
                self.assertTrue(is_automatic_mail(headers))

    def test_human(self):
        """A person's mail is not automatic."""
        cases = [
            {},
            {"Auto-Submitted": "no"},
            {"Precedence": "first-class"},
            {"Return-Path": "<user@company.com>"},
            {"Content-Type": "text/plain; charset=utf-8"},
        ]
        for headers in cases:
            with self.subTest(headers=headers):
                self.assertFalse(is_automatic_mail(headers))
