"""Read what the helpdesk needs from a mail's headers.

Two reads, each once per mail, for two moments of the gateway:

* before Odoo parses a mail, :func:`read_addressing` reads from its header
  block alone (a 20 MB mail is not copied for it) whether it may be the
  helpdesk's: where it was delivered to and which messages it replies to;
* once Odoo has parsed a helpdesk mail, :func:`read_headers` reads from that
  parsed message the facts the helpdesk decides on, the frozen
  :class:`MailFacts` that every later step of the mail receives.

Both read the headers' raw values, so that a hostile header (a CR/LF hidden in
an encoded display name) is data here, never an error.
"""

import email.errors
import email.header
import email.message
import email.parser
import email.policy
import re
import xmlrpc.client
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import getaddresses

from .automatic import is_automatic_mail
from .header_safety import defuse_headers

# The headers Odoo's gateway reads recipients from (mail.thread.message_parse).
RECIPIENT_HEADERS = ("Delivered-To", "To", "Cc", "Resent-To", "Resent-Cc")
MAX_REFERENCES = 32  # the newest References looked up, as a hostile mail has many
MAX_NAME = 1000  # characters of a display name (RFC 5322 lines hold 998)
# The key of a helpdesk mail's MailFacts in the message dict of Odoo's gateway.
MESSAGE_DICT_KEY = "helpdesk_mailgate_facts"
_MESSAGE_ID = re.compile(r"<[^<>]+>")
# A bare address, for the values the standard library cannot read.
_BARE_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")
_FOLDING = re.compile(r"[\r\n\t ]+")


@dataclass(frozen=True)
class Addressing:
    """Where a mail goes and what it replies to: enough to tell whether it may
    be the helpdesk's, before Odoo parses it.

    :param envelope: every recipient address Odoo's routing considers
        (:data:`RECIPIENT_HEADERS`), lower-cased, each once
    :param references: the Message-IDs of In-Reply-To and References, the
        newest last, at most :data:`MAX_REFERENCES`
    """

    envelope: tuple[str, ...]
    references: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class MailFacts:
    """The facts of a mail the helpdesk decides on, read once per mail.

    Compared by identity (``eq=False``): a mail's recipients may be many, and
    no two mails are the same.

    :param sender: the From address (empty when there is none), as written
        (the model layer normalizes it as Odoo does)
    :param sender_name: the From display name, decoded (empty when none)
    :param recipients: ``(display name, address)`` of To then Cc, in header
        order, each address once, the names decoded (:func:`recipients`)
    :param automatic: whether the mail was sent automatically (RFC 3834,
        bulk, delivery reports: :func:`automatic.is_automatic_mail`)
    :param auth_results: the ``Authentication-Results`` values
    :param message_id: the Message-ID, as Odoo's gateway read it
    :param subject: the subject, decoded
    :param date: the Date, as Odoo's gateway read it (UTC), empty when none
    :param email_from: the From header as Odoo's gateway decoded it: the
        address answers go to
    :param from_gateway: whether Odoo's gateway parsed the mail (False for a
        ``message_new``/``message_update`` called with a message dict alone)
    :param dropped: one note per thing of the mail the gateway did not read
        (past the limits of tools/bounds.py), for the comment, the log and
        the answer to the sender
    """

    sender: str
    sender_name: str
    recipients: tuple[tuple[str, str], ...]
    automatic: bool
    auth_results: tuple[str, ...]
    message_id: str = ""
    subject: str = ""
    date: str = ""
    email_from: str = ""
    from_gateway: bool = True
    dropped: tuple[str, ...] = ()

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


def read_addressing(raw: bytes) -> Addressing:
    """Read the :class:`Addressing` of a raw mail from its header block."""
    values = _raw_values(parse_headers(raw, policy=email.policy.compat32))
    addresses = (
        address.strip().lower()
        for name in RECIPIENT_HEADERS
        for __, address in parse_addresses(values.get(name.lower(), []))
    )
    return Addressing(
        envelope=tuple(dict.fromkeys(a for a in addresses if "@" in a)),
        references=_references(values),
    )


def read_headers(message: email.message.Message) -> MailFacts:
    """Read the :class:`MailFacts` of a parsed mail (any policy: Odoo's
    gateway parses with ``email.policy.SMTP``), from the raw header values,
    defused beforehand (:func:`header_safety.defuse_headers`)."""
    values = _raw_values(message)
    sender_name, sender = next(iter(recipients(values.get("from", []))), ("", ""))
    return MailFacts(
        sender=sender,
        sender_name=sender_name,
        recipients=recipients(values.get("to", []) + values.get("cc", [])),
        automatic=is_automatic_mail(_FirstValues(values)),
        auth_results=tuple(values.get("authentication-results", [])),
    )


def facts_of(msg_dict: Mapping, normalize: Callable[[str], str]) -> MailFacts:
    """The :class:`MailFacts` of a mail: the ones the gateway read into its
    message dict (:data:`MESSAGE_DICT_KEY`), else, for a message dict that
    did not come through the gateway (``from_gateway`` False), what its
    ``email_from``, ``to`` and ``cc`` tell.

    :param msg_dict: a message dict of Odoo's gateway;
    :param normalize: the address normalizer (Odoo's ``email_normalize``)
    """
    facts = msg_dict.get(MESSAGE_DICT_KEY)
    if facts is not None:
        return facts
    sender_name, sender = next(
        iter(recipients([msg_dict.get("email_from") or ""])), ("", "")
    )
    return MailFacts(
        sender=normalize(sender) or "",
        sender_name=sender_name,
        recipients=recipients([msg_dict.get("to") or "", msg_dict.get("cc") or ""]),
        automatic=False,
        auth_results=(),
        message_id=msg_dict.get("message_id") or "",
        subject=msg_dict.get("subject") or "",
        date=msg_dict.get("date") or "",
        email_from=msg_dict.get("email_from") or "",
        from_gateway=False,
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
    for name, address in parse_addresses([str(value) for value in values if value]):
        address = address.strip()
        if "@" in address and address.lower() not in found:
            found[address.lower()] = (decode_name(name.strip()), address)
    return tuple(found.values())


def parse_addresses(values: Iterable[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses``, value by value, which never fails here.

    The standard library reads nested comments by recursion: a value of a
    thousand ``(`` raises ``RecursionError`` on some Pythons, and gives no
    address at all on those with the stricter parser of CVE-2023-27043
    (Debian's 3.11, 3.12 and later). Such a value gives its bare addresses
    instead, without names, the same on every Python.
    """
    parsed = []
    for value in values:
        try:
            found = [pair for pair in getaddresses([value]) if pair[1]]
        except RecursionError:
            found = []
        if not found and "@" in value:
            found = [("", bare) for bare in _BARE_ADDRESS.findall(value)]
        parsed.extend(found)
    return parsed


def decode_name(name: str) -> str:
    """A display name with its RFC 2047 encoded words decoded
    (``=?utf-8?q?Mar=C3=ADa?=`` is ``María``); as written when it holds none
    or they cannot be decoded. At most :data:`MAX_NAME` characters are
    read: the standard library decodes long runs of words in quadratic time.
    """
    name = name[:MAX_NAME]
    if "=?" not in name:
        return name
    try:
        return str(email.header.make_header(email.header.decode_header(name)))
    except (LookupError, UnicodeDecodeError, email.errors.HeaderParseError):
        return name


def _raw_values(message):
    """Header name, lower-cased -> its raw values, in order."""
    values = {}
    for name, value in message.raw_items():
        values.setdefault(name.lower(), []).append(str(value))
    return values


class _FirstValues:
    """The first raw value of each header, looked up by any case (what
    :func:`automatic.is_automatic_mail` reads), without the structured
    header objects a parsed mail builds at every look-up."""

    def __init__(self, values):
        self._values = values

    def get(self, name, default=None):
        found = self._values.get(name.lower())
        return found[0] if found else default


def _references(values):
    text = " ".join(
        value
        for name in ("in-reply-to", "references")
        for value in values.get(name, [])
    )
    # As Odoo's unfold_references: <...> tokens, folding whitespace dropped.
    ids = [_FOLDING.sub("", token) for token in _MESSAGE_ID.findall(text)]
    return tuple(ids[-MAX_REFERENCES:])
