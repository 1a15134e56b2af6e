try:
    from odoo.tests import BaseCase as TestCase
except ImportError:  # plain pytest, without Odoo
    from unittest import TestCase

import ast
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

# The addon's models from the gateway side down (DEVELOPMENT.md,
# "Architecture"): a model may call the addon's methods of the models after
# it, never of one before it.
LAYERS = (
    "mail.thread",
    "helpdesk.ticket",
    "helpdesk.mailgate.router",
    "helpdesk.mailgate.command",
    "helpdesk.ticket.workunit",
    "helpdesk.ticket.team",
    "helpdesk.mailgate.log",
)
# Methods people or crons start (buttons, the fetch cron): ways in, which hand
# a mail to the gateway from above it.
WAYS_IN = ("action_reprocess",)


def _model_of(tree):
    """The ``_name`` (else ``_inherit``) of the model class in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == "_name":
                return node.value.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == (
            "_inherit"
        ):
            return node.value.value
    return None


def _addon_calls(function, own_methods):
    """``(model, method)`` of every ``self.env["model"]...._method(...)`` call
    in ``function`` of a private method the addon defines (``own_methods``);
    Odoo's own methods are no layer of the addon."""
    calls = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = node.func.value
        # Strip .sudo(), .with_context(...), .with_user(...) and the like.
        while isinstance(receiver, ast.Call) and isinstance(
            receiver.func, ast.Attribute
        ):
            receiver = receiver.func.value
        if not (
            isinstance(receiver, ast.Subscript)
            and isinstance(receiver.slice, ast.Constant)
            and isinstance(receiver.value, ast.Attribute)
            and receiver.value.attr == "env"
        ):
            continue
        model = receiver.slice.value
        if model in LAYERS and method in own_methods:
            calls.append((model, method))
    return calls


def _edges():
    """``{(caller model, called model, method, file)}`` over models/."""
    trees = {
        path: ast.parse(path.read_text(), str(path))
        for path in sorted(MODELS_DIR.glob("*.py"))
    }
    own_methods = {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_")
    }
    edges = set()
    for path, tree in trees.items():
        caller = _model_of(tree)
        if caller not in LAYERS:
            continue
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef) or function.name in WAYS_IN:
                continue
            for model, method in _addon_calls(function, own_methods):
                if model != caller:
                    edges.add((caller, model, method, path.name))
    return edges


class TestStructure(TestCase):
    def test_calls_go_one_way(self):
        """The addon's models call each other from the gateway side down,
        never back up."""
        edges = _edges()
        self.assertTrue(edges, "the check must see the calls it judges")
        upward = sorted(
            edge for edge in edges if LAYERS.index(edge[1]) < LAYERS.index(edge[0])
        )
        self.assertEqual(upward, [], "calls back up the layers")

    def test_no_model_imports_another_models_constants(self):
        """A model file imports the pure tools, never another model file."""
        for path in sorted(MODELS_DIR.glob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 1:
                    self.assertEqual(
                        path.name,
                        "__init__.py",
                        f"{path.name} imports models/{node.module}",
                    )
