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


def defuse_headers(message: email.message.Message) -> list[str]:
    """Neutralise the control characters hidden in encoded words.

    :param message: a parsed mail (any policy); its headers are rewritten in
        place where needed, keeping their order;
    :return: the names of the headers that were rewritten (empty for almost
        every mail: only raw values holding ``=?`` are looked at)
    """
    items = list(message.raw_items())
    defused = [(name, _defuse_value(value)) for name, value in items]
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


def _defuse_value(value):
    if not isinstance(value, str) or "=?" not in value:
        return value
    return defuse_encoded_words(value)


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
