try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.charset import repair_charset

LATIN1_SPANISH = "Han estado caídos toda la mañana.".encode("latin-1")
UTF8_SPANISH = "Han estado caídos toda la mañana.".encode()


class TestRepairCharset(TestCase):
    """A charset that reads the bytes, when the declared one cannot."""

    def test_repair(self):
        """Unknown, wrong or missing charsets get one that decodes."""
        cases = [
            ("utf-8", UTF8_SPANISH, None),
            ("iso-8859-1", LATIN1_SPANISH, None),
            ("UTF-8", LATIN1_SPANISH, "windows-1252"),
            (None, UTF8_SPANISH, "utf-8"),
            (None, b"plain ascii", None),
            ("us-ascii", LATIN1_SPANISH, "windows-1252"),
            ("x-unknown-8", UTF8_SPANISH, "utf-8"),
            ("x-unknown-8", LATIN1_SPANISH, "windows-1252"),
            ("utf-8", b"\x81\x8d\x8f\xe9", "latin-1"),
        ]
        for declared, payload, expected in cases:
            with self.subTest(declared=declared, payload=payload):
                self.assertEqual(repair_charset(declared, payload), expected)
