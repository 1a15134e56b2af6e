# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile inputs for the pure layer: every function of the addon's ``tools/``
on inputs made to hurt; none may take super-linear time.

The pure layer reads whatever a stranger mails in, on every mail. A regular
expression that backtracks, or a loop that rescans, turns a 1 MB body into
minutes of a worker's time (issue: ``" " * N + "1"`` took 20 s at 40 KB in
the old quote cutter). :data:`INPUTS` builds inputs made to hurt (long runs
of spaces, ``*``, ``>``, ``-``, ``_``, ``<``, block markers, digits, nested
and unclosed tags, header-looking lines), :func:`run` times each ``tools/``
function on each.

Used by ``tests/test_unit_adversarial.py`` (100 KB inputs, in the pure tier
and under Odoo's runner) and by the benchmark (``bench/adversarial.py``,
1 MB, also a command of its own). Pure Python: the caller names the
``tools`` package it imported (``odoo.addons.helpdesk_mgmt_mailgate.tools``
under Odoo, ``helpdesk_mgmt_mailgate.tools`` without).
"""

import importlib
import time


def _repeat(unit, size, prefix="", suffix=""):
    """``unit`` repeated up to about ``size`` characters, framed."""
    return prefix + unit * max(size // max(len(unit), 1), 1) + suffix


INPUTS = {
    # The cases the red-team probe found, then each character class alone.
    "spaces then 1": lambda n: _repeat(" ", n, suffix="1"),
    "marker, spaces, 1": lambda n: _repeat(" ", n, "[INCIDENT]\n", "1"),
    "nbsp entities": lambda n: _repeat("&nbsp;", n, "[INCIDENT]"),
    "newline space": lambda n: _repeat("\n ", n),
    "open anchors": lambda n: _repeat("<a ", n),
    "open comments": lambda n: _repeat("<!--", n),
    "stars": lambda n: _repeat("*", n, suffix=":"),
    "star space": lambda n: _repeat("* ", n, suffix=":"),
    "quotes": lambda n: _repeat(">", n),
    "quote lines": lambda n: _repeat("> x\n", n),
    "dashes": lambda n: _repeat("-", n),
    "dash lines": lambda n: _repeat("--\n", n),
    "underscores": lambda n: _repeat("_", n),
    "rule lines": lambda n: _repeat("__________\n", n),
    "less-than": lambda n: _repeat("<", n),
    "digits": lambda n: _repeat("9", n),
    "digit dots": lambda n: _repeat("9.", n),
    "letters": lambda n: _repeat("a", n),
    "blank lines": lambda n: _repeat("\n", n),
    "words then colon": lambda n: _repeat("wrote ", n, suffix=":"),
    "wrote lines": lambda n: _repeat("On 1 Jan 2026, Ann wrote:\n", n),
    "wrote then quote": lambda n: _repeat("Ann wrote:\n>\n", n),
    "address colons": lambda n: _repeat("<a@b.cc>", n, "1:00 ", ":"),
    "from lines": lambda n: _repeat("From: a\n", n),
    "header blocks": lambda n: _repeat("From: a\nSent: b\n", n),
    "separators": lambda n: _repeat("-----Original Message", n, suffix="--"),
    "markers": lambda n: _repeat("[INCIDENT]\n", n),
    "marker pairs": lambda n: _repeat("[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]\n", n),
    "open brackets": lambda n: _repeat("[ ", n, suffix="INCIDENT"),
    "key lines": lambda n: _repeat("PRIORITY: 3\n", n, "[INCIDENT]\n", "[INCIDENT]"),
    "bad lines": lambda n: _repeat("x\n", n, "[INCIDENT]\n", "[INCIDENT]"),
    "huge priority": lambda n: _repeat(
        "9", n, "[INCIDENT]\nPRIORITY: ", "\n[INCIDENT]"
    ),
    "huge time": lambda n: _repeat("9", n, "[WORKUNIT]\nTIME_USED: ", "h\n[WORKUNIT]"),
    "nested divs": lambda n: _repeat("<div>", n, suffix="x"),
    "nested quotes": lambda n: _repeat('<blockquote data-o-mail-quote="1">', n),
    "nested tables": lambda n: _repeat("<table><tr><td>", n),
    "brs": lambda n: _repeat("<br>", n),
    "stray br ends": lambda n: _repeat("</br ", n),
    "paragraphs": lambda n: _repeat("<p>a", n),
    "at signs": lambda n: _repeat("a@", n),
    "dotted domain": lambda n: _repeat("b.", n, "a@", "1"),
    "at entities": lambda n: _repeat("a&#64;", n),
    "mailto": lambda n: _repeat("mailto:", n),
    "src attributes": lambda n: _repeat(' src="', n),
    "cid": lambda n: _repeat("cid:", n),
    "bidi": lambda n: _repeat("\u202e", n),
    "controls": lambda n: _repeat("\x07\x00", n),
    "auth results": lambda n: _repeat("dkim=pass ", n, "mx.example.com; "),
    "auth comments": lambda n: _repeat("(", n, "mx.example.com; dkim=pass "),
    "reference tokens": lambda n: _repeat("[HT", n, suffix="1]"),
    "encoded words": lambda n: _repeat("=?utf-8?b?", n),
    "crlf encoded words": lambda n: _repeat("=?utf-8?b?DQo=?= ", n),
}


def tool_functions(tools_package):
    """Return ``{name: callable(text)}``, one per public ``tools`` function.

    :param tools_package: the dotted name of the addon's ``tools`` package
        (as the caller imported it: under Odoo ``odoo.addons.<addon>.tools``)
    """

    def tool(name):
        return importlib.import_module(f"{tools_package}.{name}")

    authentication = tool("authentication")
    automatic = tool("automatic")
    charset = tool("charset")
    command_block = tool("command_block")
    display = tool("display")
    header_safety = tool("header_safety")
    headers = tool("headers")
    html_text = tool("html_text")
    masking = tool("masking")
    quoting = tool("quoting")
    reference = tool("reference")

    def raising(function):
        """The helpers that reject bad values by raising ValueError."""

        def call(text):
            try:
                function(text)
            except ValueError:
                pass

        return call

    return {
        "quoting.cut_quoted_history": quoting.cut_quoted_history,
        "html_text.html_to_text": html_text.html_to_text,
        "html_to_text + cut": lambda text: quoting.cut_quoted_history(
            html_text.html_to_text(text, mark_hidden=True)
        ),
        "command_block.may_hold_commands": command_block.may_hold_commands,
        "command_block.parse_commands": command_block.parse_commands,
        "command_block.remove_blocks_from_html": lambda text: (
            command_block.remove_blocks_from_html(text, ["INCIDENT", "WORKUNIT"])
        ),
        "command_block.priority_key": raising(command_block.priority_key),
        "command_block.parse_hours": raising(command_block.parse_hours),
        "command_block.suggest": lambda text: command_block.suggest(
            text, list(command_block.INCIDENT_KEYS)
        ),
        "problem texts": lambda text: [
            problem.describe()
            for problem in command_block.parse_commands(text).problems
        ],
        "display.visible": display.visible,
        "header_safety.defuse_encoded_words": header_safety.defuse_encoded_words,
        "headers.read_addressing": lambda text: headers.read_addressing(
            _header_block(text)
        ),
        "headers.read_headers": lambda text: headers.read_headers(
            headers.parse_headers(_header_block(text))
        ),
        "headers.decode_name": headers.decode_name,
        "masking.mask_emails_in_html": masking.mask_emails_in_html,
        "authentication.sender_authenticated": lambda text: (
            authentication.sender_authenticated(
                [text], "example.com", ["mx.example.com"]
            )
        ),
        "automatic.is_automatic_mail": lambda text: automatic.is_automatic_mail(
            {name: text for name in ("Auto-Submitted", "Precedence", "Content-Type")}
        ),
        "charset.repair_charset": lambda text: charset.repair_charset(
            "utf-8", text.encode("utf-8", "surrogatepass")
        ),
        "reference.find_references": reference.find_references,
        "reference.add_reference": lambda text: reference.add_reference(text, "HT1"),
    }


def _header_block(text):
    """A mail's header block with ``text`` in every header the helpdesk
    reads addresses from."""
    value = text.replace("\r", " ").replace("\n", " ")
    names = ("From", "To", "Cc", "Delivered-To", "References")
    return (
        "".join(f"{name}: {value}\r\n" for name in names).encode(
            "utf-8", "surrogatepass"
        )
        + b"\r\n"
    )


def growth(size, tools_package, factor=10, repeat=3, floor=0.001):
    """How each function's time grows when its input grows ``factor`` times.

    Both sizes are timed in one run, interleaved, and each time is the best
    of ``repeat`` calls, so a busy machine slows both alike and a passing
    spike of load on one call does not count. A time under ``floor`` seconds
    is read as ``floor``: below it the clock measures noise, not the code.
    Linear code grows about ``factor`` times, quadratic code ``factor ** 2``.

    :return: ``(ratio, function name, input name, small s, large s)`` tuples,
        the fastest-growing first
    """
    table = tool_functions(tools_package)
    rows = []
    for input_name, build in INPUTS.items():
        texts = (build(size), build(size * factor))
        for function_name, function in table.items():
            times = ([], [])
            for __ in range(repeat):
                for text, seconds in zip(texts, times):
                    start = time.perf_counter()
                    function(text)
                    seconds.append(time.perf_counter() - start)
            small_s, large_s = min(times[0]), min(times[1])
            ratio = max(large_s, floor) / max(small_s, floor)
            rows.append((ratio, function_name, input_name, small_s, large_s))
    return sorted(rows, reverse=True)


def run(size, tools_package, functions=None, inputs=None):
    """Time every function on every input of about ``size`` characters.

    :param size: the length of each hostile input
    :param tools_package: see :func:`tool_functions`
    :param functions: names to restrict to (default: all)
    :param inputs: names to restrict to (default: all)
    :return: ``(seconds, function name, input name)`` triples, slowest first
    """
    table = tool_functions(tools_package)
    results = []
    for input_name, build in INPUTS.items():
        if inputs and input_name not in inputs:
            continue
        text = build(size)
        for function_name, function in table.items():
            if functions and function_name not in functions:
                continue
            start = time.perf_counter()
            function(text)
            results.append((time.perf_counter() - start, function_name, input_name))
    return sorted(results, reverse=True)
