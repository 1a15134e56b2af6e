"""Make a value written by a sender safe to show back to people.

Problem texts quote what a sender wrote (a key, a value, a line), and those
land in the reply, the mail log and the chatter. A value may hold control or
bidirectional-formatting characters: ``U+202E`` (RIGHT-TO-LEFT OVERRIDE)
makes the rest of a line display reversed, so an escaped value still reads as
something else than what it is. :func:`visible` writes each such character as
its code point and bounds the length, so echoing a value can neither mislead
nor amplify.
"""

import re

# Control characters (Cc), the format characters (Cf) that change how text
# around them displays (bidi embeddings, overrides and isolates, marks,
# invisible operators, the BOM, interlinear annotations, tags), and the line
# and paragraph separators (Zl, Zp). A tab becomes a space.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u08e2"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
DEFAULT_MAX_LENGTH = 60
ELLIPSIS = "..."


def visible(value: str, max_length: int | None = DEFAULT_MAX_LENGTH) -> str:
    """Return ``value`` with its control and bidi characters made visible.

    Each such character becomes ``[U+XXXX]`` (``U+202E`` gives
    ``[U+202E]``), a tab a space; everything else is kept as written. A
    result longer than ``max_length`` is cut and ends with ``...``.

    :param value: text written by a sender
    :param max_length: the longest result, None for no limit
    :return: the text to show to people (still to be escaped for HTML)
    """
    if max_length is not None:
        # Cut before the substitution too: a huge value costs no more than
        # max_length characters of work (a marker is at most 10 of them).
        value = value[: max_length * 10 + 1]
    shown = _INVISIBLE.sub(_code_point, value.replace("\t", " "))
    if max_length is not None and len(shown) > max_length:
        shown = shown[: max(max_length - len(ELLIPSIS), 0)] + ELLIPSIS
    return shown


def _code_point(match):
    return f"[U+{ord(match[0]):04X}]"
