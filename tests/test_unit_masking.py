try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools import masking
from ..tools.masking import MASK, mask_emails_in_html


class TestMaskText(TestCase):
    """Addresses in text (an HTML body's text is text)."""

    def test_mask(self):
        """Every address of a text becomes the mask, the rest is kept."""
        cases = [
            ("Write to ann@example.com.", f"Write to {MASK}."),
            ("ann@example.com", MASK),
            ("ANN.SMITH@EXAMPLE.COM", MASK),
            ("first.last+tag@sub.example.co.uk", MASK),
            ("a_b-c%d@my-domain.org", MASK),
            ("Ann <ann@example.com>", f"Ann <{MASK}>"),
            ("<ann@example.com>", f"<{MASK}>"),
            ("(ann@example.com)", f"({MASK})"),
            ('"ann@example.com"', f'"{MASK}"'),
            ("'ann@example.com'", f"'{MASK}'"),
            ("mailto:ann@example.com", f"mailto:{MASK}"),
            (
                "Cc: ann@example.com, bob@example.org; carl@example.net",
                f"Cc: {MASK}, {MASK}; {MASK}",
            ),
            ("josé.pérez@correo.es", MASK),
            ("info@ñandú.com.ar", MASK),
            ("用户@例子.广告", MASK),
            ("ann@xn--bcher-kva.example", MASK),
            ("ann@example.xn--p1ai", MASK),
            ("line one\nann@example.com\nline three", f"line one\n{MASK}\nline three"),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(mask_emails_in_html(text), expected)

    def test_not_addresses(self):
        """Text that is no address is left alone."""
        cases = [
            "no address here",
            "@mention and user@ and @example.com",
            "user@localhost",
            "price: 10@3.50",
            "a@b.c",
            "me@host.123",
            "see https://example.com/path?q=1",
            "[cid:image001.png@01D9A1B2.C3D4E5F0]",
            "[cid:image001.png@01D9A1B2.ABCDEFAB]",
            "",
        ]
        for text in cases:
            with self.subTest(text=text):
                self.assertEqual(mask_emails_in_html(text), text)

    def test_idempotent(self):
        """Masking twice, or masking the mask, changes nothing more."""
        self.assertEqual(masking.MASK, "xxxx@xxxx.xxx")
        for text in (MASK, f"Ann <{MASK}>", "a@b.com and c@d.org"):
            with self.subTest(text=text):
                once = mask_emails_in_html(text)
                self.assertEqual(mask_emails_in_html(once), once)
        self.assertEqual(mask_emails_in_html(MASK), MASK)

    def test_long_token_is_fast(self):
        """A huge word without an address is scanned in linear time."""
        text = "a" * 200_000 + " " + "b." * 50_000
        self.assertEqual(mask_emails_in_html(text), text)


class TestMaskHtml(TestCase):
    def test_mask(self):
        """Addresses go in text, attributes and mailto links, nothing else moves."""
        cases = [
            ("<p>ann@example.com</p>", f"<p>{MASK}</p>"),
            ("<p>Ann &lt;ann@example.com&gt;</p>", f"<p>Ann &lt;{MASK}&gt;</p>"),
            (
                '<a href="mailto:ann@example.com">ann@example.com</a>',
                f'<a href="mailto:{MASK}">{MASK}</a>',
            ),
            (
                '<a href="mailto:a@b.com?subject=x">x</a>',
                f'<a href="mailto:{MASK}">x</a>',
            ),
            (
                '<a href="mailto:a@b.com?cc=c@d.org&amp;subject=Hi%20there">x</a>',
                f'<a href="mailto:{MASK}">x</a>',
            ),
            (
                '<a href="mailto:ann%40example.com">x</a>',
                f'<a href="mailto:{MASK}">x</a>',
            ),
            (
                '<a href="mailto:ann&#64;example.com">x</a>',
                f'<a href="mailto:{MASK}">x</a>',
            ),
            (
                "<a href='MAILTO:ann&#x40;example.com'>x</a>",
                f"<a href='MAILTO:{MASK}'>x</a>",
            ),
            ("<a href=mailto:ann@example.com>x</a>", f"<a href=mailto:{MASK}>x</a>"),
            (
                '<a href="mailto:?subject=hi">x</a>',
                '<a href="mailto:?subject=hi">x</a>',
            ),
            ("<p>ann&#64;example.com</p>", f"<p>{MASK}</p>"),
            ("<p>ann&commat;example.com</p>", f"<p>{MASK}</p>"),
            (
                '<span title="ann@example.com">Ann</span>',
                f'<span title="{MASK}">Ann</span>',
            ),
            (
                '<a href="https://x.example/unsubscribe?email=ann%40example.com">u</a>',
                f'<a href="https://x.example/unsubscribe?email={MASK}">u</a>',
            ),
            ("<p>ANN@EXAMPLE.COM</p>", f"<p>{MASK}</p>"),
            (
                "<p>a@b.com, c@d.org;<br>e@f.net</p>",
                f"<p>{MASK}, {MASK};<br>{MASK}</p>",
            ),
            (
                (
                    "<p><b>De:</b> Ana &lt;ana@example.es&gt;<br><b>Para:</b> "
                    "soporte@example.es</p>"
                ),
                f"<p><b>De:</b> Ana &lt;{MASK}&gt;<br><b>Para:</b> {MASK}</p>",
            ),
            ("<p>josé@correo.es</p>", f"<p>{MASK}</p>"),
        ]
        for html, expected in cases:
            with self.subTest(html=html):
                self.assertEqual(mask_emails_in_html(html), expected)

    def test_kept(self):
        """cid: URLs, image sources and markup without addresses stay intact."""
        cases = [
            '<img src="cid:image001.png@01D9A1B2.C3D4E5F0">',
            '<img src="cid:image001.png@01D9A1B2.ABCDEFAB" alt="x">',
            "<img src=cid:ii_abc@mail.example.com>",
            '<img src="https://cdn.example.com/logo@2x.png">',
            "<img srcset='a@1x.png 1x, a@2x.png 2x'>",
            '<a href="cid:part1.ABC@example.com">x</a>',
            '<p style="font-family:Calibri">@media is not an address</p>',
            "<!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]-->",
            "<p>MsoNormal &nbsp; text</p>",
            "",
        ]
        for html in cases:
            with self.subTest(html=html):
                self.assertEqual(mask_emails_in_html(html), html)

    def test_idempotent(self):
        """Masking masked HTML changes nothing."""
        html = (
            '<p>Ann &lt;ann@example.com&gt; <a href="mailto:ann%40example.com?s=1">'
            'mail</a> <img src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>'
        )
        once = mask_emails_in_html(html)
        self.assertEqual(
            once,
            f'<p>Ann &lt;{MASK}&gt; <a href="mailto:{MASK}">mail</a> '
            '<img src="cid:image001.png@01D9A1B2.C3D4E5F0"></p>',
        )
        self.assertEqual(mask_emails_in_html(once), once)
