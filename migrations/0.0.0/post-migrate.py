# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""After this upgrade's data is loaded: every template of the addon is noupdate
again (hooks.py).
"""

from odoo.addons.helpdesk_mgmt_mailgate import hooks


def migrate(cr, version):
    if version:
        hooks.lock_templates(cr)
