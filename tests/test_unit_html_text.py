try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.html_text import HIDDEN_MARK, html_to_text


class TestHtmlToText(TestCase):
    def test_lines(self):
        """Block elements and <br> make lines; inline elements do not."""
        cases = [
            ("plain text", "plain text"),
            ("<p>one</p><p>two</p>", "one\ntwo"),
            ("<div>one</div><div>two</div>", "one\ntwo"),
            ("one<br>two<br/>three<br />four", "one\ntwo\nthree\nfour"),
            ("one</br>two", "one\ntwo"),
            ("<div>one<div>two</div>three</div>", "one\ntwo\nthree"),
            (
                "<p>a <b>bold</b> <i>word</i>, <span>span</span></p>",
                "a bold word, span",
            ),
            ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
            ("<h1>Title</h1>text", "Title\ntext"),
            ("<blockquote>quote</blockquote>after", "quote\nafter"),
            ("before<hr>after", "before\nafter"),
            (
                "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>",
                "a b\nc d",
            ),
            ("<p>line\n   wrapped\tin source</p>", "line wrapped in source"),
            ("<pre>  keep\n    indent</pre>", "  keep\n    indent"),
            ("<div>  leading spaces</div>", "leading spaces"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_blank_lines(self):
        """Empty lines collapse to one; none at the start or the end."""
        cases = [
            ("<div>a</div><div><br></div><div>b</div>", "a\n\nb"),
            ("a<br><br><br><br>b", "a\n\nb"),
            ("<p>a</p><p>&nbsp;</p><p>&nbsp;</p><p>b</p>", "a\n\nb"),
            ("<br><br>a<br><br>", "a"),
            ("<p>&nbsp;</p><p>a</p><p>&nbsp;</p>", "a"),
            ("<div>a</div><div></div><div>b</div>", "a\nb"),
            ("", ""),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_characters(self):
        """Entities are unescaped, odd spaces made plain, zero-widths dropped."""
        cases = [
            ("a &amp; b &lt;c@d.com&gt;", "a & b <c@d.com>"),
            ("&quot;q&quot; &#39;s&#39;", "\"q\" 's'"),
            ("a&nbsp;b", "a b"),
            ("a\xa0b", "a b"),
            ("a&#160;b&#xa0;c", "a b c"),
            ("a\u202fb\u2009c\u3000d", "a b c d"),
            ("a\u200bb\u200cc\u200dd\ufeffe\u2060f\u00adg", "abcdefg"),
            ("<p>trailing&nbsp;&nbsp;</p>", "trailing"),
            ("&nbsp;&nbsp;indented", "  indented"),
            ("caf&eacute; ni&ntilde;o", "café niño"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_hidden_content(self):
        """Head, title, style, script and their content are left out."""
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Subject</title>"
            "<style>p { color: red; }</style></head><body>"
            "<script>alert('x')</script><p>Visible</p><!-- comment -->"
            "<![if !supportLists]>·<![endif]>list</body></html>"
        )
        self.assertEqual(html_to_text(html), "Visible\n·list")

    def test_hidden_text_marked(self):
        """With mark_hidden, each line holding text that inline styles hide
        ends with HIDDEN_MARK; without it, the text is the same, unmarked."""
        cases = [
            ('<p>a</p><p style="display:none">b</p>', "a\nb" + HIDDEN_MARK),
            ('<p>a <span style="font-size:0">b</span> c</p>', "a b c" + HIDDEN_MARK),
            ('<p style="display:none"> </p><p>a</p>', "a"),
            ('<p style="color:#FFF">a</p>', "a" + HIDDEN_MARK),
            ('<p style="color:rgba(0,0,0,0)">a</p>', "a" + HIDDEN_MARK),
            ('<p style="color:transparent">a</p>', "a" + HIDDEN_MARK),
            ('<p style="mso-hide:all">a</p>', "a" + HIDDEN_MARK),
            ('<p style="color:#fff;background:#333">a</p>', "a"),
            ('<p style="font-size:0.5em">a</p>', "a"),
            ("<p>a\ufdd0b</p>", "ab"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html, mark_hidden=True), text)
                self.assertEqual(html_to_text(html), text.replace(HIDDEN_MARK, ""))

    def test_odoo_quotes(self):
        """Elements tagged data-o-mail-quote are dropped with their subtree and
        leave one ">" line, so that quote cutting knows a quote stood there."""
        cases = [
            (
                (
                    '<p>New</p><div data-o-mail-quote="1">On x wrote:<br><blockquote>'
                    "[INCIDENT]<br>STATUS: Closed<br>[INCIDENT]</blockquote></div>"
                    "<p>After</p>"
                ),
                "New\n>\nAfter",
            ),
            ('a<br data-o-mail-quote="1">b', "a\n>\nb"),
            ('a<br data-o-mail-quote="1"/>b', "a\n>\nb"),
            (
                (
                    '<div data-o-mail-quote="1">q<br>q<img src="x"><br>q<hr>'
                    "<div>nested<div>deeper</div></div>q</div>new"
                ),
                ">\nnew",
            ),
            (
                (
                    '<div><span data-o-mail-quote="1">&gt; quoted<br>&gt; more</span>'
                    "kept</div>"
                ),
                ">\nkept",
            ),
            ('<p>text</p><p data-o-mail-quote="1">--<br>Ann<br>CEO</p>', "text\n>"),
            (
                (
                    '<blockquote data-o-mail-quote="1" data-o-mail-quote-node="1">old'
                    "</blockquote>new"
                ),
                ">\nnew",
            ),
            (
                '<p>a</p><hr data-o-mail-quote="1"><div data-o-mail-quote="1">q</div>'
                '<div data-o-mail-quote="1">q</div>',
                "a\n>",
            ),
            ('<div data-o-mail-quote-container="1">kept</div>', "kept"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_plain_text_quotes(self):
        """In a plain-text mail (<pre>), Odoo's tagged ">" lines and "--"
        signature keep their text: the quote cutter reads them in context."""
        html = (
            "<pre>On Mon, 30 Nov 2026 at 09:15, Soporte &lt;s@example.com&gt; wrote:"
            '<span data-o-mail-quote="1">\n&gt; [INCIDENT]\n&gt; STATUS: Closed'
            "\n&gt; [INCIDENT]</span>\n\nMy answer.\n[WORKUNIT]\nTIME_USED: 0.5"
            '\n[WORKUNIT]<span data-o-mail-quote="1">\n-- \nOlga</span></pre>'
        )
        self.assertEqual(
            html_to_text(html),
            "On Mon, 30 Nov 2026 at 09:15, Soporte <s@example.com> wrote:\n"
            "> [INCIDENT]\n> STATUS: Closed\n> [INCIDENT]\n\nMy answer.\n"
            "[WORKUNIT]\nTIME_USED: 0.5\n[WORKUNIT]\n--\nOlga",
        )

    def test_odd_input(self):
        """NUL bytes, bare comments, an XML declaration or nothing: no crash."""
        cases = [
            ("a\0b", "ab"),
            ("<!-- only a comment -->", ""),
            ("   \n ", ""),
            ('<?xml version="1.0" encoding="utf-8"?><p>x</p>', "x"),
            ("<p>caf\xe9</p>", "caf\xe9"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_outlook_msonormal(self):
        """Outlook's MsoNormal paragraphs give one line each."""
        html = (
            '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
            "<style><!-- p.MsoNormal {margin:0cm;} --></style></head>"
            '<body lang=ES link="#0563C1"><div class=WordSection1>\n'
            "<p class=MsoNormal>Hola,<o:p></o:p></p>\n"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
            "<p class=MsoNormal>[INCIDENT]<o:p></o:p></p>\n"
            "<p class=MsoNormal><span lang=EN-US>PRIORITY: 3</span><o:p></o:p></p>\n"
            "<p class=MsoNormal>STATUS:\n  Assigned<o:p></o:p></p>\n"
            "<p class=MsoNormal>[INCIDENT]<o:p></o:p></p>\n"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt">\n'
            "<p class=MsoNormal><b>De:</b> Ana &lt;ana@example.es&gt;<br>"
            "<b>Enviado:</b> lunes<o:p></o:p></p></div>\n"
            "</div></body></html>"
        )
        self.assertEqual(
            html_to_text(html),
            "Hola,\n\n[INCIDENT]\nPRIORITY: 3\nSTATUS: Assigned\n[INCIDENT]\n\n"
            "De: Ana <ana@example.es>\nEnviado: lunes",
        )

    def test_gmail(self):
        """Gmail's <div>/<br> HTML with &nbsp; gives its visual lines."""
        html = (
            '<div dir="ltr"><div>Hi,</div><div><br></div>'
            "<div>[WORKUNIT]</div><div>TIME_USED:&nbsp;0.05</div><div>[WORKUNIT]</div>"
            '<div><br></div><div>Thanks</div></div><br><div class="gmail_quote">'
            '<div dir="ltr" class="gmail_attr">On Mon, Jan 8, 2024 at 10:00 AM Ann '
            '&lt;<a href="mailto:ann@example.com">ann@example.com</a>&gt; wrote:<br>'
            '</div><blockquote class="gmail_quote">old</blockquote></div>'
        )
        self.assertEqual(
            html_to_text(html),
            "Hi,\n\n[WORKUNIT]\nTIME_USED: 0.05\n[WORKUNIT]\n\nThanks\n\n"
            "On Mon, Jan 8, 2024 at 10:00 AM Ann <ann@example.com> wrote:\nold",
        )

    def test_unclosed_tags(self):
        """Unclosed and stray tags do not lose or hide text."""
        cases = [
            ("<p>one<p>two<p>three", "one\ntwo\nthree"),
            ("<ul><li>one<li>two</ul>after", "one\ntwo\nafter"),
            ("<table><tr><td>a<td>b<tr><td>c</table>", "a b\nc"),
            ("<div><b>bold<div>inner</div>tail", "bold\ninner\ntail"),
            # a stray </p> makes an empty paragraph, as in browsers
            ("text</div></p></span>more", "text\nmore"),
            ("<div>open", "open"),
            ('<p data-o-mail-quote="1">quoted<p>new', ">\nnew"),
            ('<div data-o-mail-quote="1"><p>quoted</div>new', ">\nnew"),
            ("<b>bold <i>both</b> after", "bold both after"),
            ("<p>a</p><p>", "a"),
            ("a < b and c > d", "a < b and c > d"),
        ]
        for html, text in cases:
            with self.subTest(html=html):
                self.assertEqual(html_to_text(html), text)

    def test_deep_nesting(self):
        """Thousands of unclosed elements are handled without recursion."""
        html = "<div>" * 5000 + "deep" + "<span>" * 5000 + "end"
        self.assertEqual(html_to_text(html), "deepend")
