"""Read what the helpdesk needs from a mail's header block, once per mail.

The mail gateway decides from the headers alone whether a mail is the
helpdesk's before Odoo parses it whole, so these helpers read the header
block without the body (a 20 MB mail is not copied to read its headers) and
return a frozen :class:`MailHeaders` that travels with the mail.
"""

import email.parser
import email.policy
import re
import xmlrpc.client
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import getaddresses

from .automatic import is_automatic_mail
from .header_safety import defuse_headers

# The headers Odoo's gateway reads recipients from (mail.thread.message_parse).
RECIPIENT_HEADERS = ("Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc")
MAX_REFERENCES = 32  # the newest References looked up, as a hostile mail has many
_MESSAGE_ID = re.compile(r"<[^<>]+>")
_FOLDING = re.compile(r"[\r\n\t ]+")


@dataclass(frozen=True, eq=False)
class MailHeaders:
    """The facts of a mail's headers the helpdesk decides on.

    Compared by identity (``eq=False``): it travels in Odoo's context, whose
    environments are compared often, and a mail's recipients may be many.

    :param sender: the From address (empty when there is none), as written
        (the model layer normalizes it as Odoo does)
    :param recipients: ``(display name, address)`` of To then Cc, in header
        order, each address once (:func:`recipients`)
    :param envelope: every recipient address Odoo's routing considers
        (:data:`RECIPIENT_HEADERS`), lower-cased
    :param references: the Message-IDs of In-Reply-To and References, the
        newest last, at most :data:`MAX_REFERENCES`
    :param automatic: whether the mail was sent automatically (RFC 3834,
        bulk, delivery reports: :func:`automatic.is_automatic_mail`)
    :param auth_results: the ``Authentication-Results`` values
    """

    sender: str
    recipients: tuple[tuple[str, str], ...]
    envelope: tuple[str, ...]
    references: tuple[str, ...]
    automatic: bool
    auth_results: tuple[str, ...]

    @property
    def recipient_addresses(self) -> tuple[str, ...]:
        """:return: the To and Cc addresses, lower-cased, in header order"""
        return tuple(address.lower() for __, address in self.recipients)


def as_bytes(message) -> bytes:
    """The raw mail as bytes, from any form ``message_process`` accepts
    (bytes, str, or ``xmlrpc.client.Binary``)."""
    if isinstance(message, xmlrpc.client.Binary):
        return bytes(message.data)
    if isinstance(message, str):
        return message.encode("utf-8")
    return message


def parse_headers(raw: bytes, policy=email.policy.SMTP) -> email.message.Message:
    """The header block of a raw mail, parsed without the body.

    :param policy: ``email.policy.SMTP`` (decoded, structured headers, as
        Odoo's gateway reads them) or ``email.policy.compat32`` (raw strings:
        never raises on a hostile header)
    """
    ends = [raw.find(separator) for separator in (b"\r\n\r\n", b"\n\n")]
    end = min((index for index in ends if index >= 0), default=len(raw))
    parsed = email.parser.BytesHeaderParser(policy=policy).parsebytes(raw[: end + 1])
    defuse_headers(parsed)
    return parsed


def read_headers(raw: bytes) -> MailHeaders:
    """Read the :class:`MailHeaders` of a raw mail.

    The headers are taken as raw strings (``compat32``): a hostile header
    (a CR/LF hidden in an encoded display name) is data here, never an error.
    """
    headers = parse_headers(raw, policy=email.policy.compat32)
    return MailHeaders(
        sender=next(iter(recipients(headers.get_all("From", []))), ("", ""))[1],
        recipients=recipients(headers.get_all("To", []) + headers.get_all("Cc", [])),
        envelope=tuple(
            dict.fromkeys(
                address.lower()
                for name in RECIPIENT_HEADERS
                for __, address in recipients(headers.get_all(name, []))
            )
        ),
        references=_references(headers),
        automatic=is_automatic_mail(headers),
        auth_results=tuple(
            str(value) for value in headers.get_all("Authentication-Results", [])
        ),
    )


def without_nul(values: Mapping) -> dict:
    """``values`` with NUL characters dropped from its texts: PostgreSQL text
    cannot hold them, and hostile mail carries them to make the gateway fail.
    """
    return {
        key: value.replace("\x00", "") if isinstance(value, str) else value
        for key, value in values.items()
    }


def recipients(values: Iterable) -> tuple[tuple[str, str], ...]:
    """The addresses of address header values (To, Cc...), in order.

    :param values: header values, or Odoo's comma-joined ``to``/``cc``
    :return: ``(display name, address as written)``, each address once
        (compared case-insensitively), none without an ``@``
    """
    found = {}
    for name, address in getaddresses([str(value) for value in values if value]):
        address = address.strip()
        if "@" in address:
            found.setdefault(address.lower(), (name.strip(), address))
    return tuple(found.values())


def _references(headers):
    text = " ".join(
        str(value)
        for name in ("In-Reply-To", "References")
        for value in headers.get_all(name, [])
    )
    # As Odoo's unfold_references: <...> tokens, folding whitespace dropped.
    ids = [_FOLDING.sub("", token) for token in _MESSAGE_ID.findall(text)]
    return tuple(ids[-MAX_REFERENCES:])
