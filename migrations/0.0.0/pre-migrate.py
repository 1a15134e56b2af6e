# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Before this upgrade's data is loaded: the templates nobody edited take the
new shipped text (hooks.py).
"""

from odoo.addons.helpdesk_mgmt_mailgate import hooks


def migrate(cr, version):
    if version:
        hooks.unlock_unedited_templates(cr)
