"""Parse the ``[INCIDENT]`` and ``[WORKUNIT]`` command blocks of a mail.

A block opens and closes with the same marker on a line of its own and holds
one ``KEY: value`` per line::

    [INCIDENT]
    PRIORITY: 3
    STATUS: Assigned
    [INCIDENT]

The parser checks the syntax, the keys and the values it can judge alone
(``PRIORITY``, ``TIME_USED``); the values that name records (``GROUP``,
``ASSIGNED_TO``, ``STATUS``, ``RESOLUTION``) are for the caller to resolve,
with :func:`suggest` for its hints. Every problem belongs to the block of its
kind, and a block with any problem must not be applied at all.

Problem codes, with the params each carries besides the optional ``hint``:

- ``unclosed_block`` (kind): an opening marker with no closing marker;
- ``repeated_block`` (kind, first_line): a second block of a kind;
- ``empty_block`` (kind): a block with no ``KEY: value`` line;
- ``missing_colon`` (text): a line of a block that is not ``KEY: value``;
- ``unknown_key`` (key, hint): a key the block does not accept;
- ``repeated_key`` (key, first_line): a key given twice;
- ``empty_value`` (key): a key with nothing after the colon;
- ``priority_invalid`` (value, hint) and ``priority_out_of_range`` (value);
- ``time_invalid`` (value) and ``time_out_of_range`` (value);
- ``hidden_block`` (kind): a block holding text that the HTML of the mail
  hides from the reader (a line marked with ``html_text.HIDDEN_MARK``), on
  the first such line.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

from .display import visible
from .html_text import HIDDEN_MARK

INCIDENT = "INCIDENT"
WORKUNIT = "WORKUNIT"
# The [INCIDENT] keys and the ticket field each sets, in the order they are
# applied: GROUP first, since the new team decides which statuses and members
# the other keys may name. The one table of them: the parser's allowed keys
# come from it, and the Odoo layer resolves each key's value with its
# ``_resolve_<key>`` method (models/helpdesk_mailgate_command.py).
INCIDENT_KEYS = {
    "GROUP": "team_id",
    "ASSIGNED_TO": "user_id",
    "PRIORITY": "priority",
    "STATUS": "stage_id",
    "RESOLUTION": "resolution_id",
}
ALLOWED_KEYS = {
    INCIDENT: tuple(INCIDENT_KEYS),
    WORKUNIT: ("TIME_USED",),
}
KEY_ALIASES = {"ASSIGNED_T0": "ASSIGNED_TO"}  # Integria's spelling, with a zero

PRIORITY_LEVELS = {
    "0": "0",
    "1": "0",
    "2": "1",
    "3": "2",
    "4": "3",
    "5": "3",
    "low": "0",
    "medium": "1",
    "high": "2",
    "very high": "3",
    "baja": "0",
    "media": "1",
    "alta": "2",
    "muy alta": "3",
}
MAX_HOURS = 24
# The decimals a work unit stores its hours with (helpdesk.ticket.workunit's
# ``hours`` field): a TIME_USED value is judged as it will be stored, so a
# value that rounds to 0 h is out of range, never a failed insert.
HOURS_DIGITS = 2
SUGGESTION_CUTOFF = 0.6
# A PRIORITY or TIME_USED value longer than this is not read as a number at
# all (Python refuses to convert integers of over 4 300 digits, and no real
# value is this long): it is out of range, or invalid.
MAX_NUMBER_LENGTH = 32
# Exact arithmetic for every TIME_USED value read (at most 32 digits, with
# the decimals stored): the default context's 28 digits are too few.
_HOURS_CONTEXT = Context(prec=MAX_NUMBER_LENGTH * 2, rounding=ROUND_HALF_UP)
_HOURS_QUANTUM = Decimal(1).scaleb(-HOURS_DIGITS)
# Problems described per block; the others are only counted (a block of
# thousands of bad lines must not cost, nor produce, thousands of texts).
MAX_LISTED_PROBLEMS = 20


def _(message: str) -> str:
    """Mark ``message`` for translation: Odoo's export extracts ``_()``
    arguments; the text is returned unchanged (this layer never translates).
    """
    return message


# English templates, marked with _() so that Odoo's translation export finds
# them; the Odoo layer translates them at run time (Problem.describe).
MESSAGES = {
    "unclosed_block": _(
        "the [{kind}] block is not closed: end it with a line holding only [{kind}]"
    ),
    "repeated_block": _(
        "a second [{kind}] block: only one is allowed"
        " (the first one starts on line {first_line})"
    ),
    "empty_block": _('the [{kind}] block holds no "KEY: value" line'),
    "missing_colon": _('expected "KEY: value" but found "{text}"'),
    "unknown_key": _('unknown key "{key}"'),
    "repeated_key": _('key "{key}" is given twice (first on line {first_line})'),
    "empty_value": _('key "{key}" has no value'),
    "priority_invalid": _(
        'priority "{value}" is not valid: use 0 (lowest) to 5 (highest)'
        " or low, medium, high, very high"
    ),
    "priority_out_of_range": _(
        'priority "{value}" is out of range: use 0 (lowest) to 5 (highest)'
    ),
    "time_invalid": _(
        'time "{value}" is not valid: give hours such as 0.5, 0,5, 1h30 or 90m'
    ),
    "time_out_of_range": _(
        'time "{value}" is out of range: more than 0 and at most 24 hours'
    ),
    "hidden_block": _(
        "the [{kind}] block holds text that the mail's HTML hides from the reader"
        " (display:none, a zero font size, white text...): a block is applied"
        " only when all of it is visible"
    ),
}
HINT_MESSAGE = _(" (did you mean {hint}?)")

_MARKER = re.compile(r"[\s*_~]*\[\s*(INCIDENT|WORKUNIT)\s*\][\s*_~]*", re.IGNORECASE)
_ANY_MARKER_NAME = re.compile(r"INCIDENT|WORKUNIT", re.IGNORECASE)
# Not across a line end: a filler run then starts at most once per line, which
# keeps the marker search linear ("\n " repeated was quadratic).
_HTML_FILLER = r"(?:[^\S\n]|&nbsp;|&#160;|&#xa0;|[*_~])*"
_INTEGER = re.compile(r"(?P<sign>[+-]?)0*(?P<digits>\d+)")
_NUMBER = r"\d+(?:[.,]\d+)?|[.,]\d+"
_HOUR_UNITS = r"h|hr|hrs|hour|hours|hora|horas"
_MINUTE_UNITS = r"m|min|mins|minute|minutes|minuto|minutos"
_DURATION = re.compile(
    rf"(?P<sign>-)?\s*(?:"
    rf"(?P<hours>{_NUMBER})\s*(?:{_HOUR_UNITS})?"
    rf"|(?P<minutes>{_NUMBER})\s*(?:{_MINUTE_UNITS})"
    rf"|(?P<whole_hours>\d+)\s*(?:(?:{_HOUR_UNITS})\s*|:)"
    rf"(?P<extra_minutes>[0-5]?\d)\s*(?:{_MINUTE_UNITS})?"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """Something wrong in a block, to report to the sender.

    :param line: 1-based line of the text given to :func:`parse_commands`
    :param code: a key of :data:`MESSAGES`, stable for translations
    :param params: the named values the message needs, as ``(name, value)``
        pairs (a tuple keeps the dataclass hashable)
    """

    line: int
    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def params_dict(self) -> dict[str, str]:
        """:return: the params as a dict"""
        return dict(self.params)

    def describe(self, translate: Callable[[str], str] = _) -> str:
        """:param translate: turns an English template into the reader's
            language (Odoo's ``env._``); the default keeps English
        :return: the sentence without its line, in that language"""
        return _describe(self.code, self.params_dict, translate)


@dataclass(frozen=True)
class CommandField:
    """A ``KEY: value`` line of a block.

    :param key: the canonical upper-case key (``ASSIGNED_T0`` is given as
        ``ASSIGNED_TO``)
    :param value: the value as written, without surrounding spaces
    :param line: 1-based line of the text given to :func:`parse_commands`
    """

    key: str
    value: str
    line: int


@dataclass(frozen=True)
class CommandBlock:
    """The first block of a kind in a text, with its fields and problems.

    :param kind: ``INCIDENT`` or ``WORKUNIT``
    :param start_line: line of the opening marker
    :param end_line: line of the closing marker, None when it is missing
    :param fields: the well-formed fields, in text order
    :param problems: the first :data:`MAX_LISTED_PROBLEMS` problems of this
        kind, in line order
    :param unlisted_problems: how many more problems the block has
    """

    kind: str
    start_line: int
    end_line: int | None
    fields: tuple[CommandField, ...]
    problems: tuple[Problem, ...]
    unlisted_problems: int = 0

    @property
    def is_valid(self) -> bool:
        """:return: whether the block may be applied (it has no problem)"""
        return not self.problems

    def get(self, key: str) -> CommandField | None:
        """:param key: a key, in any case, ``ASSIGNED_T0`` accepted
        :return: the field of that key, or None"""
        key = _canonical_key(key)
        return next((field for field in self.fields if field.key == key), None)


@dataclass(frozen=True)
class ParsedCommands:
    """The command blocks of a text: at most one block per kind.

    :param incident: the ``[INCIDENT]`` block, None when the text has none
    :param workunit: the ``[WORKUNIT]`` block, None when the text has none
    """

    incident: CommandBlock | None
    workunit: CommandBlock | None

    @property
    def problems(self) -> tuple[Problem, ...]:
        """:return: the listed problems of both blocks, in line order (the
        first :data:`MAX_LISTED_PROBLEMS` of them by line are the first of
        the mail)"""
        blocks = (block for block in (self.incident, self.workunit) if block)
        problems = (problem for block in blocks for problem in block.problems)
        return tuple(sorted(problems, key=_line_of))

    @property
    def unlisted_problems(self) -> int:
        """:return: how many problems of both blocks are not listed"""
        blocks = (block for block in (self.incident, self.workunit) if block)
        return sum(block.unlisted_problems for block in blocks)


@dataclass(frozen=True)
class _RawBlock:
    kind: str
    start_line: int
    end_line: int | None
    body: tuple[tuple[int, str], ...]  # (line number, line) between the markers
    hidden_line: int | None = None  # the first line of it holding hidden text


def may_hold_commands(text: str) -> bool:
    """Whether ``text`` (plain or HTML) names a block marker at all: a cheap
    test that spares the full parse to the mails without commands.

    :return: False only when no ``[INCIDENT]`` or ``[WORKUNIT]`` marker can be
        in the text
    """
    return bool(_ANY_MARKER_NAME.search(text or ""))


def parse_commands(text: str) -> ParsedCommands:
    """Find and check the command blocks of a text (readme/USAGE.md, the
    rules of a block).

    Text outside the blocks is ignored. The first block of a kind is the one
    reported; any later block of that kind adds a ``repeated_block`` problem
    to it. A marker of the other kind inside an open block leaves that block
    unclosed and opens the new one. The lines of an unclosed block are not
    parsed: without its end, they may be the rest of the mail. Each block
    lists its first :data:`MAX_LISTED_PROBLEMS` problems and counts the
    others (``unlisted_problems``), so the work and the reply stay bounded.
    A block with a line ending with ``html_text.HIDDEN_MARK`` (text hidden
    from the reader, from its opening to its closing marker) has a
    ``hidden_block`` problem.

    :param text: plain text (see ``html_text.html_to_text``), any line ends
    :return: the blocks found, with their fields and problems
    """
    raw_blocks = _scan_blocks(text.splitlines())
    return ParsedCommands(
        incident=_build_block(INCIDENT, raw_blocks),
        workunit=_build_block(WORKUNIT, raw_blocks),
    )


def priority_key(value: str) -> str:
    """Map a ``PRIORITY`` value to helpdesk_mgmt's ``priority`` selection key.

    :param value: 0 to 5, or a level name in English or Spanish, any case
    :return: "0" (Low), "1" (Medium), "2" (High) or "3" (Very High)
    :raise ValueError: when the value is not a priority; the message says why
    """
    _raise_for(_check_priority(value))
    return PRIORITY_LEVELS[_normalise_priority(value)]


def parse_hours(value: str) -> float:
    """Read a ``TIME_USED`` value as hours.

    Accepted: decimal hours with a point or a comma (``0.05``, ``0,5``, ``2``),
    with an hour or minute unit in English or Spanish (``1.5h``, ``2 horas``,
    ``90m``, ``45 min``), hours and minutes (``1h30``, ``1h 30m``, ``1:30``).

    The hours are rounded half up to :data:`HOURS_DIGITS` decimals, as the
    work unit stores them, and the range is checked on the rounded hours:
    ``0.004`` or ``0.2m`` (0.00 h once stored) is out of range, ``0.005`` is
    0.01 h.

    :param value: the value as written
    :return: the hours as stored, more than 0 and at most 24
    :raise ValueError: when the value is not a duration or is out of range;
        the message says which
    """
    _raise_for(_check_hours(value))
    return float(_read_hours(value))


def suggest(value: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to a misspelt value, for "did you mean".

    :param value: what the sender wrote
    :param candidates: the accepted values
    :return: the closest candidate as given (compared case-insensitively),
        or None when none is close enough
    """
    by_folded = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(
        value.strip().casefold(), list(by_folded), n=1, cutoff=SUGGESTION_CUTOFF
    )
    return by_folded[matches[0]] if matches else None


def remove_blocks_from_html(html: str, kinds: Iterable[str]) -> str:
    """Remove the first block of each kind from the source of an HTML body.

    A marker counts only as the whole text between two tags or line breaks
    (``&nbsp;``, spaces and ``*_~`` emphasis around it allowed), as it must be
    a line of its own: plain-text mail reaches Odoo as ``<pre>`` text.
    Everything from the first such opening marker to the next marker of its
    kind goes, tags in between included; the tags around stay, so the result
    may hold empty or unbalanced elements and must be sanitized again.
    Nothing outside a pair of markers is touched; without a closing marker,
    nothing is removed. The first pair in the source is taken, which is the
    new text of a top-posted reply.

    :param html: the HTML source of a mail body
    :param kinds: the kinds to remove, e.g. those of the applied blocks
    :return: the HTML source without those blocks
    """
    for kind in {kind.upper() for kind in kinds}:
        markers = _html_marker(kind).finditer(html)
        opening, closing = next(markers, None), next(markers, None)
        if closing:
            html = html[: opening.start()] + html[closing.end() :]
    return html


# Scanning


def _scan_blocks(lines):
    """Split lines into raw blocks; an unclosed block gets no body. A line
    is read without its hidden mark, which the block it is in records."""
    blocks = []
    kind = start_line = body = hidden_line = None
    for number, written in enumerate(lines, start=1):
        line = written.replace(HIDDEN_MARK, "")
        hidden = number if len(line) < len(written) else None
        marker = _marker_kind(line)
        if kind and marker == kind:
            hidden_line = hidden_line or hidden
            blocks.append(_RawBlock(kind, start_line, number, tuple(body), hidden_line))
            kind = None
        elif marker:
            if kind:
                blocks.append(_unclosed(kind, start_line, hidden_line))
            kind, start_line, body, hidden_line = marker, number, [], hidden
        elif kind:
            body.append((number, line))
            hidden_line = hidden_line or hidden
    if kind:
        blocks.append(_unclosed(kind, start_line, hidden_line))
    return blocks


def _unclosed(kind, start_line, hidden_line):
    """An unclosed block: hidden when its opening marker is (its other
    lines may be the rest of the mail)."""
    hidden = start_line if hidden_line == start_line else None
    return _RawBlock(kind, start_line, None, (), hidden)


def _marker_kind(line):
    match = _MARKER.fullmatch(line)
    return match[1].upper() if match else None


def _html_marker(kind):
    return re.compile(
        rf"(?:\A|(?<=[>\n])){_HTML_FILLER}\[{_HTML_FILLER}{re.escape(kind)}"
        rf"{_HTML_FILLER}\]{_HTML_FILLER}(?=[<\n]|\Z)",
        re.IGNORECASE,
    )


# Checking


def _build_block(kind, raw_blocks):
    of_kind = [block for block in raw_blocks if block.kind == kind]
    if not of_kind:
        return None
    first, *others = of_kind
    fields, problems, unlisted = _parse_body(first)
    if first.hidden_line:
        problems.append(_problem(first.hidden_line, "hidden_block", kind=kind))
    for other in others:
        if len(problems) < MAX_LISTED_PROBLEMS:
            problems.append(
                _problem(
                    other.start_line,
                    "repeated_block",
                    kind=kind,
                    first_line=first.start_line,
                )
            )
        else:
            unlisted += 1
    problems.sort(key=_line_of)
    unlisted += len(problems[MAX_LISTED_PROBLEMS:])
    return CommandBlock(
        kind=kind,
        start_line=first.start_line,
        end_line=first.end_line,
        fields=tuple(fields),
        problems=tuple(problems[:MAX_LISTED_PROBLEMS]),
        unlisted_problems=unlisted,
    )


def _parse_body(block):
    """Return the fields, the first problems and how many more there are."""
    if block.end_line is None:
        return [], [_problem(block.start_line, "unclosed_block", kind=block.kind)], 0
    fields, problems, unlisted = [], [], 0
    for number, line in block.body:
        if not line.strip():
            continue
        listed = len(problems) < MAX_LISTED_PROBLEMS
        result = _parse_line(block.kind, number, line, fields, listed)
        if isinstance(result, CommandField):
            fields.append(result)
        elif listed:
            problems.append(result)
        else:
            unlisted += 1
    if not (fields or problems):
        problems.append(_problem(block.start_line, "empty_block", kind=block.kind))
    return fields, problems, unlisted


def _parse_line(kind, number, line, fields, listed=True):
    """Return the field of a non-blank line, or its first problem (None when
    the problem is not ``listed``: then nothing is spent on describing it)."""
    written_key, colon, value = line.partition(":")
    written_key, value = written_key.strip(), value.strip()
    if not (colon and written_key):
        return _problem(number, "missing_colon", text=line.strip()) if listed else None
    key = _canonical_key(written_key)
    if key not in ALLOWED_KEYS[kind]:
        if not listed:
            return None
        hint = suggest(written_key, ALLOWED_KEYS[kind])
        return _problem(number, "unknown_key", key=written_key, hint=hint)
    first = next((field for field in fields if field.key == key), None)
    if first:
        return _problem(number, "repeated_key", key=written_key, first_line=first.line)
    if not value:
        return _problem(number, "empty_value", key=written_key)
    check = _VALUE_CHECKS.get(key)
    failure = check and check(value)
    if failure:
        code, params = failure
        return _problem(number, code, **params) if listed else None
    return CommandField(key=key, value=value, line=number)


def _check_priority(value):
    normalised = _normalise_priority(value)
    if normalised in PRIORITY_LEVELS:
        return None
    if _INTEGER.fullmatch(normalised):
        return "priority_out_of_range", {"value": value}
    if len(value) > MAX_NUMBER_LENGTH:
        return "priority_invalid", {"value": value}
    names = [name for name in PRIORITY_LEVELS if not name.isdigit()]
    return "priority_invalid", {"value": value, "hint": suggest(value, names)}


def _check_hours(value):
    if len(value) > MAX_NUMBER_LENGTH:
        digits = value.strip().lstrip("+-").replace(",", "").replace(".", "")
        code = "time_out_of_range" if digits.isdecimal() else "time_invalid"
        return code, {"value": value}
    hours = _read_hours(value)
    if hours is None:
        return "time_invalid", {"value": value}
    if not 0 < hours <= MAX_HOURS:
        return "time_out_of_range", {"value": value}
    return None


_VALUE_CHECKS = {"PRIORITY": _check_priority, "TIME_USED": _check_hours}


def _normalise_priority(value):
    """Return a priority as its canonical text: an integer without sign or
    leading zeros ("+03" is "3", "-0" is "0", "-2" stays "-2"), a level name
    in lower case with single spaces. No int() conversion: a value of
    thousands of digits stays text (out of range), never an exception."""
    normalised = " ".join(value.replace("_", " ").casefold().split())
    match = _INTEGER.fullmatch(normalised)
    if not match:
        return normalised
    digits = match["digits"]
    return digits if match["sign"] != "-" or digits == "0" else f"-{digits}"


def _read_hours(value):
    """The hours of a value as a Decimal rounded as stored, else None.

    Decimal arithmetic on the digits as written: ``0.3m`` is exactly 0.005 h
    (0.01 once rounded half up), where a float would hold 0.00499...
    """
    if len(value) > MAX_NUMBER_LENGTH:
        return None
    match = _DURATION.fullmatch(value.strip())
    if not match:
        return None
    context = _HOURS_CONTEXT
    if match["hours"] is not None:
        hours = _decimal(match["hours"])
    elif match["minutes"] is not None:
        hours = context.divide(_decimal(match["minutes"]), 60)
    else:
        minutes = context.divide(Decimal(int(match["extra_minutes"])), 60)
        hours = context.add(Decimal(int(match["whole_hours"])), minutes)
    hours = hours.quantize(_HOURS_QUANTUM, context=context)
    return -hours if match["sign"] else hours


def _decimal(number):
    return Decimal(number.replace(",", "."))


# Helpers


def _canonical_key(key):
    key = key.strip().upper()
    return KEY_ALIASES.get(key, key)


def _problem(line, code, **params):
    """Build a Problem; params that are None (no hint) are left out, and what
    the sender wrote (``key``, ``value``, ``text``) is made visible and
    bounded (:func:`display.visible`): it is echoed to people."""
    return Problem(line=line, code=code, params=tuple(_shown(params).items()))


_ECHOED = frozenset({"key", "value", "text"})


def _shown(params):
    """Return the params as text, None values left out, echoed ones visible."""
    return {
        name: visible(str(value)) if name in _ECHOED else str(value)
        for name, value in params.items()
        if value is not None
    }


def _describe(code, params, translate=_):
    description = translate(MESSAGES[code]).format(**params)
    if params.get("hint"):
        description += translate(HINT_MESSAGE).format(**params)
    return description


def _raise_for(failure):
    if failure:
        code, params = failure
        raise ValueError(_describe(code, _shown(params)))


def _line_of(problem):
    return problem.line
