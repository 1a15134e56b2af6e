# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure tests of tools/bounds.py (no Odoo)."""

import email
import email.policy
import time

try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.bounds import MAX_ATTACHMENTS, MAX_DEPTH, MAX_PARTS, Limits, bound_mail

HEAD = (
    b"From: Carla <carla@customer.example.com>\r\n"
    b"To: soporte@example.com\r\n"
    b"Subject: Muchas partes\r\n"
    b"Message-Id: <bounds@customer.example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
)
TEXT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nEl texto legible.\r\n"


def flood(count, attachment=True):
    """A mail of a text part and ``count`` tiny parts."""
    disposition = b'Content-Disposition: attachment; filename="f%d.txt"\r\n'
    out = [HEAD, b'Content-Type: multipart/mixed; boundary="BND"\r\n\r\n']
    out.append(b"--BND\r\n" + TEXT)
    for index in range(count):
        out.append(b"--BND\r\nContent-Type: text/plain\r\n")
        if attachment:
            out.append(disposition % index)
        out.append(b"\r\nx\r\n")
    out.append(b"--BND--\r\n")
    return b"".join(out)


def nested(depth):
    """A mail whose text is ``depth`` multiparts deep."""
    out = [HEAD]
    for level in range(depth):
        out.append(
            b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
            % (level, level)
        )
    out.append(TEXT)
    for level in reversed(range(depth)):
        out.append(b"--b%d--\r\n" % level)
    return b"".join(out)


def huge_headers(megabytes):
    line = b"X-Relleno: " + b"a" * 980 + b"\r\n"
    junk = line * (megabytes * 1024 * 1024 // len(line))
    first, rest = HEAD.split(b"\r\n", 1)
    return first + b"\r\n" + junk + rest + b"\r\nEl texto legible.\r\n"


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.SMTP)


def texts(message):
    return [
        part.get_content().strip()
        for part in message.walk()
        if part.get_content_type() == "text/plain" and not part.is_attachment()
    ]


class TestBoundMail(TestCase):
    def test_mail_within_limits_is_left_alone(self):
        """A mail within the limits is handed on as the same bytes."""
        raw = flood(20)
        bounded = bound_mail(raw)
        self.assertIs(bounded.raw, raw)
        self.assertFalse(bounded.changed)
        self.assertEqual(bounded.parts, 22)

    def test_attachment_flood_keeps_the_first_attachments(self):
        """25 000 attachments: the text and the first 100 are kept, fast."""
        start = time.monotonic()
        bounded = bound_mail(flood(25000))
        message = parse(bounded.raw)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(bounded.attachments_dropped, 25000 - MAX_ATTACHMENTS)
        self.assertEqual(len(list(message.iter_attachments())), MAX_ATTACHMENTS)
        self.assertEqual(texts(message), ["El texto legible."])
        self.assertEqual(message["Subject"], "Muchas partes")

    def test_part_flood_keeps_the_first_parts(self):
        """Inline parts past the part limit are dropped."""
        bounded = bound_mail(flood(2000, attachment=False))
        message = parse(bounded.raw)
        self.assertEqual(sum(1 for __ in message.walk()), MAX_PARTS)
        self.assertEqual(bounded.parts_dropped, 2002 - MAX_PARTS)
        self.assertEqual(texts(message)[0], "El texto legible.")

    def test_deep_nesting_keeps_the_readable_text(self):
        """5 000 levels deep (the standard library raises RecursionError at
        1 000): flattened below the depth limit, the text kept."""
        raw = nested(5000)
        with self.assertRaises(RecursionError):
            parse(raw)
        start = time.monotonic()
        bounded = bound_mail(raw)
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(bounded.flattened)
        self.assertEqual(bounded.depth, 5000)
        message = parse(bounded.raw)
        self.assertEqual(texts(message), ["El texto legible."])
        self.assertLessEqual(sum(1 for __ in message.walk()), MAX_DEPTH + 2)

    def test_moderate_nesting_is_left_alone(self):
        raw = nested(MAX_DEPTH)
        self.assertIs(bound_mail(raw).raw, raw)

    def test_huge_header_block_keeps_the_gateway_fields(self):
        """10 MB of headers: cut to the limit, From, To, Subject kept."""
        bounded = bound_mail(huge_headers(10))
        self.assertGreater(bounded.header_bytes_dropped, 9 * 1024 * 1024)
        self.assertLess(len(bounded.raw), 300 * 1024)
        message = parse(bounded.raw)
        self.assertEqual(message["Subject"], "Muchas partes")
        self.assertEqual(message["To"], "soporte@example.com")
        self.assertEqual(message.get_content().strip(), "El texto legible.")

    def test_message_rfc822_and_lf_line_ends(self):
        """A forwarded mail nested too deep, in LF line ends, is flattened."""
        raw = HEAD + b"Content-Type: message/rfc822\r\n\r\n" + nested(30)
        bounded = bound_mail(raw.replace(b"\r\n", b"\n"))
        self.assertTrue(bounded.flattened)
        self.assertEqual(texts(parse(bounded.raw)), ["El texto legible."])

    def test_no_limit(self):
        raw = flood(600)
        self.assertIs(bound_mail(raw, Limits(0, 0, 0, 0)).raw, raw)

    def test_huge_address_header_is_kept(self):
        """A To header of a megabyte is the gateway's to cut (header_safety),
        after its last whole address: the header limit keeps it."""
        to = b"To: soporte@example.com, " + b"<a@b.cc>" * 130_000 + b"\r\n"
        raw = HEAD.replace(b"To: soporte@example.com\r\n", to) + b"\r\nHola.\r\n"
        bounded = bound_mail(raw)
        self.assertIn(b"soporte@example.com", bounded.raw)
        self.assertEqual(bounded.header_bytes_dropped, 0)
