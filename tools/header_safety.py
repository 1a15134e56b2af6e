"""Defuse hostile mail headers before anything reads them.

A header's raw text never holds a line break: the parser unfolds it. But an
RFC 2047 encoded word can decode to anything, CR, LF and NUL included:
``From: =?utf-8?b?RXZpbA0KWDogeQ==?= <a@b>`` has the display name
``"Evil\\r\\nX: y"``. The standard library's address parser then raises
(``address parts cannot contain CR or LF``) on every read of the header, and a
subject or a name holding a line break would inject headers into every mail
that quotes it.

:func:`defuse_headers` rewrites, in place, the encoded words of a message's
headers whose decoded text holds control characters: each such character
becomes a space, and the word is encoded again. Everything else of the
header, and every other header, is left byte for byte as it was.

:func:`clean_part_text` does the same for what Odoo takes from the headers
of a MIME part (an attachment's file name, its content id): RFC 2231
(``filename*=utf-8''a%00b.txt``) and plain quoting alike carry a NUL there,
which PostgreSQL refuses to store.

It also cuts address headers longer than :data:`MAX_ADDRESS_HEADER`
characters after their last whole address: the standard library's address
parser takes quadratic time on some values (a 1 MB ``To`` of ``1:00
<a@b.cc><a@b.cc>...:`` holds a worker for minutes, at every read). MTAs cut
headers likewise (Postfix's ``header_size_limit`` is 100 KB).
"""

import base64
import binascii
import email.errors
import email.header
import email.message
import re

# One RFC 2047 encoded word: =?charset?B|Q?text?=. The text holds no "?" and
# no white space, so the match is linear and stops at the word's end.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
# C0 controls (tab excepted), DEL and the C1 controls: never wanted in a name
# or a subject, and CR/LF/NUL are what breaks the parsers.
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Every control character, tab included: never part of a file name.
_PART_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Far above any real list of recipients (a thousand addresses), and parsed in
# well under a second even in the parser's worst case.
MAX_ADDRESS_HEADER = 64 * 1024
ADDRESS_HEADERS = frozenset(
    {
        "from",
        "sender",
        "reply-to",
        "to",
        "cc",
        "bcc",
        "delivered-to",
        "resent-from",
        "resent-to",
        "resent-cc",
        "return-path",
    }
)


def defuse_headers(message: email.message.Message) -> list[str]:
    """Neutralise the control characters hidden in encoded words.

    :param message: a parsed mail (any policy); its headers are rewritten in
        place where needed, keeping their order;
    :return: the names of the headers that were rewritten (empty for almost
        every mail: only raw values holding ``=?``, and over-long address
        headers, are looked at)
    """
    items = list(message.raw_items())
    defused = [(name, _defuse_value(name, value)) for name, value in items]
    rewritten = [
        name for (name, value), (__, new) in zip(items, defused) if new != value
    ]
    if rewritten:
        # Rebuilt from raw values (set_raw parses nothing), keeping the order.
        for name in {name for name, __ in items}:
            del message[name]
        for name, value in defused:
            message.set_raw(name, value)
    return rewritten


def clean_part_text(value: str) -> str:
    """A text taken from a MIME part's headers (a file name, a content id),
    without its control characters (NUL, line breaks, tabs, DEL, C1).

    :param value: the decoded value, as ``Message.get_filename`` gives it
    :return: the value without those characters (may be empty)
    """
    return _PART_CONTROLS.sub("", value)


def _defuse_value(name, value):
    if not isinstance(value, str):
        return value
    if len(value) > MAX_ADDRESS_HEADER and name.lower() in ADDRESS_HEADERS:
        value = cut_address_value(value)
    if "=?" not in value:
        return value
    return defuse_encoded_words(value)


def cut_address_value(value: str) -> str:
    """An address header's value cut to :data:`MAX_ADDRESS_HEADER`
    characters, after the last comma within them (whole addresses only)."""
    head = value[:MAX_ADDRESS_HEADER]
    comma = head.rfind(",")
    return head[:comma] if comma > 0 else head


def defuse_encoded_words(value: str) -> str:
    """``value`` with each encoded word that decodes to control characters
    encoded again without them (each becomes a space).

    An encoded word that cannot be decoded (unknown charset, broken base64)
    is left as it is: the parsers read it as plain text, which is harmless.
    """
    return _ENCODED_WORD.sub(_defuse_word, value)


def _defuse_word(match: re.Match) -> str:
    word = match.group(0)
    text = _decode_word(match)
    if text is None or not _CONTROLS.search(text):
        return word
    clean = _CONTROLS.sub(" ", text).encode("utf-8", "surrogateescape")
    return f"=?utf-8?b?{base64.b64encode(clean).decode('ascii')}?="


def _decode_word(match: re.Match) -> str | None:
    charset, encoding, text = match.groups()
    try:
        if encoding in "bB":
            raw = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            raw = email.header.decode_header(match.group(0))[0][0]
            if isinstance(raw, str):
                return None
        return raw.decode(charset.partition("*")[0], errors="replace")
    except (LookupError, ValueError, binascii.Error, email.errors.HeaderParseError):
        return None
