"""Mask the email addresses written in a mail body (readme/USAGE.md, Masking).

Every address becomes :data:`MASK`, so a reader sees that an address was there
but cannot guess it. Masking works on the source string and changes nothing
but the addresses, and masking twice gives the same result.

What is never masked, because it is not an address anyone reads and masking it
would break inline images: ``cid:`` URLs (Outlook's content ids look like
addresses: ``cid:image001.png@01D9A1B2.C3D4E5F0``) and, in HTML, the values of
``src`` and ``srcset`` attributes (``logo@2x.png``).
"""

import html
import re
from urllib.parse import unquote

MASK = "xxxx@xxxx.xxx"

# A pragmatic addr-spec: Unicode letters allowed, the last domain label a TLD
# of two letters or more (or an IDNA "xn--" label). A match starts where a
# local part starts, which also keeps the scan linear on long words.
_LOCAL = r"(?<![\w.%+-])\w[\w.%+-]*"
_DOMAIN = r"(?:[\w-]+\.)+(?:[^\W\d_]{2,}|xn--[\w-]+)(?![\w-])"
_CID = r"\bcid:[^\s\"'<>\]]*"
_ADDRESS = re.compile(rf"{_LOCAL}@{_DOMAIN}")
_HTML_AT = r"(?:@|&#0*64;|&#x0*40;|&commat;|%40)"
_HTML_PATTERN = re.compile(
    rf"(?P<keep>(?<=\s)(?:src|srcset)\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*)|{_CID})"
    rf"|(?P<mailto>\bmailto:[^\s\"'<>]*)"
    rf"|{_LOCAL}{_HTML_AT}{_DOMAIN}",
    re.IGNORECASE,
)


def mask_emails_in_html(html_source: str) -> str:
    """Replace every email address of an HTML source with :data:`MASK`.

    Addresses are masked in text and in attribute values, also when their
    ``@`` is written as an entity (``&#64;``) or percent-encoded (``%40``).
    A ``mailto:`` URL that holds an address, once entities and percent
    escapes are decoded, becomes ``mailto:`` + MASK as a whole, its query
    (``?subject=``, ``cc=``) included. ``cid:`` URLs and ``src``/``srcset``
    values are kept.

    :param html_source: an HTML document or fragment
    :return: the same source with its addresses masked
    """
    return _HTML_PATTERN.sub(_mask_html_match, html_source)


def _mask_html_match(match):
    if match["keep"]:
        return match["keep"]
    mailto = match["mailto"]
    if mailto is None:
        return MASK
    if _ADDRESS.search(unquote(html.unescape(mailto))):
        return mailto[: len("mailto:")] + MASK
    return mailto
