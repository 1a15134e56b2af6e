"""Cut the quoted history off the plain text of a reply.

Only the part a sender wrote in this mail may carry commands: the history that
mail clients quote below a reply (and that may hold old command blocks) must
never be parsed again. The headers recognised are those of Gmail, Outlook,
Apple Mail and Thunderbird, in English and Spanish.
"""

import re

# "On Mon, 12 Jan 2024 at 10:00, Ann <ann@example.com> wrote:" (Gmail, Apple
# Mail, Thunderbird), "El 12 ene 2024, a las 10:00, Ana escribió:", and
# Thunderbird's bare "Ann Smith wrote:": the line must END with the verb.
_WROTE = re.compile(r".*\b(?:wrote|escribió|escribio)\s*:\s*", re.IGNORECASE)
# The first half of a header wrapped over two lines.
_WROTE_START = re.compile(r"\s*(?:On|El)\s.*\d.*")
_SEPARATOR = re.compile(
    r"\s*-{2,}\s*(?:original message|mensaje original|forwarded message"
    r"|mensaje reenviado)\s*-{2,}\s*"
    r"|\s*(?:begin forwarded message|inicio del mensaje reenviado)\s*:\s*",
    re.IGNORECASE,
)
_OUTLOOK_RULE = re.compile(r"\s*_{10,}\s*")
_SIGNATURE = re.compile(r"--\s*")
_QUOTED = re.compile(r"\s*>")
# Outlook's header block: "From:" then, on the next lines, when and to whom.
_HEADER_FIELD = re.compile(r"\s*\**\s*([^\W\d_]+(?: [^\W\d_]+)?)\s*\**\s*:")
_FROM_FIELDS = frozenset({"from", "de"})
_DATE_FIELDS = frozenset({"sent", "date", "enviado", "enviado el", "fecha"})
_ADDRESS_FIELDS = frozenset({"to", "cc", "subject", "para", "asunto"})
_HEADER_BLOCK_SIZE = 6


def cut_quoted_history(text: str) -> str:
    """Return the part of a mail body that its sender wrote in this mail.

    Lines quoted with ``>`` (any depth, optionally indented) are dropped, and
    everything from the first reply or forward header on is cut: "On <date>,
    <name> wrote:" and "El <fecha>, <nombre> escribió:" (also wrapped over two
    lines, and Thunderbird's bare "<name> wrote:"), Outlook's "-----Original
    Message-----" / "-----Mensaje original-----", its "From:/Sent:/To:/
    Subject:" and "De:/Enviado:/Para:/Asunto:" header blocks (also after a
    "____" rule), "---------- Forwarded message ---------" / "Mensaje
    reenviado", Apple Mail's "Begin forwarded message:", and the "-- "
    signature delimiter. A "wrote:" header directly followed by ``>`` lines
    only introduces them (bottom-posting, inline replies): it is dropped with
    them and the text after them is kept. A line that merely mentions "wrote"
    without ending with it is text.

    :param text: the plain text of a mail body, lines separated by newlines
    :return: the new text, without trailing blank lines or spaces
    """
    lines = text.splitlines()
    kept = []
    number = 0
    while number < len(lines):
        line = lines[number]
        header_size = _wrote_header_size(lines, number)
        if _QUOTED.match(line):
            number += 1
        elif header_size and _introduces_quote(lines, number + header_size):
            number += header_size
        elif header_size or _starts_history(lines, number):
            break
        else:
            kept.append(line)
            number += 1
    return "\n".join(kept).rstrip()


def _wrote_header_size(lines, number):
    """Return how many lines the "... wrote:" header at ``number`` spans."""
    if _WROTE.fullmatch(lines[number]):
        return 1
    next_line = lines[number + 1] if number + 1 < len(lines) else ""
    if _WROTE_START.fullmatch(lines[number]) and _WROTE.fullmatch(next_line):
        return 2
    return 0


def _introduces_quote(lines, number):
    following = _next_non_blank(lines, number)
    return following is not None and bool(_QUOTED.match(following))


def _starts_history(lines, number):
    line = lines[number]
    if _SEPARATOR.fullmatch(line) or _SIGNATURE.fullmatch(line):
        return True
    if _OUTLOOK_RULE.fullmatch(line):
        following = _next_non_blank(lines, number + 1) or ""
        return _field_name(following) in _FROM_FIELDS
    return _field_name(line) in _FROM_FIELDS and _is_header_block(
        lines[number + 1 : number + _HEADER_BLOCK_SIZE]
    )


def _is_header_block(lines):
    """Tell whether the lines after a "From:" line hold a date and an address."""
    names = {_field_name(line) for line in lines}
    return bool(names & _DATE_FIELDS) and bool(names & _ADDRESS_FIELDS)


def _field_name(line):
    match = _HEADER_FIELD.match(line)
    return match[1].lower() if match else None


def _next_non_blank(lines, number):
    return next((line for line in lines[number:] if line.strip()), None)
