"""Pytest plugin that lets plain pytest run the pure tests without Odoo.

The addon's ``__init__.py`` (and ``tests/__init__.py``) import Odoo models, so
plain pytest cannot import ``tests/test_unit_*.py`` through them. When Odoo is
not loaded, this plugin registers the addon package and its ``tests`` package
as bare packages: their ``__init__`` files are not run (whether or not Odoo is
importable), while ``tools/`` and the unit test modules import as usual. Odoo's
own test runner does not use this plugin.

Used as ``PYTHONPATH=tests pytest -p pytest_pure_plugin tests/test_unit_*.py``
(see ``scripts/test.sh``).
"""

import sys
import types
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent


def _bare_package(name, path):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    package.__package__ = name
    sys.modules.setdefault(name, package)


def pytest_configure(config):
    """Register the bare packages before any test module is imported."""
    # pytest names the test modules after the checkout's folder.
    root_name = ADDON_DIR.name
    _bare_package(root_name, ADDON_DIR)
    _bare_package(f"{root_name}.tests", ADDON_DIR / "tests")
    # The pure tier must not reach Odoo even where it is installed: the unit
    # tests then fall back on unittest.TestCase.
    sys.modules.setdefault("odoo", None)
