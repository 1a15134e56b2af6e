"""Plain text lines of a mail's HTML body, for the command parser.

The text keeps the visual lines of the mail (block elements and ``<br>`` make
lines) and leaves out what the reader does not see as the new message: head,
styles, scripts, and everything Odoo's quote detection tagged with
``data-o-mail-quote`` (quoted history, signatures).
"""

import re
from collections import Counter
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
CELL_TAGS = frozenset({"td", "th"})
HIDDEN_TAGS = frozenset({"head", "script", "style", "template", "title"})
VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
QUOTE_ATTRIBUTE = "data-o-mail-quote"

# An open element that a new start tag implicitly closes (HTML's optional end
# tags), checked against the innermost open element only.
_IMPLICITLY_CLOSED = {
    **dict.fromkeys(BLOCK_TAGS, frozenset({"p"})),
    "li": frozenset({"li", "p"}),
    "tr": frozenset({"tr", "td", "th"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "body": frozenset({"head"}),
}
_COLLAPSIBLE_SPACE = re.compile(r"[ \t\n\r\f]+")
_UNICODE_SPACES = "\xa0\u1680\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_ZERO_WIDTH = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TRANSLATION = {
    **dict.fromkeys(map(ord, _UNICODE_SPACES), " "),
    **dict.fromkeys(map(ord, _ZERO_WIDTH), None),
}


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML mail body, one visual line per line.

    Block elements start new lines, ``<br>`` breaks a line, table cells are
    separated by a space, entities are unescaped, non-breaking and other
    Unicode spaces become plain spaces and zero-width characters are dropped.
    Runs of source whitespace collapse to one space as a browser shows them,
    except inside ``<pre>``. The content of ``head``, ``title``, ``style``,
    ``script`` and of every element carrying ``data-o-mail-quote`` is left
    out. Unclosed tags are closed the way browsers close them (end of parent,
    optional end tags of ``p``, ``li``, table rows and cells).

    :param html: an HTML document or fragment
    :return: text lines without trailing spaces, at most one blank line in a
        row, no blank line at the start or the end
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextExtractor(HTMLParser):
    """Collect the visible text while tracking the open elements on a stack."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._chunks = []
        self._line_has_text = False
        self._open = []  # (tag, hidden) of the open elements, innermost last
        self._open_tags = Counter()
        self._hidden_depth = 0
        self._pre_depth = 0

    def text(self):
        """Return the collected text, cleaned as html_to_text documents."""
        kept = []
        for line in "".join(self._chunks).translate(_TRANSLATION).split("\n"):
            line = line.rstrip()
            if line or (kept and kept[-1]):
                kept.append(line)
        return "\n".join(kept).rstrip("\n")

    # Parser events

    def handle_starttag(self, tag, attrs):
        hidden = tag in HIDDEN_TAGS or _is_quote(attrs)
        self._start(tag, hidden)
        if tag not in VOID_TAGS:
            self._open.append((tag, hidden))
            self._open_tags[tag] += 1
            self._hidden_depth += hidden
            self._pre_depth += tag == "pre"

    def handle_startendtag(self, tag, attrs):
        self._start(tag, _is_quote(attrs))

    def handle_endtag(self, tag):
        if tag == "br":  # browsers read a stray </br> as <br>
            self._start(tag, hidden=False)
        elif self._open_tags[tag]:
            while self._pop() != tag:
                pass

    def handle_data(self, data):
        if self._hidden_depth:
            return
        if not self._pre_depth:
            data = _COLLAPSIBLE_SPACE.sub(" ", data)
            if not self._line_has_text:
                data = data.lstrip(" ")
        self._write(data)

    def close(self):
        result = super().close()
        while self._open:
            self._pop()
        return result

    # Rendering

    def _start(self, tag, hidden):
        closed = _IMPLICITLY_CLOSED.get(tag, ())
        while self._open and self._open[-1][0] in closed:
            self._pop()
        if hidden or self._hidden_depth:
            return
        if tag == "br":
            self._write("\n")
        elif tag in BLOCK_TAGS:
            self._break_line()
        elif tag in CELL_TAGS and self._line_has_text:
            self._write(" ")

    def _pop(self):
        tag, hidden = self._open.pop()
        self._open_tags[tag] -= 1
        if tag in BLOCK_TAGS and not (hidden or self._hidden_depth):
            self._break_line()
        self._hidden_depth -= hidden
        self._pre_depth -= tag == "pre"
        return tag

    def _break_line(self):
        if self._line_has_text:
            self._write("\n")

    def _write(self, text):
        self._chunks.append(text)
        _, newline, last_line = text.rpartition("\n")
        # A no-break space is content (an empty paragraph shows as a line).
        has_text = bool(last_line.strip(" " + _ZERO_WIDTH))
        self._line_has_text = has_text or (self._line_has_text and not newline)


def _is_quote(attrs):
    return any(name == QUOTE_ATTRIBUTE for name, _ in attrs)
