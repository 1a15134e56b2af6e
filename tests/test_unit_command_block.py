try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

from ..tools import command_block
from ..tools.command_block import (
    CommandBlock,
    CommandField,
    ParsedCommands,
    Problem,
    parse_commands,
    parse_hours,
    priority_key,
    remove_blocks_from_html,
    suggest,
)
from ..tools.html_text import HIDDEN_MARK, html_to_text
from ..tools.quoting import cut_quoted_history

INTEGRIA_EXAMPLE = """[INCIDENT]
GROUP: Soporte
ASSIGNED_T0: operador
PRIORITY: 3
STATUS: Assigned
RESOLUTION: Invalid
[INCIDENT]

[WORKUNIT]
TIME_USED: 0.05
[WORKUNIT]
"""


def line_message(problem):
    """The problem as the reply lists it: its line, then its sentence."""
    return f"line {problem.line}: {problem.describe()}"


def fields(*triples):
    return tuple(CommandField(key, value, line) for key, value, line in triples)


def problem(line, code, **params):
    return Problem(line, code, tuple(params.items()))


class TestParseValidBlocks(TestCase):
    def test_integria_example(self):
        """Integria's own example (readme/USAGE.md) parses into two valid blocks."""
        parsed = parse_commands(INTEGRIA_EXAMPLE)
        self.assertEqual(
            parsed,
            ParsedCommands(
                incident=CommandBlock(
                    kind="INCIDENT",
                    start_line=1,
                    end_line=7,
                    fields=fields(
                        ("GROUP", "Soporte", 2),
                        ("ASSIGNED_TO", "operador", 3),
                        ("PRIORITY", "3", 4),
                        ("STATUS", "Assigned", 5),
                        ("RESOLUTION", "Invalid", 6),
                    ),
                    problems=(),
                ),
                workunit=CommandBlock(
                    kind="WORKUNIT",
                    start_line=9,
                    end_line=11,
                    fields=fields(("TIME_USED", "0.05", 10)),
                    problems=(),
                ),
            ),
        )
        self.assertTrue(parsed.incident.is_valid)
        self.assertTrue(parsed.workunit.is_valid)
        self.assertEqual(parsed.problems, ())

    def test_every_incident_key(self):
        """Every INCIDENT key is accepted, ASSIGNED_T0 and ASSIGNED_TO alike."""
        cases = [
            ("GROUP: Soporte", "GROUP", "Soporte"),
            ("ASSIGNED_T0: operador", "ASSIGNED_TO", "operador"),
            (
                "ASSIGNED_TO: operador@example.com",
                "ASSIGNED_TO",
                "operador@example.com",
            ),
            ("PRIORITY: 5", "PRIORITY", "5"),
            ("PRIORITY: very high", "PRIORITY", "very high"),
            ("STATUS: In Progress", "STATUS", "In Progress"),
            ("RESOLUTION: Invalid", "RESOLUTION", "Invalid"),
        ]
        for line, key, value in cases:
            with self.subTest(line=line):
                block = parse_commands(f"[INCIDENT]\n{line}\n[INCIDENT]").incident
                self.assertEqual(block.fields, fields((key, value, 2)))
                self.assertEqual(block.problems, ())

    def test_case_and_spacing(self):
        """Keys and markers ignore case, and spaces around keys, colons, values."""
        cases = [
            "PRIORITY: 2",
            "priority: 2",
            "Priority:2",
            "  PRIORITY  :   2   ",
            "\tPRIORITY\t:\t2",
            "\xa0PRIORITY:\xa02\xa0",
        ]
        for line in cases:
            with self.subTest(line=line):
                block = parse_commands(f"[incident]\n{line}\n[Incident]").incident
                self.assertEqual(block.fields, fields(("PRIORITY", "2", 2)))
                self.assertTrue(block.is_valid)

    def test_marker_variations(self):
        """A marker may carry case changes, spaces, no-break spaces, emphasis."""
        markers = [
            "[INCIDENT]",
            "[incident]",
            "  [INCIDENT]  ",
            "\xa0[INCIDENT]\xa0",
            "[ INCIDENT ]",
            "*[INCIDENT]*",
            "**[INCIDENT]**",
            "_[INCIDENT]_",
        ]
        for marker in markers:
            with self.subTest(marker=marker):
                text = f"{marker}\nSTATUS: Closed\n{marker}"
                block = parse_commands(text).incident
                self.assertEqual((block.start_line, block.end_line), (1, 3))
                self.assertEqual(block.fields, fields(("STATUS", "Closed", 2)))

    def test_not_a_marker(self):
        """A marker that is not alone on its line opens no block."""
        cases = [
            "Please use [INCIDENT] blocks\nSTATUS: Closed\n[INCIDENT] is a marker",
            "[INCIDENT]s\nSTATUS: Closed\n[INCIDENT]s",
            "> [INCIDENT]\n> STATUS: Closed\n> [INCIDENT]",
        ]
        for text in cases:
            with self.subTest(text=text):
                self.assertEqual(parse_commands(text), ParsedCommands(None, None))

    def test_blank_lines_and_surrounding_text(self):
        """Blank lines in a block and text around the blocks are ignored."""
        text = (
            "Hello team,\n"
            "the printer works again.\n"
            "\n"
            "[INCIDENT]\n"
            "\n"
            "STATUS: Closed\n"
            "   \n"
            "RESOLUTION: Fixed\n"
            "\n"
            "[INCIDENT]\n"
            "Some words in between: with a colon.\n"
            "[WORKUNIT]\n"
            "\n"
            "TIME_USED: 1h30\n"
            "[WORKUNIT]\n"
            "Regards,\n"
            "Ann\n"
        )
        parsed = parse_commands(text)
        self.assertEqual(
            parsed.incident.fields,
            fields(("STATUS", "Closed", 6), ("RESOLUTION", "Fixed", 8)),
        )
        self.assertEqual(
            (parsed.incident.start_line, parsed.incident.end_line), (4, 10)
        )
        self.assertEqual(parsed.workunit.fields, fields(("TIME_USED", "1h30", 14)))
        self.assertEqual(
            (parsed.workunit.start_line, parsed.workunit.end_line), (12, 15)
        )
        self.assertEqual(parsed.problems, ())

    def test_line_ends(self):
        """Windows and old Mac line ends count lines like Unix ones."""
        for newline in ("\n", "\r\n", "\r"):
            with self.subTest(newline=repr(newline)):
                text = newline.join(["hi", "[WORKUNIT]", "TIME_USED: 2", "[WORKUNIT]"])
                block = parse_commands(text).workunit
                self.assertEqual(block.fields, fields(("TIME_USED", "2", 3)))

    def test_value_keeps_colons(self):
        """Only the first colon separates the key from the value."""
        block = parse_commands(
            "[INCIDENT]\nGROUP: Level 2: Network\n[INCIDENT]"
        ).incident
        self.assertEqual(block.fields, fields(("GROUP", "Level 2: Network", 2)))

    def test_no_block(self):
        """A text without markers has no block and no problem."""
        parsed = parse_commands("Hello,\nPRIORITY: 5\nthanks")
        self.assertEqual(parsed, ParsedCommands(incident=None, workunit=None))
        self.assertEqual(parsed.problems, ())

    def test_get(self):
        """get() finds a field by key in any case and by Integria's spelling."""
        block = parse_commands("[INCIDENT]\nASSIGNED_T0: bob\n[INCIDENT]").incident
        expected = CommandField("ASSIGNED_TO", "bob", 2)
        for key in ("ASSIGNED_TO", "assigned_to", "ASSIGNED_T0", " assigned_t0 "):
            with self.subTest(key=key):
                self.assertEqual(block.get(key), expected)
        self.assertIsNone(block.get("STATUS"))


class TestParseProblems(TestCase):
    def assertProblems(self, text, kind, expected):
        parsed = parse_commands(text)
        block = getattr(parsed, kind)
        self.assertEqual(block.problems, tuple(expected))
        self.assertFalse(block.is_valid)

    def test_problem_codes(self):
        """Every problem code is reported on its line with its params."""
        cases = [
            (
                "[INCIDENT]\nPRIORTY: 3\n[INCIDENT]",
                "incident",
                [problem(2, "unknown_key", key="PRIORTY", hint="PRIORITY")],
            ),
            (
                "[INCIDENT]\nASIGNED_T0: bob\n[INCIDENT]",
                "incident",
                [problem(2, "unknown_key", key="ASIGNED_T0", hint="ASSIGNED_TO")],
            ),
            (
                "[INCIDENT]\nCOLOR: red\n[INCIDENT]",
                "incident",
                [problem(2, "unknown_key", key="COLOR")],
            ),
            (
                "[INCIDENT]\nTIME_USED: 1\n[INCIDENT]",
                "incident",
                [problem(2, "unknown_key", key="TIME_USED")],
            ),
            (
                "[WORKUNIT]\nTIME: 1\n[WORKUNIT]",
                "workunit",
                [problem(2, "unknown_key", key="TIME", hint="TIME_USED")],
            ),
            (
                "[WORKUNIT]\nSTATUS: Closed\n[WORKUNIT]",
                "workunit",
                [problem(2, "unknown_key", key="STATUS")],
            ),
            (
                "[INCIDENT]\nSTATUS: Open\nstatus: Closed\n[INCIDENT]",
                "incident",
                [problem(3, "repeated_key", key="status", first_line="2")],
            ),
            (
                "[INCIDENT]\nASSIGNED_T0: ann\n\nASSIGNED_TO: bob\n[INCIDENT]",
                "incident",
                [problem(4, "repeated_key", key="ASSIGNED_TO", first_line="2")],
            ),
            (
                "[INCIDENT]\nPRIORITY 3\n[INCIDENT]",
                "incident",
                [problem(2, "missing_colon", text="PRIORITY 3")],
            ),
            (
                "[INCIDENT]\n: 3\n[INCIDENT]",
                "incident",
                [problem(2, "missing_colon", text=": 3")],
            ),
            (
                "[INCIDENT]\nSTATUS:\n[INCIDENT]",
                "incident",
                [problem(2, "empty_value", key="STATUS")],
            ),
            (
                "[INCIDENT]\nSTATUS:   \xa0\n[INCIDENT]",
                "incident",
                [problem(2, "empty_value", key="STATUS")],
            ),
            (
                "text\n[INCIDENT]\nSTATUS: Closed\n",
                "incident",
                [problem(2, "unclosed_block", kind="INCIDENT")],
            ),
            (
                (
                    "[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]\n\n[WORKUNIT]\nTIME_USED: 2\n"
                    "[WORKUNIT]"
                ),
                "workunit",
                [problem(5, "repeated_block", kind="WORKUNIT", first_line="1")],
            ),
            (
                "[INCIDENT]\n\n\n[INCIDENT]",
                "incident",
                [problem(1, "empty_block", kind="INCIDENT")],
            ),
            (
                "[INCIDENT]\nPRIORITY: 7\n[INCIDENT]",
                "incident",
                [problem(2, "priority_out_of_range", value="7")],
            ),
            (
                "[INCIDENT]\nPRIORITY: -1\n[INCIDENT]",
                "incident",
                [problem(2, "priority_out_of_range", value="-1")],
            ),
            (
                "[INCIDENT]\nPRIORITY: hihg\n[INCIDENT]",
                "incident",
                [problem(2, "priority_invalid", value="hihg", hint="high")],
            ),
            (
                "[INCIDENT]\nPRIORITY: urgent!!\n[INCIDENT]",
                "incident",
                [problem(2, "priority_invalid", value="urgent!!")],
            ),
            (
                "[WORKUNIT]\nTIME_USED: abc\n[WORKUNIT]",
                "workunit",
                [problem(2, "time_invalid", value="abc")],
            ),
            (
                "[WORKUNIT]\nTIME_USED: 0\n[WORKUNIT]",
                "workunit",
                [problem(2, "time_out_of_range", value="0")],
            ),
            (
                "[WORKUNIT]\nTIME_USED: 25\n[WORKUNIT]",
                "workunit",
                [problem(2, "time_out_of_range", value="25")],
            ),
        ]
        for text, kind, expected in cases:
            with self.subTest(text=text):
                self.assertProblems(text, kind, expected)

    def test_every_problem_of_a_block(self):
        """All problems of a block are listed in line order, valid fields kept."""
        text = (
            "Hi,\n"
            "[INCIDENT]\n"
            "GROUP: Soporte\n"
            "PRIORTY: 3\n"
            "GROUP: Ventas\n"
            "STATUS\n"
            "[INCIDENT]\n"
            "[INCIDENT]\n"
            "[INCIDENT]\n"
        )
        block = parse_commands(text).incident
        self.assertEqual(block.fields, fields(("GROUP", "Soporte", 3)))
        self.assertEqual(
            [line_message(p) for p in block.problems],
            [
                'line 4: unknown key "PRIORTY" (did you mean PRIORITY?)',
                'line 5: key "GROUP" is given twice (first on line 3)',
                'line 6: expected "KEY: value" but found "STATUS"',
                (
                    "line 8: a second [INCIDENT] block: only one is allowed"
                    " (the first one starts on line 2)"
                ),
            ],
        )

    def test_problems_stay_in_their_kind(self):
        """A problem in one block leaves the other kind's block valid."""
        text = (
            "[INCIDENT]\nPRIORITY: 9\n[INCIDENT]\n[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]"
        )
        parsed = parse_commands(text)
        self.assertFalse(parsed.incident.is_valid)
        self.assertTrue(parsed.workunit.is_valid)
        self.assertEqual(parsed.problems, parsed.incident.problems)

    def test_parsed_problems_in_line_order(self):
        """ParsedCommands.problems lists both blocks' problems by line."""
        text = (
            "[WORKUNIT]\nTIME_USED: 0\n[WORKUNIT]\n"
            "[INCIDENT]\nCOLOUR: red\n[INCIDENT]\n"
            "[WORKUNIT]\n[WORKUNIT]"
        )
        parsed = parse_commands(text)
        self.assertEqual(
            [(p.line, p.code) for p in parsed.problems],
            [(2, "time_out_of_range"), (5, "unknown_key"), (7, "repeated_block")],
        )

    def test_unclosed_block(self):
        """An unclosed block reports only that: its lines are not parsed."""
        text = "[WORKUNIT]\nTIME_USED: nonsense\nRegards,\nAnn"
        block = parse_commands(text).workunit
        self.assertEqual(
            block,
            CommandBlock(
                kind="WORKUNIT",
                start_line=1,
                end_line=None,
                fields=(),
                problems=(problem(1, "unclosed_block", kind="WORKUNIT"),),
            ),
        )
        self.assertEqual(
            line_message(block.problems[0]),
            "line 1: the [WORKUNIT] block is not closed:"
            " end it with a line holding only [WORKUNIT]",
        )

    def test_other_marker_inside_a_block(self):
        """A marker of the other kind leaves the open block unclosed."""
        text = "[INCIDENT]\nSTATUS: Closed\n[WORKUNIT]\nTIME_USED: 1\n[WORKUNIT]"
        parsed = parse_commands(text)
        self.assertEqual(
            parsed.incident.problems, (problem(1, "unclosed_block", kind="INCIDENT"),)
        )
        self.assertEqual(parsed.workunit.fields, fields(("TIME_USED", "1", 4)))
        self.assertTrue(parsed.workunit.is_valid)

    def test_repeated_unclosed_block(self):
        """A second, unclosed block of a kind is a repeated block."""
        text = "[INCIDENT]\nSTATUS: Closed\n[INCIDENT]\nbye\n[INCIDENT]\nGROUP: x"
        block = parse_commands(text).incident
        self.assertEqual(block.fields, fields(("STATUS", "Closed", 2)))
        self.assertEqual(
            block.problems,
            (problem(5, "repeated_block", kind="INCIDENT", first_line="1"),),
        )

    def test_messages(self):
        """Every code has an English template that names the line."""
        cases = [
            (
                problem(3, "empty_block", kind="WORKUNIT"),
                'line 3: the [WORKUNIT] block holds no "KEY: value" line',
            ),
            (
                problem(4, "empty_value", key="GROUP"),
                'line 4: key "GROUP" has no value',
            ),
            (problem(5, "unknown_key", key="FOO"), 'line 5: unknown key "FOO"'),
            (
                problem(2, "priority_invalid", value="hihg", hint="high"),
                (
                    'line 2: priority "hihg" is not valid: use 0 (lowest) to 5'
                    " (highest) or low, medium, high, very high (did you mean high?)"
                ),
            ),
            (
                problem(2, "priority_out_of_range", value="9"),
                'line 2: priority "9" is out of range: use 0 (lowest) to 5 (highest)',
            ),
            (
                problem(6, "time_invalid", value="abc"),
                (
                    'line 6: time "abc" is not valid: give hours such as 0.5, 0,5, 1h30'
                    " or 90m"
                ),
            ),
            (
                problem(6, "time_out_of_range", value="25"),
                'line 6: time "25" is out of range: more than 0 and at most 24 hours',
            ),
            (
                problem(2, "hidden_block", kind="WORKUNIT"),
                (
                    "line 2: the [WORKUNIT] block holds text that the mail's HTML"
                    " hides from the reader (display:none, a zero font size, white"
                    " text...): a block is applied only when all of it is visible"
                ),
            ),
        ]
        for item, message in cases:
            with self.subTest(code=item.code):
                self.assertEqual(line_message(item), message)
        self.assertEqual(
            set(command_block.MESSAGES),
            {
                "unclosed_block",
                "repeated_block",
                "empty_block",
                "missing_colon",
                "unknown_key",
                "repeated_key",
                "empty_value",
                "priority_invalid",
                "priority_out_of_range",
                "time_invalid",
                "time_out_of_range",
                "hidden_block",
            },
        )

    def test_params_dict(self):
        """params_dict gives the params by name."""
        item = problem(4, "unknown_key", key="PRIORTY", hint="PRIORITY")
        self.assertEqual(item.params_dict, {"key": "PRIORTY", "hint": "PRIORITY"})

    def test_long_line_is_shortened(self):
        """A long malformed line is quoted shortened in its problem."""
        text = "[INCIDENT]\n" + "word " * 40 + "\n[INCIDENT]"
        (item,) = parse_commands(text).incident.problems
        self.assertEqual(item.code, "missing_colon")
        self.assertLessEqual(len(item.params_dict["text"]), 60)
        self.assertTrue(item.params_dict["text"].endswith("..."))


class TestPriority(TestCase):
    def test_priority_key(self):
        """Priorities 0-5 and level names map to helpdesk_mgmt's four keys."""
        cases = [
            ("0", "0"),
            ("1", "0"),
            ("2", "1"),
            ("3", "2"),
            ("4", "3"),
            ("5", "3"),
            (" 3 ", "2"),
            ("03", "2"),
            ("low", "0"),
            ("Low", "0"),
            ("MEDIUM", "1"),
            ("high", "2"),
            ("very high", "3"),
            ("Very  High", "3"),
            ("VERY_HIGH", "3"),
            ("baja", "0"),
            ("Media", "1"),
            ("ALTA", "2"),
            ("muy alta", "3"),
        ]
        for value, key in cases:
            with self.subTest(value=value):
                self.assertEqual(priority_key(value), key)
                block = parse_commands(f"[INCIDENT]\nPRIORITY: {value}\n[INCIDENT]")
                self.assertTrue(block.incident.is_valid)

    def test_priority_levels_table(self):
        """PRIORITY_LEVELS holds every accepted input, normalised."""
        self.assertEqual(
            command_block.PRIORITY_LEVELS,
            {
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
            },
        )

    def test_invalid_priority(self):
        """A value that is no priority raises ValueError saying why."""
        cases = [
            ("6", 'priority "6" is out of range: use 0 (lowest) to 5 (highest)'),
            ("-1", 'priority "-1" is out of range: use 0 (lowest) to 5 (highest)'),
            (
                "2.5",
                (
                    'priority "2.5" is not valid: use 0 (lowest) to 5 (highest)'
                    " or low, medium, high, very high"
                ),
            ),
            (
                "hihg",
                (
                    'priority "hihg" is not valid: use 0 (lowest) to 5 (highest)'
                    " or low, medium, high, very high (did you mean high?)"
                ),
            ),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                with self.assertRaises(ValueError) as caught:
                    priority_key(value)
                self.assertEqual(str(caught.exception), message)


def _commands_of_html(html):
    """The blocks of an HTML body, read as the Odoo layer reads them."""
    return parse_commands(cut_quoted_history(html_to_text(html, mark_hidden=True)))


class TestHiddenBlocks(TestCase):
    """A block holding text the HTML hides from the reader is refused whole
    (SPEC 4): one hidden_block problem, on its first hidden line."""

    def test_hidden_blocks_refused(self):
        """Each way of hiding a block, on the block or on an ancestor."""
        block = "[WORKUNIT]<br>TIME_USED: 8<br>[WORKUNIT]"
        hidden = [
            f'<div style="display:none">{block}</div>',
            f'<div style="DISPLAY: none !important">{block}</div>',
            f'<div style="visibility:hidden">{block}</div>',
            f'<div style="font-size:0">{block}</div>',
            f'<div style="font-size:0px">{block}</div>',
            f'<div style="font-size:0pt">{block}</div>',
            f'<div style="font-size:0em">{block}</div>',
            f'<div style="font-size:0%">{block}</div>',
            f'<p style="font-size:0"><span style="font-size:2em">{block}</span></p>',
            f'<div style="opacity:0">{block}</div>',
            f'<div style="color:#fff">{block}</div>',
            f'<div style="color:#ffffff;background:white">{block}</div>',
            f'<div style="color:white;background-color:#FFF">{block}</div>',
            f'<div style="color:rgb(255, 255, 255)">{block}</div>',
            f'<table bgcolor="#ffffff"><tr><td><font color="white">{block}</font>'
            "</td></tr></table>",
            f'<div style="background:#000"><p style="color:#000">{block}</p></div>',
            f'<div style="height:0;overflow:hidden">{block}</div>',
            f'<div style="max-height:0">{block}</div>',
            f"<div hidden>{block}</div>",
            f'<div style="display/* a comment */:none">{block}</div>',
            f'<section style="display:none"><div><p><span>{block}</span></p></div>'
            "</section>",
        ]
        for html in hidden:
            with self.subTest(html=html):
                parsed = _commands_of_html(f"<p>Hola,</p>{html}<p>Olga</p>")
                self.assertEqual(
                    parsed.workunit.problems,
                    (problem(2, "hidden_block", kind="WORKUNIT"),),
                )
                self.assertFalse(parsed.workunit.is_valid)

    def test_partly_hidden_block(self):
        """A hidden value or marker makes the whole block hidden, and the
        other block of the mail stays valid."""
        html = (
            "<p>[INCIDENT]</p><p>PRIORITY: 1</p>"
            '<p>STATUS: <span style="font-size:0">Closed</span></p><p>[INCIDENT]</p>'
            "<p>[WORKUNIT]</p><p>TIME_USED: 0.5</p><p>[WORKUNIT]</p>"
        )
        parsed = _commands_of_html(html)
        self.assertEqual(
            parsed.incident.problems,
            (problem(3, "hidden_block", kind="INCIDENT"),),
        )
        self.assertTrue(parsed.workunit.is_valid)
        closing = "<p>[WORKUNIT]</p><p>TIME_USED: 1</p><p hidden>[WORKUNIT]</p>"
        self.assertEqual(
            _commands_of_html(closing).workunit.problems,
            (problem(3, "hidden_block", kind="WORKUNIT"),),
        )

    def test_visible_styled_blocks_apply(self):
        """Styled but visible blocks are valid: Outlook's MsoNormal, coloured
        text on white, white text on a dark cell, a zero font size undone."""
        block = "[WORKUNIT]<br>TIME_USED: 1<br>[WORKUNIT]"
        visible_html = [
            '<p class="MsoNormal" style="margin:0cm;font-size:11.0pt;'
            f'font-family:Calibri,sans-serif;color:#1F497D">{block}</p>',
            f'<div style="color:#c00000;background:white">{block}</div>',
            f'<td style="background:#1f497d"><span style="color:#fff">{block}'
            "</span></td>",
            f'<div style="font-size:0"><span style="font-size:14px">{block}</span>'
            "</div>",
            f'<div style="visibility:hidden"><p style="visibility:visible">{block}'
            "</p></div>",
            f'<div style="height:0">{block}</div>',
            f'<div style="background:url(x.png) #fff;color:#fff">{block}</div>',
        ]
        for html in visible_html:
            with self.subTest(html=html):
                parsed = _commands_of_html(f"<p>Hola,</p>{html}")
                self.assertTrue(parsed.workunit.is_valid, parsed.workunit.problems)

    def test_hidden_text_elsewhere(self):
        """Hidden text outside the blocks (a preheader) changes nothing, and
        an unclosed block is hidden only by its opening marker."""
        preheader = '<div style="display:none;max-height:0">Vista previa</div>'
        parsed = _commands_of_html(
            f"{preheader}<p>[WORKUNIT]</p><p>TIME_USED: 1</p><p>[WORKUNIT]</p>"
            f"{preheader}"
        )
        self.assertTrue(parsed.workunit.is_valid)
        parsed = _commands_of_html(f"<p>[INCIDENT]</p><p>PRIORITY: 1</p>{preheader}")
        self.assertEqual(
            parsed.incident.problems, (problem(1, "unclosed_block", kind="INCIDENT"),)
        )

    def test_hidden_lines_after_quote_cutting(self):
        """The hidden line keeps its number in the cut text, and hidden
        quoted history is cut as visible history is."""
        text = (
            "Hola\n> citado\n[WORKUNIT]\nTIME_USED: 1" + HIDDEN_MARK + "\n[WORKUNIT]\n"
            "On Mon, 30 Nov 2026 at 09:15, Soporte <s@x.com> wrote:"
            + HIDDEN_MARK
            + "\n> [INCIDENT]\n> STATUS: Closed\n> [INCIDENT]"
        )
        cut = cut_quoted_history(text)
        self.assertEqual(
            cut, "Hola\n[WORKUNIT]\nTIME_USED: 1" + HIDDEN_MARK + "\n[WORKUNIT]"
        )
        parsed = parse_commands(cut)
        self.assertIsNone(parsed.incident)
        self.assertEqual(
            parsed.workunit.problems, (problem(3, "hidden_block", kind="WORKUNIT"),)
        )
        self.assertEqual(parsed.workunit.get("TIME_USED").value, "1")


class TestHours(TestCase):
    def test_parse_hours(self):
        """TIME_USED takes decimal hours with a point or comma, or units."""
        cases = [
            ("0.05", 0.05),
            ("0,5", 0.5),
            (".5", 0.5),
            ("2", 2.0),
            ("24", 24.0),
            ("24.0", 24.0),
            ("1.5h", 1.5),
            ("2 h", 2.0),
            ("2 horas", 2.0),
            ("1 hour", 1.0),
            ("3 hours", 3.0),
            ("2hrs", 2.0),
            ("90m", 1.5),
            ("45 min", 0.75),
            ("30 minutos", 0.5),
            ("15 minutes", 0.25),
            ("1h30", 1.5),
            ("1h 30m", 1.5),
            ("1H30M", 1.5),
            ("1 hora 30 minutos", 1.5),
            ("2h15min", 2.25),
            ("1:30", 1.5),
            ("0:45", 0.75),
            ("  1,25  ", 1.25),
        ]
        for value, hours in cases:
            with self.subTest(value=value):
                self.assertAlmostEqual(parse_hours(value), hours)
                block = parse_commands(f"[WORKUNIT]\nTIME_USED: {value}\n[WORKUNIT]")
                self.assertTrue(block.workunit.is_valid)

    def test_invalid_hours(self):
        """Non-durations and durations out of (0, 24] raise ValueError."""
        invalid = 'time "{}" is not valid: give hours such as 0.5, 0,5, 1h30 or 90m'
        out = 'time "{}" is out of range: more than 0 and at most 24 hours'
        cases = [
            ("0", out),
            ("0.0", out),
            ("0m", out),
            ("25", out),
            ("24.01", out),
            ("1500m", out),
            ("-1", out),
            ("abc", invalid),
            ("", invalid),
            ("1.2.3", invalid),
            ("1h90", invalid),
            ("1 day", invalid),
            ("one hour", invalid),
            ("1e3", invalid),
        ]
        for value, template in cases:
            with self.subTest(value=value):
                with self.assertRaises(ValueError) as caught:
                    parse_hours(value)
                self.assertEqual(str(caught.exception), template.format(value))

    def test_hours_judged_as_stored(self):
        """TIME_USED is rounded half up to the work unit's two decimals and
        judged so: a value that rounds to 0 h is out of range (issue 19)."""
        out = 'time "{}" is out of range: more than 0 and at most 24 hours'
        for value in ("0.004", "0.2m", "0,001", "0.0049", "0:00", "24.005"):
            with self.subTest(value=value):
                with self.assertRaises(ValueError) as caught:
                    parse_hours(value)
                self.assertEqual(str(caught.exception), out.format(value))
                block = parse_commands(f"[WORKUNIT]\nTIME_USED: {value}\n[WORKUNIT]")
                self.assertEqual(
                    [problem.code for problem in block.problems],
                    ["time_out_of_range"],
                )
                self.assertEqual(block.problems[0].line, 2)
        # As stored: 0.3 minutes is exactly 0.005 h, not a float's 0.00499...
        cases = [
            ("0.005", 0.01),
            ("0.3m", 0.01),
            ("20m", 0.33),
            ("1h20", 1.33),
            ("24.004", 24.0),
        ]
        for value, hours in cases:
            with self.subTest(value=value):
                self.assertEqual(parse_hours(value), hours)


class TestSuggest(TestCase):
    def test_suggest(self):
        """suggest() returns the closest candidate, case-insensitively."""
        stages = ["New", "In Progress", "Awaiting", "Done", "Cancelled"]
        cases = [
            ("In progres", stages, "In Progress"),
            ("done", stages, "Done"),
            ("DONE", stages, "Done"),
            ("Canceled", stages, "Cancelled"),
            ("xyz", stages, None),
            ("", stages, None),
            ("PRIORTY", ["GROUP", "PRIORITY"], "PRIORITY"),
            ("Soport", ["Soporte", "Ventas"], "Soporte"),
            ("anything", [], None),
        ]
        for value, candidates, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(suggest(value, candidates), expected)


class TestBlocksInHtml(TestCase):
    def test_outlook_msonormal(self):
        """A block in Outlook's MsoNormal paragraphs parses line by line."""
        html = (
            '<html><head><style>p.MsoNormal{margin:0}</style></head><body lang="ES">'
            '<div class="WordSection1">'
            "<p class=MsoNormal>Buenos días,<o:p></o:p></p>\n"
            "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
            "<p class=MsoNormal>[INCIDENT]<o:p></o:p></p>\n"
            "<p class=MsoNormal>GROUP:&nbsp;Soporte<o:p></o:p></p>\n"
            "<p class=MsoNormal>PRIORITY:\n4<o:p></o:p></p>\n"
            "<p class=MsoNormal><span style='color:black'>STATUS</span>: "
            "Assigned<o:p></o:p></p>\n"
            "<p class=MsoNormal>[INCIDENT]<o:p></o:p></p>\n"
            "<p class=MsoNormal><b>[WORKUNIT]</b><o:p></o:p></p>\n"
            "<p class=MsoNormal>TIME_USED: 0,5<o:p></o:p></p>\n"
            "<p class=MsoNormal><b>[WORKUNIT]</b><o:p></o:p></p>\n"
            "</div></body></html>"
        )
        parsed = parse_commands(html_to_text(html))
        self.assertEqual(
            parsed.incident.fields,
            fields(
                ("GROUP", "Soporte", 4), ("PRIORITY", "4", 5), ("STATUS", "Assigned", 6)
            ),
        )
        self.assertEqual(parsed.workunit.fields, fields(("TIME_USED", "0,5", 9)))
        self.assertEqual(parsed.problems, ())

    def test_gmail_divs(self):
        """A block in Gmail's <div>/<br> HTML with &nbsp; parses line by line."""
        html = (
            '<div dir="ltr"><div>Hi,</div><div><br></div>'
            "<div>[INCIDENT]</div>"
            "<div>PRIORITY:&nbsp;high</div>"
            "<div>ASSIGNED_T0:&nbsp; operador&nbsp;</div>"
            "<div>[INCIDENT]<br></div>"
            "<div>[WORKUNIT]<br>TIME_USED: 90m<br>[WORKUNIT]</div>"
            '<div><br></div><div class="gmail_quote" data-o-mail-quote="1">'
            '<div dir="ltr" class="gmail_attr">On Mon, Jan 8, 2024 wrote:<br></div>'
            "<blockquote>[INCIDENT]<br>STATUS: Closed<br>[INCIDENT]</blockquote>"
            "</div></div>"
        )
        parsed = parse_commands(html_to_text(html))
        self.assertEqual(
            parsed.incident.fields,
            fields(("PRIORITY", "high", 4), ("ASSIGNED_TO", "operador", 5)),
        )
        self.assertEqual(parsed.workunit.fields, fields(("TIME_USED", "90m", 8)))
        self.assertEqual(parsed.problems, ())


class TestRemoveBlocksFromHtml(TestCase):
    def test_remove(self):
        """The HTML between the markers goes; nothing outside them is touched."""
        cases = [
            (
                "<p>Hi</p><p>[INCIDENT]</p><p>STATUS: x</p><p>[INCIDENT]</p><p>Bye</p>",
                ["INCIDENT"],
                "<p>Hi</p><p></p><p>Bye</p>",
            ),
            (
                "<p>Hi<br>[WORKUNIT]<br>TIME_USED: 1<br>[WORKUNIT]<br>Bye</p>",
                ["WORKUNIT"],
                "<p>Hi<br><br>Bye</p>",
            ),
            (
                (
                    "<p class=MsoNormal>&nbsp;[incident]&nbsp;<o:p></o:p></p>\n"
                    "<p class=MsoNormal>GROUP: x<o:p></o:p></p>\n"
                    "<p class=MsoNormal><b>*[INCIDENT]*</b><o:p></o:p></p><p>end</p>"
                ),
                ["INCIDENT"],
                "<p class=MsoNormal></b><o:p></o:p></p><p>end</p>",
            ),
            (
                (
                    "<div>[INCIDENT]</div><div>A: 1</div><div>[INCIDENT]</div>"
                    "<div>[WORKUNIT]</div><div>TIME_USED: 1</div><div>[WORKUNIT]</div>"
                ),
                ["INCIDENT", "WORKUNIT"],
                "<div></div><div></div>",
            ),
            (
                "<p>[INCIDENT]</p><p>A: 1</p>",
                ["INCIDENT"],
                "<p>[INCIDENT]</p><p>A: 1</p>",
            ),
            (
                # plain-text mail, as Odoo's gateway turns it into HTML
                "<pre>\nHola.\n[INCIDENT]\nPRIORITY: 5\n[INCIDENT]\nAdiós.\n</pre>",
                ["INCIDENT"],
                "<pre>\nHola.\n\nAdiós.\n</pre>",
            ),
            (
                "<pre>\nSee [INCIDENT] blocks\n</pre>",
                ["INCIDENT"],
                "<pre>\nSee [INCIDENT] blocks\n</pre>",
            ),
            (
                (
                    "<p>Use [INCIDENT] markers</p><p>[INCIDENT]</p><p>A: 1</p>"
                    "<p>[INCIDENT]</p>"
                ),
                ["INCIDENT"],
                "<p>Use [INCIDENT] markers</p><p></p>",
            ),
            (
                '<p title="[INCIDENT]">x</p><p>[INCIDENT]</p><p>A</p><p>[INCIDENT]</p>',
                ["INCIDENT"],
                '<p title="[INCIDENT]">x</p><p></p>',
            ),
            (
                (
                    "<p>[INCIDENT]</p><p>A</p><p>[INCIDENT]</p>"
                    "<blockquote><p>[INCIDENT]</p><p>B</p><p>[INCIDENT]</p></blockquote>"
                ),
                ["INCIDENT"],
                (
                    "<p></p><blockquote><p>[INCIDENT]</p><p>B</p><p>[INCIDENT]</p>"
                    "</blockquote>"
                ),
            ),
            (
                "<p>[WORKUNIT]</p><p>T</p><p>[WORKUNIT]</p>",
                ["INCIDENT"],
                "<p>[WORKUNIT]</p><p>T</p><p>[WORKUNIT]</p>",
            ),
            ("[INCIDENT]<br>A: 1<br>[INCIDENT]", ["INCIDENT"], ""),
        ]
        for html, kinds, expected in cases:
            with self.subTest(html=html, kinds=kinds):
                self.assertEqual(remove_blocks_from_html(html, kinds), expected)

    def test_remove_after_parse(self):
        """The HTML of a valid block is gone from the text of the result."""
        html = (
            "<div>Printer fixed.</div><div>[INCIDENT]</div><div>STATUS: Closed</div>"
            "<div>[INCIDENT]</div><div>Thanks</div>"
        )
        parsed = parse_commands(html_to_text(html))
        self.assertTrue(parsed.incident.is_valid)
        result = remove_blocks_from_html(html, [parsed.incident.kind])
        self.assertEqual(html_to_text(result), "Printer fixed.\nThanks")


class TestMayHoldCommands(TestCase):
    def test_may_hold_commands(self):
        """Only texts naming a marker need the full parse."""
        cases = [
            ("[INCIDENT]\nPRIORITY: 3\n[INCIDENT]", True),
            ("<p>[workunit]</p>", True),
            ("Seguimos con problemas.", False),
            ("", False),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(command_block.may_hold_commands(text), expected)


class TestHostileValues(TestCase):
    """Hostile values are block problems with a clear text, never exceptions."""

    def test_huge_numbers(self):
        """Thousands of digits in PRIORITY or TIME_USED: out of range."""
        digits = "9" * 5000
        cases = [
            (f"[INCIDENT]\nPRIORITY: {digits}\n[INCIDENT]", "priority_out_of_range"),
            (f"[INCIDENT]\nPRIORITY: -{digits}\n[INCIDENT]", "priority_out_of_range"),
            (
                f"[INCIDENT]\nPRIORITY: 0000{digits}\n[INCIDENT]",
                "priority_out_of_range",
            ),
            (f"[INCIDENT]\nPRIORITY: {'x' * 5000}\n[INCIDENT]", "priority_invalid"),
            (f"[WORKUNIT]\nTIME_USED: {digits}\n[WORKUNIT]", "time_out_of_range"),
            (f"[WORKUNIT]\nTIME_USED: 0.{digits}\n[WORKUNIT]", "time_out_of_range"),
            (f"[WORKUNIT]\nTIME_USED: {digits}h30\n[WORKUNIT]", "time_invalid"),
            (f"[WORKUNIT]\nTIME_USED: 1e{digits}\n[WORKUNIT]", "time_invalid"),
        ]
        for text, code in cases:
            with self.subTest(code=code, text=text[:40]):
                (found,) = parse_commands(text).problems
                self.assertEqual(found.code, code)
                description = found.describe()
                self.assertLess(len(description), 200, "the value is shortened")
                self.assertIn("...", description)

    def test_huge_numbers_in_helpers(self):
        """priority_key and parse_hours raise ValueError, with a short text."""
        for call, value in (
            (priority_key, "9" * 5000),
            (parse_hours, "9" * 5000),
            (parse_hours, "9" * 5000 + "h30"),
        ):
            with self.subTest(call=call.__name__):
                with self.assertRaises(ValueError) as caught:
                    call(value)
                self.assertLess(len(str(caught.exception)), 200)

    def test_leading_zeros_and_signs(self):
        """Leading zeros and a plus sign are accepted, as before."""
        self.assertEqual(priority_key("+03"), "2")
        self.assertEqual(priority_key("-0"), "0")
        with self.assertRaises(ValueError):
            priority_key("-2")

    def test_bidi_and_controls_made_visible(self):
        """A U+202E or a control character in an echoed value is shown as its
        code point, in every problem text that quotes the sender."""
        text = (
            "[INCIDENT]\n"
            "PRIORITY: 3\u202eevil\n"
            "ST\u202eATUS: x\n"
            "junk \u2066line\x07\n"
            "[INCIDENT]"
        )
        descriptions = [p.describe() for p in parse_commands(text).problems]
        self.assertEqual(
            descriptions,
            [
                'priority "3[U+202E]evil" is not valid: use 0 (lowest) to 5 (highest)'
                " or low, medium, high, very high",
                'unknown key "ST[U+202E]ATUS" (did you mean STATUS?)',
                'expected "KEY: value" but found "junk [U+2066]line[U+0007]"',
            ],
        )

    def test_problems_bounded(self):
        """A block of thousands of bad lines lists the first 20 problems and
        counts the others."""
        limit = command_block.MAX_LISTED_PROBLEMS
        text = (
            "[INCIDENT]\n" + "bad\n" * 5000 + "[INCIDENT]\n"
            "[WORKUNIT]\n" + "FOO: 1\n" * 30 + "[WORKUNIT]\n"
            "[WORKUNIT]\n[WORKUNIT]\n"
        )
        parsed = parse_commands(text)
        self.assertEqual(len(parsed.incident.problems), limit)
        self.assertEqual(parsed.incident.unlisted_problems, 5000 - limit)
        self.assertEqual(parsed.incident.problems[0].line, 2)
        self.assertEqual(parsed.incident.problems[-1].line, limit + 1)
        self.assertEqual(len(parsed.workunit.problems), limit)
        self.assertEqual(parsed.workunit.unlisted_problems, 30 - limit + 1)
        self.assertEqual(parsed.unlisted_problems, 5000 - limit + 30 - limit + 1)
        self.assertEqual(parsed.problems[:limit], parsed.incident.problems)
        self.assertFalse(parsed.incident.is_valid)
