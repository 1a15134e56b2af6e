try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

import email
import email.policy

from ..tools.header_safety import defuse_headers
from ..tools.headers import (
    MAX_REFERENCES,
    decode_name,
    parse_headers,
    read_addressing,
    read_headers,
    recipients,
    without_nul,
)

RAW = (
    b"From: =?utf-8?b?RXZpbA0KWDogeQ==?= <Mallory@Evil.example.net>\r\n"
    b"To: Soporte <soporte@helpdesk.example.com>,\r\n"
    b" =?utf-8?q?Bruno_Jim=C3=A9nez?= <Bruno.Jefe@x.example>\r\n"
    b"Cc: soporte@HELPDESK.example.com, carla@y.example\r\n"
    b"Delivered-To: queue@helpdesk.example.com\r\n"
    b"Resent-To: resent@helpdesk.example.com\r\n"
    b"In-Reply-To: <1@a>\r\n"
    b"References: <0@a>\r\n <1@a>\r\n"
    b"Authentication-Results: mx.example.com; dmarc=pass\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"\r\n"
    b"To: not-a-header@body.example\r\n"
)


def odoo_parse(raw):
    """The mail as the helpdesk reads it: parsed as Odoo's gateway parses it
    (``mail.thread.message_process``), then defused (``message_parse``)."""
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    defuse_headers(message)
    return message


class TestReadHeaders(TestCase):
    """What the gateway reads from a mail's headers, once per mail."""

    def test_facts(self):
        """Sender, recipients in order with their names decoded, automatic,
        from the mail as Odoo parses it and as the header block alone."""
        for parsed in (odoo_parse(RAW), parse_headers(RAW, email.policy.compat32)):
            mail = read_headers(parsed)
            self.assertEqual(mail.sender, "Mallory@Evil.example.net")
            self.assertEqual(mail.sender_name, "Evil  X: y")
            self.assertEqual(
                mail.recipients,
                (
                    ("Soporte", "soporte@helpdesk.example.com"),
                    ("Bruno Jiménez", "Bruno.Jefe@x.example"),
                    ("", "carla@y.example"),
                ),
            )
            self.assertEqual(
                mail.recipient_addresses,
                (
                    "soporte@helpdesk.example.com",
                    "bruno.jefe@x.example",
                    "carla@y.example",
                ),
            )
            self.assertTrue(mail.automatic)
            self.assertEqual(mail.auth_results, ("mx.example.com; dmarc=pass",))

    def test_addressing(self):
        """Every recipient Odoo routes on, and the references, newest last."""
        addressing = read_addressing(RAW)
        self.assertEqual(
            addressing.envelope,
            (
                "queue@helpdesk.example.com",
                "soporte@helpdesk.example.com",
                "bruno.jefe@x.example",
                "carla@y.example",
                "resent@helpdesk.example.com",
            ),
        )
        self.assertEqual(addressing.references, ("<1@a>", "<0@a>", "<1@a>"))

    def test_body_is_not_read(self):
        """Only the header block is parsed: the body's lines are no headers."""
        self.assertNotIn("not-a-header@body.example", read_addressing(RAW).envelope)
        self.assertEqual(len(parse_headers(RAW).get_all("To")), 1)

    def test_hostile_headers_are_data(self):
        """No header, a CR/LF in a name, hundreds of references: no error."""
        self.assertEqual(read_headers(odoo_parse(b"")).sender, "")
        self.assertEqual(read_addressing(b""), read_addressing(b"\n\nbody"))
        self.assertFalse(read_headers(odoo_parse(b"Subject: x\n\nbody")).automatic)
        many = b"References: " + b" ".join(b"<%d@a>" % i for i in range(500))
        references = read_addressing(many + b"\n\n").references
        self.assertEqual(len(references), MAX_REFERENCES)
        self.assertEqual(references[-1], "<499@a>")

    def test_nested_comments(self):
        """A thousand nested comments make the standard library's address
        parser recurse too deep: the addresses in the value are still read."""
        hostile = "(" * 1000 + " Ana <ana@x.example>, bob@y.example"
        raw = f"From: a@b.example\r\nTo: {hostile}\r\n\r\n".encode()
        self.assertEqual(
            read_addressing(raw).envelope, ("ana@x.example", "bob@y.example")
        )
        self.assertEqual(
            read_headers(odoo_parse(raw)).recipient_addresses,
            ("ana@x.example", "bob@y.example"),
        )

    def test_recipients(self):
        """Each address once, in order, as written; no address without @."""
        self.assertEqual(
            recipients(["A <a@x.example>, b@y.example", "A@X.example, undisclosed"]),
            (("A", "a@x.example"), ("", "b@y.example")),
        )

    def test_decode_name(self):
        """Encoded words decoded, whatever their charset; kept as written when
        they cannot be."""
        self.assertEqual(decode_name("=?iso-8859-1?q?Mar=EDa?= L."), "María L.")
        self.assertEqual(decode_name("Plain"), "Plain")
        self.assertEqual(decode_name("=?x-unknown?q?abc?="), "=?x-unknown?q?abc?=")

    def test_without_nul(self):
        """NUL characters leave texts, other values stay."""
        self.assertEqual(
            without_nul({"a": "x\x00y", "b": 3, "c": None}),
            {"a": "xy", "b": 3, "c": None},
        )
