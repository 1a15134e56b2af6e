"""Fail when docutils has anything to say about a reStructuredText file.

Odoo renders a module's README.rst when the module has no
static/description/index.html, and logs every docutils system message it
finds in the document, down to INFO (two sections of the same title, say) as
a warning of the install (``MyFilterMessages`` in
odoo/addons/base/models/ir_module.py). This check reads each file the same
way and prints every such message, so that none reaches an install log.

Usage: ``python scripts/check_rst.py README.rst [...]`` (the pre-commit hook
of ``make lint``, with the docutils that Odoo 18.0 pins).
"""

import sys

from docutils import nodes
from docutils.core import publish_doctree

# Odoo's own overrides, and nothing printed or halted: every message is
# collected from the document instead.
SETTINGS = {
    "file_insertion_enabled": False,
    "doctitle_xform": False,
    "report_level": 5,
    "halt_level": 5,
}


def messages(path):
    """The docutils system messages of the file, as ``path:line: text``."""
    with open(path, encoding="utf-8") as source:
        document = publish_doctree(
            source.read(), source_path=path, settings_overrides=SETTINGS
        )
    found = []
    for node in document.findall(nodes.system_message):
        level = node.get("type", "INFO")
        text = node.children[0].astext() if node.children else node.astext()
        found.append(f"{path}:{node.get('line', '?')}: ({level}) {text}")
    return found


def main(paths):
    found = [message for path in paths for message in messages(path)]
    for message in found:
        print(message)
    if found:
        print(
            "docutils reports the messages above, which Odoo would log at "
            "install: fix the readme/ fragment they come from, then run "
            "`make readme`."
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
