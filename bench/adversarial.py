"""Every function of ``tools/`` on hostile inputs: none may take super-linear time.

The inputs and the timing are :mod:`mailgate_devtools.hostile` (the pure
tier's ``tests/test_unit_adversarial.py`` runs the same inputs at 100 KB);
this module runs them at 1 MB for the benchmark (``bench/run.py``) and on
the command line, with the addon's ``tools`` imported without Odoo.

Run it alone, no Odoo needed (``scripts/setup.sh unit`` installs what it
needs)::

    python -m bench.adversarial            # 1 MB inputs, fails above 1 s
    python -m bench.adversarial --size 100000 --limit 0.5 --top 10
"""

import argparse
import sys
import types
from pathlib import Path

from mailgate_devtools import hostile

ADDON_DIR = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mgmt_mailgate"
MEGABYTE = 1_000_000
DEFAULT_LIMIT = 1.0  # seconds, on the 2-core machine the benchmark runs on
INPUTS = hostile.INPUTS


def run(size, functions=None, inputs=None):
    """:func:`mailgate_devtools.hostile.run` on the addon's ``tools``,
    imported without Odoo: ``(seconds, function, input)``, slowest first."""
    return hostile.run(size, _load_tools_without_odoo(), functions, inputs)


def _load_tools_without_odoo():
    """Import the addon's ``tools`` without running the addon's ``__init__``
    (which imports Odoo models): a bare package stands for the addon, as
    ``tests/pytest_pure_plugin.py`` does for the pure tier."""
    if ADDON not in sys.modules:
        package = types.ModuleType(ADDON)
        package.__path__ = [str(ADDON_DIR)]
        sys.modules[ADDON] = package
    return f"{ADDON}.tools"


def main(argv=None):
    """Print the slowest function/input pairs; return 1 if any exceeds the
    limit, else 0."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.adversarial", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", type=int, default=MEGABYTE, help="input length")
    parser.add_argument(
        "--limit", type=float, default=DEFAULT_LIMIT, help="seconds allowed per call"
    )
    parser.add_argument("--top", type=int, default=15, help="rows to print")
    args = parser.parse_args(argv)
    results = run(args.size)
    print(f"tools/ on hostile inputs of {args.size:,} characters (slowest first)")
    print(f"{'seconds':>8}  {'function':<40} input")
    for seconds, function_name, input_name in results[: args.top]:
        print(f"{seconds:8.3f}  {function_name:<40} {input_name}")
    too_slow = [row for row in results if row[0] > args.limit]
    total = sum(row[0] for row in results)
    print(
        f"{len(results)} calls, {total:.1f} s in all; "
        f"{len(too_slow)} over the {args.limit:g} s limit"
    )
    return 1 if too_slow else 0


if __name__ == "__main__":
    sys.exit(main())
