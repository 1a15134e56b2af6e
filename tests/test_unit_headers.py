try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.headers import (
    MAX_REFERENCES,
    parse_headers,
    read_headers,
    recipients,
    without_nul,
)

RAW = (
    b"From: =?utf-8?b?RXZpbA0KWDogeQ==?= <Mallory@Evil.example.net>\r\n"
    b"To: Soporte <soporte@helpdesk.example.com>, Bruno <Bruno.Jefe@x.example>\r\n"
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


class TestReadHeaders(TestCase):
    """What the gateway reads from a mail's header block, once per mail."""

    def test_facts(self):
        """Sender, recipients in order, envelope, references, automatic."""
        mail = read_headers(RAW)
        self.assertEqual(mail.sender, "Mallory@Evil.example.net")
        self.assertEqual(
            mail.recipients,
            (
                ("Soporte", "soporte@helpdesk.example.com"),
                ("Bruno", "Bruno.Jefe@x.example"),
                ("", "carla@y.example"),
            ),
        )
        self.assertEqual(
            mail.recipient_addresses,
            ("soporte@helpdesk.example.com", "bruno.jefe@x.example", "carla@y.example"),
        )
        self.assertEqual(
            mail.envelope,
            (
                "queue@helpdesk.example.com",
                "soporte@helpdesk.example.com",
                "bruno.jefe@x.example",
                "carla@y.example",
                "resent@helpdesk.example.com",
            ),
        )
        self.assertEqual(mail.references, ("<1@a>", "<0@a>", "<1@a>"))
        self.assertTrue(mail.automatic)
        self.assertEqual(mail.auth_results, ("mx.example.com; dmarc=pass",))

    def test_body_is_not_read(self):
        """Only the header block is parsed: the body's lines are no headers."""
        self.assertNotIn("not-a-header@body.example", read_headers(RAW).envelope)
        self.assertEqual(len(parse_headers(RAW).get_all("To")), 1)

    def test_hostile_headers_are_data(self):
        """No header, a CR/LF in a name, hundreds of references: no error."""
        self.assertEqual(read_headers(b"").sender, "")
        self.assertFalse(read_headers(b"Subject: x\n\nbody").automatic)
        many = b"References: " + b" ".join(b"<%d@a>" % i for i in range(500))
        references = read_headers(many + b"\n\n").references
        self.assertEqual(len(references), MAX_REFERENCES)
        self.assertEqual(references[-1], "<499@a>")

    def test_recipients(self):
        """Each address once, in order, as written; no address without @."""
        self.assertEqual(
            recipients(["A <a@x.example>, b@y.example", "A@X.example, undisclosed"]),
            (("A", "a@x.example"), ("", "b@y.example")),
        )

    def test_without_nul(self):
        """NUL characters leave texts, other values stay."""
        self.assertEqual(
            without_nul({"a": "x\x00y", "b": 3, "c": None}),
            {"a": "xy", "b": 3, "c": None},
        )
