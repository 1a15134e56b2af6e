# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk Mail Gateway",
    "summary": "Run the helpdesk by email: team mail queues, tickets and "
    "comments from mail, [INCIDENT]/[WORKUNIT] commands, masking",
    "version": "18.0.1.3.0",
    "license": "AGPL-3",
    "category": "After-Sales",
    "author": "helpdesk_mgmt_mailgate contributors, "
    "Odoo Community Association (OCA)",
    "website": "https://github.com/OCA/helpdesk",
    "depends": ["helpdesk_mgmt", "mail"],
    # tools/html_text.py parses HTML with lxml (Odoo requires it too).
    "external_dependencies": {"python": ["lxml"]},
    "data": [
        "security/ir.model.access.csv",
        "security/helpdesk_mailgate_security.xml",
        "data/helpdesk_ticket_resolution_data.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/helpdesk_mailgate_log_views.xml",
        "views/helpdesk_ticket_resolution_views.xml",
        "views/helpdesk_ticket_team_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/helpdesk_mailgate_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "helpdesk_mgmt_mailgate/static/tests/tours/**/*",
        ],
    },
    "development_status": "Alpha",
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
