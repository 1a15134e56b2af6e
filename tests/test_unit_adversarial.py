from unittest import skipIf

try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

try:
    from mailgate_devtools import hostile
except ImportError:  # the project's dev tools (devtools/), which setup.sh installs
    hostile = None

SIZE = 5_000
FACTOR = 10
# Linear code grows about FACTOR times from SIZE to FACTOR * SIZE, quadratic
# code FACTOR ** 2 = 100 times. Measured here: at most 17 (the stdlib's address
# parser on "address colons"). The guard is a ratio of two times of one run,
# never a wall-clock budget, so a busy machine slows both sides alike.
MAX_GROWTH = 40


@skipIf(
    hostile is None,
    "mailgate_devtools is not installed: scripts/setup.sh installs it "
    "(pip install -e devtools)",
)
class TestAdversarialInputs(TestCase):
    def test_every_tool_linear_on_hostile_input(self):
        """Every tools/ function's time on each hostile input of
        mailgate_devtools.hostile grows linearly with the input, not
        quadratically: ten times the input costs less than MAX_GROWTH times."""
        tools_package = __package__.rpartition(".")[0] + ".tools"
        rows = hostile.growth(SIZE, tools_package, factor=FACTOR, repeat=2)
        self.assertEqual(
            len(rows),
            len(hostile.INPUTS) * len(hostile.tool_functions(tools_package)),
        )
        superlinear = [
            f"{function} on {input_name}: x{ratio:.0f} "
            f"({small:.4f} s -> {large:.4f} s)"
            for ratio, function, input_name, small, large in rows
            if ratio > MAX_GROWTH
        ]
        self.assertEqual(superlinear, [])
