"""Pick a charset that reads a mail part when the declared one cannot.

Mail in the wild declares charsets that do not exist, declares UTF-8 for
ISO-8859-1 text (Spanish mail from old clients), or declares nothing for
8-bit text. Decoding then fails or turns every accent into a replacement
character. The bytes themselves tell which charset reads them.
"""

import codecs

# Tried in this order: UTF-8 is strict enough to recognise; Windows-1252 is
# what "ISO-8859-1" mail from Windows clients really is; Latin-1 reads any byte.
FALLBACKS = ("utf-8", "windows-1252", "latin-1")


def repair_charset(declared: str | None, payload: bytes) -> str | None:
    """Return the charset to read ``payload`` with, or None to keep the
    declared one.

    :param declared: the part's declared charset (None: none declared, which
        means US-ASCII);
    :param payload: the part's bytes, after its transfer encoding;
    :return: None when ``declared`` is known and decodes ``payload``
        strictly; else the first of UTF-8, Windows-1252 and Latin-1 that does
    """
    charset = (declared or "us-ascii").strip().lower()
    try:
        known = codecs.lookup(charset).name
    except LookupError:
        known = None
    if known and _decodes(payload, known):
        return None
    return next(fallback for fallback in FALLBACKS if _decodes(payload, fallback))


def _decodes(payload: bytes, charset: str) -> bool:
    try:
        payload.decode(charset)
    except UnicodeDecodeError:
        return False
    return True
