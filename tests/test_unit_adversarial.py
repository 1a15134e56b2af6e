from unittest import skipIf

try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

try:
    from mailgate_devtools import hostile
except ImportError:  # the project's dev tools (devtools/), which setup.sh installs
    hostile = None

SIZE = 100_000
# Linear code needs under 0.1 s for any of these calls at 100 KB on the
# benchmark machine; quadratic code needed 15 s or more (issue: 7 s at 20 KB).
# Ten times the linear need: generous enough never to flap, far below what a
# quadratic regression costs.
GUARD_SECONDS = 1.0


@skipIf(
    hostile is None,
    "mailgate_devtools is not installed: scripts/setup.sh installs it "
    "(pip install -e devtools)",
)
class TestAdversarialInputs(TestCase):
    def test_every_tool_linear_on_hostile_input(self):
        """Every tools/ function handles each 100 KB hostile input of
        mailgate_devtools.hostile well within the guard: no super-linear case."""
        tools_package = __package__.rpartition(".")[0] + ".tools"
        results = hostile.run(SIZE, tools_package)
        self.assertEqual(
            len(results),
            len(hostile.INPUTS) * len(hostile.tool_functions(tools_package)),
        )
        too_slow = [
            f"{function} on {input_name}: {seconds:.2f} s"
            for seconds, function, input_name in results
            if seconds > GUARD_SECONDS
        ]
        self.assertEqual(too_slow, [])
