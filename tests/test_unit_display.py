try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.display import visible


class TestVisible(TestCase):
    def test_invisible_characters(self):
        """Control, bidi and other format characters show as code points."""
        cases = [
            ("plain text", "plain text"),
            ("abc\u202edef", "abc[U+202E]def"),
            ("\u2066isolate\u2069", "[U+2066]isolate[U+2069]"),
            ("rlm\u200fmark", "rlm[U+200F]mark"),
            ("zero\u200bwidth", "zero[U+200B]width"),
            ("bell\x07 nul\x00 del\x7f", "bell[U+0007] nul[U+0000] del[U+007F]"),
            ("new\nline\r", "new[U+000A]line[U+000D]"),
            ("tab\there", "tab here"),
            ("bom\ufeff", "bom[U+FEFF]"),
            ("tag\U000e0041", "tag[U+E0041]"),
            ("café niño 日本 עברית", "café niño 日本 עברית"),
        ]
        for value, shown in cases:
            with self.subTest(value=value):
                self.assertEqual(visible(value), shown)

    def test_length_bounded(self):
        """A long value is cut to the limit and ends with "..."."""
        self.assertEqual(visible("x" * 100, 10), "xxxxxxx...")
        self.assertEqual(visible("x" * 10, 10), "x" * 10)
        self.assertEqual(len(visible("\u202e" * 1_000_000)), 60)
        self.assertEqual(visible("x" * 100, None), "x" * 100)
