import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A manager reprocesses, from the mail log, a mail whose processing failed
 * (recorded the way the gateway records a failure, in
 * helpdesk_mgmt_mailgate/tests/test_ui_tours.py); it now opens a ticket.
 */
registry.category("web_tour.tours").add("helpdesk_mailgate_reprocess_failed", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Helpdesk app",
            trigger: '.o_app[data-menu-xmlid="helpdesk_mgmt.helpdesk_ticket_main_menu"]',
            run: "click",
        },
        {
            content: "Open the Configuration menu",
            trigger:
                '.o_main_navbar button[data-menu-xmlid="helpdesk_mgmt.helpdesk_ticket_config_main_menu"]',
            run: "click",
        },
        {
            content: "Open Configuration > Mail Log",
            trigger: '.dropdown-item[data-menu-xmlid="helpdesk_mgmt_mailgate.helpdesk_mailgate_log_menu"]',
            run: "click",
        },
        {
            content: "Open the failed mail",
            trigger:
                ".o_list_view .o_data_row:has(td[name=state]:contains(Failed)) td[name=subject]:contains(Correo que falló en el tour)",
            run: "click",
        },
        {
            content: "The record tells why it failed",
            trigger: ".o_form_view .o_field_widget[name=error]:contains(la cola estaba mal configurada)",
        },
        {
            content: "Reprocess the mail",
            trigger: ".o_form_view .o_form_statusbar button[name=action_reprocess]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains(Process this mail again) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The outcome is now: ticket created",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Ticket created)",
        },
        {
            content: "The new ticket is linked",
            trigger: ".o_form_view .o_field_widget[name=ticket_id]:contains(Correo que falló en el tour)",
        },
        {
            content: "The Reprocess button is gone",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_reprocess]))",
        },
    ],
});
