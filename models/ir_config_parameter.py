# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _mailgate_get(self, key, convert):
        """A setting of the addon, read as ``convert`` (``bool``, ``int``,
        ``float``) from the cached parameters.

        Odoo's settings screen stores a false or 0 value by removing the
        parameter, so an absent one is ``convert()`` (False, 0); a value
        that does not convert is logged and read the same way.
        """
        value = self.sudo().get_param(key)
        if convert is bool:
            return bool(value)
        try:
            return convert(float(value)) if value else convert()
        except ValueError:
            _logger.warning(
                "Invalid setting %s = %r: read as %r", key, value, convert()
            )
            return convert()
