"""Plain text lines of a mail's HTML body, for the command parser.

The text keeps the visual lines of the mail (block elements and ``<br>`` make
lines) and leaves out what the reader does not see as the new message: head,
styles, scripts, and everything Odoo's quote detection tagged with
``data-o-mail-quote`` (quoted history, signatures), which leaves a ``>`` line
where it stood so that ``quoting.cut_quoted_history`` knows a quote was there.

The HTML is parsed by lxml (libxml2's HTML parser, the one Odoo's own
``html_sanitize`` uses, so the body reaches this module already in the shape
lxml gives it): it closes unclosed tags the way browsers do and never
recurses; its events go straight to a parser target, without building a
tree, so hostile nesting costs time linear in its size.
"""

import re

from lxml import etree

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
QUOTE_ATTRIBUTE = "data-o-mail-quote"
# The line left where quoted history was: a quoted line in plain-text terms.
QUOTE_PLACEHOLDER = ">"

_COLLAPSIBLE_SPACE = re.compile(r"[ \t\n\r\f]+")
_UNICODE_SPACES = "\xa0\u1680\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_ZERO_WIDTH = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TRANSLATION = {
    **dict.fromkeys(map(ord, _UNICODE_SPACES), " "),
    **dict.fromkeys(map(ord, _ZERO_WIDTH), None),
}
# Browsers read a stray </br> as <br>; libxml2 drops it.
_STRAY_BR = re.compile(r"</br\s*>", re.IGNORECASE)
_PARSER_OPTIONS = {
    "encoding": "utf-8",
    "huge_tree": True,
    "no_network": True,
    "default_doctype": False,
}


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML mail body, one visual line per line.

    Block elements start new lines, ``<br>`` breaks a line, table cells are
    separated by a space, entities are unescaped, non-breaking and other
    Unicode spaces become plain spaces and zero-width characters are dropped.
    Runs of source whitespace collapse to one space as a browser shows them,
    except inside ``<pre>``. The content of ``head``, ``title``, ``style``,
    ``script`` and ``template`` is left out. Each element carrying
    ``data-o-mail-quote`` is left out too and leaves one line holding
    :data:`QUOTE_PLACEHOLDER` instead (consecutive ones give one line),
    except the ``<span>`` Odoo puts around ``>`` lines and ``--`` signatures
    inside ``<pre>`` (a plain-text mail): those keep their text, which the
    quote cutter reads with its context (a bottom-posted reply's new text
    sits after the ``>`` lines and must not be mistaken for history).

    :param html: an HTML document or fragment
    :return: text lines without trailing spaces, at most one blank line in a
        row, no blank line at the start or the end
    """
    if not html or not html.strip():
        return ""
    # libxml2 stops at a NUL byte, which is never text anyway.
    source = _STRAY_BR.sub("<br>", html.replace("\0", ""))
    # A parser target gets libxml2's events (implied end tags included) as
    # they come: no tree, no element proxies, no recursion.
    parser = etree.HTMLParser(target=_TextWriter(), **_PARSER_OPTIONS)
    try:
        return etree.fromstring(source.encode(), parser)
    except etree.XMLSyntaxError:  # nothing parsable: no text
        return ""


class _TextWriter:
    """An lxml parser target that collects the visible text of the events."""

    def __init__(self):
        self._chunks = []
        self._line_has_text = False
        self._hidden = []  # whether each open element hides its content
        self._hidden_depth = 0
        self._pre_depth = 0
        self._placeholder_last = False

    # Parser target events

    def start(self, tag, attrib):
        quote = QUOTE_ATTRIBUTE in attrib and not (tag == "span" and self._pre_depth)
        hidden = quote or tag in HIDDEN_TAGS
        self._pre_depth += tag == "pre"
        if not self._hidden_depth:
            if quote:
                self._placeholder()
            elif not hidden:
                self._open_visible(tag)
        self._hidden.append(hidden)
        self._hidden_depth += hidden

    def end(self, tag):
        hidden = self._hidden.pop()
        if not self._hidden_depth and tag in BLOCK_TAGS:
            self._break_line()
        self._hidden_depth -= hidden
        self._pre_depth -= tag == "pre"

    def data(self, data):
        if not self._hidden_depth:
            self._data(data)

    def close(self):
        return self.text()

    # Rendering

    def text(self):
        """Return the collected text, cleaned as html_to_text documents."""
        kept = []
        for line in "".join(self._chunks).translate(_TRANSLATION).split("\n"):
            line = line.rstrip()
            if line == QUOTE_PLACEHOLDER and kept and kept[-1] == line:
                continue
            if line or (kept and kept[-1]):
                kept.append(line)
        return "\n".join(kept).rstrip("\n")

    def _open_visible(self, tag):
        if tag == "br":
            self._write("\n")
        elif tag in BLOCK_TAGS:
            self._break_line()
        elif tag in CELL_TAGS and self._line_has_text:
            self._write(" ")

    def _data(self, data):
        if not self._pre_depth:
            data = _COLLAPSIBLE_SPACE.sub(" ", data)
            if not self._line_has_text:
                data = data.lstrip(" ")
        self._write(data)

    def _placeholder(self):
        self._break_line()
        if not self._placeholder_last:
            self._chunks.append(QUOTE_PLACEHOLDER + "\n")
        self._line_has_text = False
        self._placeholder_last = True

    def _break_line(self):
        if self._line_has_text:
            self._write("\n")

    def _write(self, text):
        if not text:
            return
        self._chunks.append(text)
        self._placeholder_last = False
        _, newline, last_line = text.rpartition("\n")
        # A no-break space is content (an empty paragraph shows as a line).
        has_text = bool(last_line.strip(" " + _ZERO_WIDTH))
        self._line_has_text = has_text or (self._line_has_text and not newline)
