"""Plain text lines of a mail's HTML body, for the command parser.

The text keeps the visual lines of the mail (block elements and ``<br>`` make
lines) and leaves out what the reader does not see as the new message: head,
styles, scripts, and everything Odoo's quote detection tagged with
``data-o-mail-quote`` (quoted history, signatures), which leaves a ``>`` line
where it stood so that ``quoting.cut_quoted_history`` knows a quote was there.

Text that the mail's inline styles hide from the reader (``display:none``,
``visibility:hidden``, a zero font size or opacity, a zero height with the
overflow hidden, the ``hidden`` attribute, text the colour of its background)
is text all the same, on its lines; with ``mark_hidden`` each line holding
some ends with :data:`HIDDEN_MARK`, so that the command parser refuses a
block the sender never saw (a forwarded or pasted HTML mail can carry one).
Only inline styles and attributes are read: Odoo strips the classes of
incoming mail, and ``<style>`` sheets are left out.

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
# Ends a line holding text hidden from the reader (``mark_hidden``): a Unicode
# noncharacter, meant for such internal use, and removed from the input.
HIDDEN_MARK = "\ufdd0"
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
# Inline CSS, as far as hiding text goes.
_ZERO = re.compile(r"[+-]?(?:0+(?:\.0*)?|\.0+)(?:[a-z]+|%)?")
_RELATIVE_SIZE = re.compile(r"[\d.]+\s*(?:em|ex|ch|%)|smaller|larger|inherit")
_RGB = re.compile(
    r"rgba?\(\s*([\d.]+%?)\s*[,\s]\s*([\d.]+%?)\s*[,\s]\s*([\d.]+%?)"
    r"\s*(?:[,/]\s*([\d.]+%?)\s*)?\)"
)
_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
WHITE = (255, 255, 255)
TRANSPARENT = "transparent"
_NAMED_COLORS = {"white": WHITE, "black": (0, 0, 0)}
# A background that cannot be judged (an image): its text is taken as seen.
_UNKNOWN = object()
_LOOK_ATTRIBUTES = frozenset({"style", "hidden", "color", "bgcolor"})
_PARSER_OPTIONS = {
    "encoding": "utf-8",
    "huge_tree": True,
    "no_network": True,
    "default_doctype": False,
}


def html_to_text(html: str, mark_hidden: bool = False) -> str:
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

    Text hidden by inline styles (see the module's docstring) stays in the
    text; with ``mark_hidden``, each line holding some of it ends with
    :data:`HIDDEN_MARK` (after its trailing spaces are removed).

    :param html: an HTML document or fragment
    :param mark_hidden: whether to mark the lines holding hidden text
    :return: text lines without trailing spaces, at most one blank line in a
        row, no blank line at the start or the end
    """
    if not html or not html.strip():
        return ""
    # libxml2 stops at a NUL byte, which is never text anyway; a mark in the
    # input would mark a line the sender sees.
    source = _STRAY_BR.sub("<br>", html.replace("\0", "").replace(HIDDEN_MARK, ""))
    # A parser target gets libxml2's events (implied end tags included) as
    # they come: no tree, no element proxies, no recursion.
    parser = etree.HTMLParser(target=_TextWriter(mark_hidden), **_PARSER_OPTIONS)
    try:
        return etree.fromstring(source.encode(), parser)
    except etree.XMLSyntaxError:  # nothing parsable: no text
        return ""


class _TextWriter:
    """An lxml parser target that collects the visible text of the events."""

    def __init__(self, mark_hidden=False):
        self._mark_hidden = mark_hidden
        self._looks = [_ROOT_LOOK]  # how each open element shows its text
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
        if self._mark_hidden:
            self._looks.append(_look(self._looks[-1], attrib))

    def end(self, tag):
        hidden = self._hidden.pop()
        if self._mark_hidden:
            self._looks.pop()
        if not self._hidden_depth and tag in BLOCK_TAGS:
            self._break_line()
        self._hidden_depth -= hidden
        self._pre_depth -= tag == "pre"

    def data(self, data):
        if self._hidden_depth:
            return
        self._data(data)
        if self._looks[-1].unseen and data.translate(_TRANSLATION).strip():
            self._chunks.append(HIDDEN_MARK)

    def close(self):
        return self.text()

    # Rendering

    def text(self):
        """Return the collected text, cleaned as html_to_text documents."""
        kept = []
        for line in "".join(self._chunks).translate(_TRANSLATION).split("\n"):
            marked = HIDDEN_MARK in line
            line = line.replace(HIDDEN_MARK, "").rstrip()
            if marked and line:
                line += HIDDEN_MARK
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


# Inline styles


class _Look:
    """How an element shows its text, from its inline style and its
    ancestors': ``hidden`` (not shown at all, whatever the descendants say),
    ``invisible`` (``visibility:hidden``, which a descendant may undo), a
    zero font size, the text colour and the background behind it (None: no
    background, the reader's white page)."""

    __slots__ = ("hidden", "invisible", "font_zero", "color", "background", "unseen")

    def __init__(self, hidden, invisible, font_zero, color, background):
        self.hidden = hidden
        self.invisible = invisible
        self.font_zero = font_zero
        self.color = color
        self.background = background
        self.unseen = (
            hidden
            or invisible
            or font_zero
            or color == TRANSPARENT
            or (color is not None and color == (background or WHITE))
        )


_ROOT_LOOK = _Look(False, False, False, None, None)


def _look(parent, attrib):
    """The :class:`_Look` of an element with ``attrib`` inside ``parent``."""
    if _LOOK_ATTRIBUTES.isdisjoint(attrib):
        return parent  # the parent's look, inherited whole
    style = _declarations(attrib.get("style") or "")
    overflow_hidden = bool(
        {style.get("overflow"), style.get("overflow-y"), style.get("overflow-x")}
        & {"hidden", "clip"}
    )
    hidden = (
        parent.hidden
        or "hidden" in attrib
        or style.get("display") == "none"
        or style.get("mso-hide") == "all"
        or _is_zero(style.get("opacity"))
        or _is_zero(style.get("max-height"))
        or _is_zero(style.get("max-width"))
        or (overflow_hidden and _is_zero(style.get("height")))
        or (overflow_hidden and _is_zero(style.get("width")))
    )
    visibility = style.get("visibility")
    invisible = parent.invisible
    if visibility in ("hidden", "collapse"):
        invisible = True
    elif visibility == "visible":
        invisible = False
    color = _color(style.get("color") or attrib.get("color"))
    background = _background(style, attrib.get("bgcolor"))
    return _Look(
        hidden,
        invisible,
        _font_zero(style.get("font-size"), parent.font_zero),
        parent.color if color is None else color,
        parent.background if background is None else background,
    )


def _declarations(style):
    """The declarations of an inline style, ``{property: value}`` in lower
    case, comments and ``!important`` left out, the last one winning."""
    if "/*" in style:
        style = _without_comments(style)
    declarations = {}
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon:
            value = value.lower().replace("!important", "")
            declarations[name.strip().lower()] = " ".join(value.split())
    return declarations


def _without_comments(style):
    """``style`` without its ``/* */`` comments, in linear time (an unclosed
    one runs to the end)."""
    kept, position = [], 0
    while True:
        start = style.find("/*", position)
        if start < 0:
            kept.append(style[position:])
            break
        kept.append(style[position:start])
        end = style.find("*/", start + 2)
        if end < 0:
            break
        position = end + 2
    return " ".join(kept)


def _is_zero(value):
    return value is not None and bool(_ZERO.fullmatch(value))


def _font_zero(value, parent):
    """Whether a font size makes text invisible: zero in any unit; a size
    relative to the parent's keeps the parent's verdict."""
    if value is None:
        return parent
    if _is_zero(value):
        return True
    return parent if _RELATIVE_SIZE.fullmatch(value) else False


def _color(value):
    """A colour as ``(r, g, b)`` for white, black, hex and rgb() values,
    :data:`TRANSPARENT` for a fully transparent one, another name as it is
    written, None for none."""
    if not value:
        return None
    value = value.strip().lower()
    if value == TRANSPARENT:
        return TRANSPARENT
    if value in _NAMED_COLORS:
        return _NAMED_COLORS[value]
    match = _HEX.fullmatch(value)
    if match:
        digits = match[1]
        if len(digits) <= 4:
            digits = "".join(digit * 2 for digit in digits)
        if digits[6:] == "00":  # a zero alpha
            return TRANSPARENT
        return tuple(int(digits[index : index + 2], 16) for index in (0, 2, 4))
    match = _RGB.fullmatch(value)
    if match:
        if match[4] is not None and _is_zero(match[4]):
            return TRANSPARENT
        return tuple(_channel(channel) for channel in match.groups()[:3])
    return value


def _channel(text):
    try:
        number = float(text.rstrip("%"))
    except ValueError:
        return text
    number = number * 255 / 100 if text.endswith("%") else number
    return min(round(number), 255)


def _background(style, bgcolor):
    """The background colour an element sets, :data:`_UNKNOWN` for one that
    cannot be judged (an image), None when it sets none (or a transparent
    one: its parent's shows through)."""
    shorthand = style.get("background")
    if shorthand and ("url(" in shorthand or "gradient(" in shorthand):
        return _UNKNOWN
    if style.get("background-image", "none") != "none":
        return _UNKNOWN
    value = style.get("background-color") or shorthand or bgcolor
    if not value:
        return None
    color = _color(value)
    if color == TRANSPARENT:
        return None
    if isinstance(color, str) and " " in color:  # a shorthand with more in it
        colors = [_color(word) for word in color.split(" ")]
        known = [item for item in colors if isinstance(item, tuple)]
        return known[-1] if len(known) == 1 else _UNKNOWN
    return color
