import importlib.util
from pathlib import Path

try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

BENCH = Path(__file__).resolve().parent.parent / "bench" / "adversarial.py"
SIZE = 100_000
# Linear code needs under 0.1 s for any of these calls at 100 KB on the
# benchmark machine; quadratic code needed 15 s or more (issue: 7 s at 20 KB).
# Ten times the linear need: generous enough never to flap, far below what a
# quadratic regression costs.
GUARD_SECONDS = 1.0


def _load_bench():
    spec = importlib.util.spec_from_file_location("mailgate_bench_adversarial", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestAdversarialInputs(TestCase):
    def test_every_tool_linear_on_hostile_input(self):
        """Every tools/ function handles each 100 KB hostile input of
        bench/adversarial.py well within the guard: no super-linear case."""
        bench = _load_bench()
        tools_package = __package__.rpartition(".")[0] + ".tools"
        results = bench.run(SIZE, tools_package=tools_package)
        self.assertEqual(
            len(results), len(bench.INPUTS) * len(bench.tool_functions(tools_package))
        )
        too_slow = [
            f"{function} on {input_name}: {seconds:.2f} s"
            for seconds, function, input_name in results
            if seconds > GUARD_SECONDS
        ]
        self.assertEqual(too_slow, [])
