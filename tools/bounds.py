"""Bound what one mail may cost, before anyone parses it.

The standard library's parser costs about 0.2 ms a MIME part and recurses
once per nesting level (a mail nested 1 000 levels deep raises
``RecursionError``), and Odoo's gateway then costs about 5 ms a part: a mail
of 25 000 tiny parts outlives a worker's time limit, and is tried again
forever. :func:`bound_mail` reads the raw mail's MIME structure itself, in
one pass and without recursion, and when the mail goes past a limit returns a
smaller mail of the same structure:

* the first :data:`MAX_PARTS` parts and the first :data:`MAX_ATTACHMENTS`
  attachments are kept, the others dropped;
* a container (``multipart/*``, ``message/rfc822``) at depth
  :data:`MAX_DEPTH` becomes one ``multipart/mixed`` of every part below it,
  so that the readable text of a deeply nested mail is kept;
* a header block over :data:`MAX_HEADER_BYTES` keeps its first fields up to
  the limit, and the fields the gateway reads (:data:`KEPT_HEADERS`)
  wherever they are.

A mail within the limits is returned as it is (the same bytes object). The
result says what was dropped, for the comment, the mail log and the answer to
the sender.
"""

import re
from dataclasses import dataclass
from email.message import Message

MAX_PARTS = 500
MAX_ATTACHMENTS = 100
MAX_DEPTH = 20
MAX_HEADER_BYTES = 256 * 1024

# The header fields the gateway decides on, kept whatever their size, even
# past the header limit (address headers are cut to whole addresses within
# 64 KB by tools/header_safety.py).
KEPT_HEADERS = frozenset(
    {
        b"from",
        b"sender",
        b"reply-to",
        b"to",
        b"cc",
        b"delivered-to",
        b"resent-to",
        b"resent-cc",
        b"return-path",
        b"subject",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"references",
        b"mime-version",
        b"content-type",
        b"content-transfer-encoding",
        b"content-disposition",
        b"content-id",
        b"auto-submitted",
        b"precedence",
        b"list-id",
        b"x-auto-response-suppress",
        b"authentication-results",
    }
)

# A line that may be a MIME delimiter: "--" at the start of a line.
_DASH_LINE = re.compile(rb"^--([^\r\n]*)", re.M)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# The start of a header field: a line that does not begin with white space.
_FIELD_START = re.compile(rb"^(?=[^ \t\r\n])", re.M)
_CONTENT_FIELD = re.compile(
    rb"^content-(type|disposition):((?:[^\r\n]*)(?:\r?\n[ \t][^\r\n]*)*)",
    re.I | re.M,
)
_ATTACHMENT = re.compile(rb"^\s*attachment|filename\*?=|(^|[;\s])name\*?=", re.I)

LEAF, MULTIPART, MESSAGE = "leaf", "multipart", "message"


@dataclass(frozen=True)
class Limits:
    """What one mail may hold; each 0 or less means no limit."""

    parts: int = MAX_PARTS
    attachments: int = MAX_ATTACHMENTS
    depth: int = MAX_DEPTH
    header_bytes: int = MAX_HEADER_BYTES


@dataclass(frozen=True)
class BoundedMail:
    """A mail within the :class:`Limits`, and what was dropped to get there.

    :param raw: the mail to process (the original when nothing was dropped)
    :param parts: how many parts the mail had (as ``Message.walk`` counts)
    :param parts_dropped: parts dropped past the part limit
    :param attachments_dropped: attachments dropped past the attachment limit
    :param depth: how deep the mail was nested (0: not multipart)
    :param flattened: whether parts deeper than the depth limit were
        gathered into one ``multipart/mixed``
    :param header_bytes_dropped: bytes of header fields dropped
    """

    raw: bytes
    parts: int = 0
    parts_dropped: int = 0
    attachments_dropped: int = 0
    depth: int = 0
    flattened: bool = False
    header_bytes_dropped: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.parts_dropped
            or self.attachments_dropped
            or self.flattened
            or self.header_bytes_dropped
        )


class _Node:
    """One MIME entity of the raw mail, by its byte offsets."""

    __slots__ = (
        "parent",
        "depth",
        "start",
        "header_end",
        "body_start",
        "end",
        "kind",
        "boundary",
        "attachment",
        "children",
        "digest",
        "shadow",
    )

    def __init__(self, parent, depth, start):
        self.parent = parent
        self.depth = depth
        self.start = start
        self.header_end = self.body_start = self.end = start
        self.kind = LEAF
        self.boundary = b""
        self.attachment = False
        self.children = []
        self.digest = False
        self.shadow = -1


def bound_mail(raw: bytes, limits: Limits = Limits()) -> BoundedMail:  # noqa: B008
    """``raw`` within ``limits``: see the module's docstring.

    Linear in the size of the mail, and never recursive.
    """
    nodes = _scan(raw)
    depth = max(node.depth for node in nodes)
    attachments = sum(node.attachment for node in nodes)
    header_limit = limits.header_bytes
    over = (
        (0 < limits.parts < len(nodes))
        or (0 < limits.attachments < attachments)
        or (0 < limits.depth < depth)
        or (
            header_limit > 0
            and any(node.header_end - node.start > header_limit for node in nodes)
        )
    )
    if not over:
        return BoundedMail(raw=raw, parts=len(nodes), depth=depth)
    return _Writer(raw, limits).write(nodes, depth)


def _scan(raw):
    """The entities of ``raw``, in document order, the first the mail's."""
    size = len(raw)
    root = _Node(None, 0, 0)
    nodes = [root]
    open_multiparts = _OpenMultiparts()
    blanks = _Blanks(raw)
    entity = root
    while True:
        # Read ``entity``'s header block, cut short by a delimiter.
        blank = blanks.after(entity.start)
        delimiter = _next_delimiter(raw, entity.start, open_multiparts, blank)
        _read_header(raw, entity, delimiter[0].start() if delimiter else blank)
        if entity.kind == MESSAGE:
            inner = _Node(entity, entity.depth + 1, entity.body_start)
            entity.children.append(inner)
            nodes.append(inner)
            entity = inner
            continue
        if entity.kind == MULTIPART:
            open_multiparts.push(entity)
        if delimiter is None:
            delimiter = _next_delimiter(raw, entity.body_start, open_multiparts)
        # Find the delimiter that starts the next entity, closing what ends.
        entity = None
        while delimiter is not None and entity is None:
            match, index, closing = delimiter
            _end_open_leaf(nodes, match.start(), raw)
            open_multiparts.truncate(index + 1)
            multipart = open_multiparts.stack[index]
            if closing:
                open_multiparts.truncate(index)
                delimiter = _next_delimiter(raw, match.end(), open_multiparts)
                continue
            start = _next_line(raw, match.end())
            entity = _Node(multipart, multipart.depth + 1, start)
            multipart.children.append(entity)
            nodes.append(entity)
            if multipart.digest:
                entity.kind = "digest-child"
        if entity is None:
            _end_open_leaf(nodes, size, raw)
            return nodes


class _Blanks:
    """Where the next blank line ends, remembered: a part without one must
    not make every later part search to the end of the mail."""

    def __init__(self, raw):
        self.raw = raw
        self.searched_from = self.start = self.end = -1

    def after(self, position):
        """The end of the first blank line after ``position`` (the end of
        the mail when there is none)."""
        if not (self.searched_from <= position <= self.start):
            blank = _BLANK_LINE.search(self.raw, position)
            self.searched_from = position
            size = len(self.raw)
            self.start, self.end = blank.span() if blank else (size, size)
        return self.end


def _end_open_leaf(nodes, position, raw):
    """End the last entity at the delimiter line at ``position`` (the line
    break before a delimiter belongs to the delimiter)."""
    node = nodes[-1]
    if node.kind != LEAF or node.end != node.start:
        return
    end = position
    if position < len(raw):
        if raw[end - 2 : end] == b"\r\n":
            end -= 2
        elif raw[end - 1 : end] == b"\n":
            end -= 1
    node.end = max(end, node.header_end)


class _OpenMultiparts:
    """The multiparts whose end was not seen yet, the innermost last, and
    for each boundary the innermost one using it."""

    def __init__(self):
        self.stack = []
        self.innermost = {}

    def push(self, multipart):
        multipart.shadow = self.innermost.get(multipart.boundary, -1)
        self.innermost[multipart.boundary] = len(self.stack)
        self.stack.append(multipart)

    def truncate(self, size):
        while len(self.stack) > size:
            multipart = self.stack.pop()
            if multipart.shadow < 0:
                del self.innermost[multipart.boundary]
            else:
                self.innermost[multipart.boundary] = multipart.shadow


def _next_line(raw, position):
    newline = raw.find(b"\n", position)
    return len(raw) if newline < 0 else newline + 1


def _next_delimiter(raw, position, open_multiparts, end=None):
    """``(match, index in open_multiparts, closing)`` of the next line that
    delimits an open multipart (the innermost first), before ``end``, or
    None."""
    if not open_multiparts.stack:
        return None
    innermost = open_multiparts.innermost
    for match in _DASH_LINE.finditer(raw, position, len(raw) if end is None else end):
        line = match.group(1).rstrip(b" \t\r")
        opening = innermost.get(line, -1)
        closing = innermost.get(line[:-2], -1) if line.endswith(b"--") else -1
        if opening >= 0 or closing >= 0:
            return match, max(opening, closing), closing > opening
    return None


def _read_header(raw, node, limit):
    """Set ``node``'s header and body offsets and its kind, reading its
    header block no further than ``limit``."""
    default_type = b"message/rfc822" if node.kind == "digest-child" else b"text/plain"
    node.kind = LEAF
    start = node.start
    if raw.startswith(b"\r\n", start) or raw.startswith(b"\n", start):
        node.header_end = start
        node.body_start = _next_line(raw, start)
        return
    blank = _BLANK_LINE.search(raw, start, limit)
    if blank is None:
        node.header_end = node.body_start = limit
    else:
        node.header_end = blank.start() + (2 if raw[blank.start()] == 13 else 1)
        node.body_start = blank.end()
    content_type, disposition = default_type, b""
    for field in _CONTENT_FIELD.finditer(raw, start, node.header_end):
        value = re.sub(rb"\r?\n[ \t]", b" ", field.group(2)).strip()
        if field.group(1).lower() == b"type" and content_type is default_type:
            content_type = value
        elif field.group(1).lower() == b"disposition" and not disposition:
            disposition = value
    main_type = content_type.split(b";", 1)[0].strip().lower()
    if main_type.startswith(b"multipart/"):
        boundary = _boundary(content_type)
        if boundary:
            node.kind, node.boundary = MULTIPART, boundary
            node.digest = main_type == b"multipart/digest"
            return
    elif main_type.startswith(b"message/") and main_type != b"message/delivery-status":
        node.kind = MESSAGE
        return
    params = content_type.split(b";", 1)[1] if b";" in content_type else b""
    node.attachment = bool(
        _ATTACHMENT.search(disposition) or _ATTACHMENT.search(params)
    )


def _boundary(content_type):
    """The boundary parameter of a Content-Type value, as the standard
    library reads it (quotes, RFC 2231), or empty."""
    message = Message()
    message["Content-Type"] = content_type.decode("latin-1")
    boundary = message.get_boundary()
    return boundary.encode("latin-1", "replace").rstrip() if boundary else b""


class _Writer:
    """Writes the bounded mail, iteratively."""

    def __init__(self, raw, limits):
        self.raw = raw
        self.limits = limits
        newline = raw.find(b"\n")
        self.eol = b"\r\n" if newline > 0 and raw[newline - 1] == 13 else b"\n"
        self.parts = self.attachments = 0
        self.parts_dropped = self.attachments_dropped = 0
        self.header_bytes_dropped = 0
        self.flattened = False
        self.flat_count = 0

    def write(self, nodes, depth):
        out = []
        # Tasks, last first: a node to write, or bytes.
        tasks = [nodes[0]]
        while tasks:
            task = tasks.pop()
            if isinstance(task, bytes):
                out.append(task)
                continue
            if isinstance(task, tuple):  # (delimiter, part)
                delimiter, task = task
                if not self._take(task):
                    self._drop_below(task)
                    continue
                out.append(delimiter)
            elif not self._take(task):  # the mail itself: always taken
                continue
            tasks.extend(reversed(self._node(task, out)))
        return BoundedMail(
            raw=b"".join(out),
            parts=len(nodes),
            parts_dropped=self.parts_dropped,
            attachments_dropped=self.attachments_dropped,
            depth=depth,
            flattened=self.flattened,
            header_bytes_dropped=self.header_bytes_dropped,
        )

    def _take(self, node):
        """Whether ``node`` is kept within the part and attachment limits."""
        limits = self.limits
        if 0 < limits.parts <= self.parts:
            self.parts_dropped += 1
            return False
        if node.attachment:
            if 0 < limits.attachments <= self.attachments:
                self.attachments_dropped += 1
                return False
            self.attachments += 1
        self.parts += 1
        return True

    def _node(self, node, out):
        """Write ``node``'s own bytes into ``out``; return what comes after,
        in order (child nodes and bytes)."""
        if node.kind != LEAF and 0 < self.limits.depth <= node.depth:
            return self._flat(node, out)
        out.append(self._header(node))
        if node.kind == LEAF:
            out.append(self.raw[node.header_end : node.end])
            return []
        if node.kind == MESSAGE:
            out.append(self.eol)
            return list(node.children)
        out.append(self.eol)
        return self._parts(node.boundary, node.children)

    def _parts(self, boundary, children):
        delimiter = self.eol + b"--" + boundary + self.eol
        after = [(delimiter, child) for child in children]
        after.append(self.eol + b"--" + boundary + b"--" + self.eol)
        return after

    def _flat(self, node, out):
        """One ``multipart/mixed`` of the leaves below ``node``."""
        self.flattened = True
        self.flat_count += 1
        boundary = b"=_mailgate_flattened_%d" % self.flat_count
        out.append(
            b'Content-Type: multipart/mixed; boundary="%s"%s%s'
            % (boundary, self.eol, self.eol)
        )
        leaves, stack = [], [node]
        while stack:
            current = stack.pop()
            if current.kind == LEAF:
                leaves.append(current)
            else:
                stack.extend(reversed(current.children))
        return self._parts(boundary, leaves)

    def _drop_below(self, node):
        stack = list(node.children)
        while stack:
            current = stack.pop()
            self.parts_dropped += 1
            stack.extend(current.children)

    def _header(self, node):
        """``node``'s header block (with its blank line when it has a body),
        cut to the header limit."""
        raw = self.raw
        header = raw[node.start : node.header_end]
        limit = self.limits.header_bytes
        if limit > 0 and len(header) > limit:
            kept, total = [], 0
            starts = [match.start() for match in _FIELD_START.finditer(header)]
            for index, begin in enumerate(starts):
                finish = starts[index + 1] if index + 1 < len(starts) else len(header)
                field = header[begin:finish]
                name = field.split(b":", 1)[0].strip().lower()
                if total + len(field) <= limit or name in KEPT_HEADERS:
                    kept.append(field)
                    total += len(field)
                else:
                    self.header_bytes_dropped += len(field)
            header = b"".join(kept)
        return header
