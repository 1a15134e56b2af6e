"""Pytest plugin that lets plain pytest run the pure tests without Odoo.

The addon's ``__init__.py`` (and ``tests/__init__.py``) import Odoo models, so
plain pytest cannot import ``tests/test_unit_*.py`` through them. When Odoo is
not loaded, this plugin registers the addon package and its ``tests`` package
as bare packages: their ``__init__`` files are not run (whether or not Odoo is
importable), while ``tools/`` and the unit test modules import as usual. Odoo's
own test runner does not use this plugin.

The test modules are imported by their package name
(``helpdesk_mgmt_mailgate.tests.test_unit_*``), whatever the checkout's folder
is called (a git worktree such as ``wt-quoting`` is not a Python name).

Used as ``PYTHONPATH=tests pytest -p pytest_pure_plugin tests/test_unit_*.py``
(see ``scripts/test.sh``).
"""

import importlib
import sys
import types
from pathlib import Path

import pytest

ADDON_DIR = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mgmt_mailgate"


def _bare_package(name, path):
    package = types.ModuleType(name)
    package.__path__ = [str(path)]
    package.__package__ = name
    sys.modules.setdefault(name, package)


def pytest_configure(config):
    """Register the bare packages before any test module is imported."""
    _bare_package(ADDON, ADDON_DIR)
    _bare_package(f"{ADDON}.tests", ADDON_DIR / "tests")
    # The pure tier must not reach Odoo even where it is installed: the unit
    # tests then fall back on unittest.TestCase.
    sys.modules.setdefault("odoo", None)


class _AddonTestModule(pytest.Module):
    """A test module of the addon, imported by its package name."""

    def _getobj(self):
        return importlib.import_module(f"{ADDON}.tests.{self.path.stem}")


def pytest_pycollect_makemodule(module_path, parent):
    """Collect the addon's test modules through their package name."""
    if Path(module_path).resolve().parent == ADDON_DIR / "tests":
        return _AddonTestModule.from_parent(parent, path=module_path)
    return None


def pytest_collect_directory(path, parent):
    """Collect the addon and its tests as plain folders: their
    ``__init__.py`` import Odoo models and must not run."""
    if Path(path).resolve() in (ADDON_DIR, ADDON_DIR / "tests"):
        return pytest.Dir.from_parent(parent, path=path)
    return None
