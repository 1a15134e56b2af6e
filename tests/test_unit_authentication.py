try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools.authentication import sender_authenticated

TRUSTED = ["mx.company.com"]


class TestSenderAuthenticated(TestCase):
    """Authentication-Results from trusted servers only, DMARC or aligned DKIM."""

    def test_authenticated(self):
        """Passing DMARC, or DKIM aligned with the From domain, from a trusted
        server authenticates the sender."""
        cases = [
            "mx.company.com; dmarc=pass (p=none) header.from=company.com",
            "MX.Company.com; dkim=pass header.d=company.com header.s=sel",
            "mx.company.com; spf=fail; dkim=pass header.i=@mail.company.com",
            "mx.company.com 1; dkim=fail header.d=x.com; dmarc=pass",
            "mx.company.com;\r\n\tdkim=pass (2048-bit key) header.d=company.com",
        ]
        for header in cases:
            with self.subTest(header=header):
                self.assertTrue(sender_authenticated([header], "company.com", TRUSTED))

    def test_not_authenticated(self):
        """Anything else does not."""
        cases = [
            ([], TRUSTED),
            (["mx.evil.com; dmarc=pass header.from=company.com"], TRUSTED),
            (["mx.company.com; dmarc=fail header.from=company.com"], TRUSTED),
            (["mx.company.com; dkim=pass header.d=other.com"], TRUSTED),
            (["mx.company.com; dkim=pass header.d=com"], TRUSTED),
            (["mx.company.com; dmarc=pass header.from=other.com"], TRUSTED),
            (["mx.company.com; spf=pass smtp.mailfrom=company.com"], TRUSTED),
            (["mx.company.com; dmarc=pass"], []),
            (["mx.company.com (dmarc=pass); none"], TRUSTED),
        ]
        for headers, trusted in cases:
            with self.subTest(headers=headers, trusted=trusted):
                self.assertFalse(sender_authenticated(headers, "company.com", trusted))
