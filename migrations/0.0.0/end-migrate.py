# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""After the upgrade, translations included: remember what the addon shipped
(hooks.py).
"""

from odoo.addons.helpdesk_mgmt_mailgate import hooks


def migrate(cr, version):
    if version:
        hooks.record_template_digests(cr)
