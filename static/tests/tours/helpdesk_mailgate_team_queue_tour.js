import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A manager configures a team's mail queue on the team form ("Email" tab):
 * the queue address is shown, the defaults of the tickets its mails create
 * are set, and senders without a user are rejected.
 *
 * Data (helpdesk_mgmt_mailgate/tests/test_ui_tours.py): the team
 * "Tour Queue Team" with the alias tour-queue@tours.example.com, the stage
 * "Tour Assigned", the category "Tour Problem" and the member "Tour Agent".
 */
registry.category("web_tour.tours").add("helpdesk_mailgate_team_queue", {
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
            content: "Open Configuration > Teams",
            trigger: '.dropdown-item[data-menu-xmlid="helpdesk_mgmt.helpdesk_ticket_team_menu"]',
            run: "click",
        },
        {
            content: "Open the team",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Tour Queue Team)",
            run: "click",
        },
        {
            content: "Go to the Email tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=mailgate]",
            run: "click",
        },
        {
            content: "The queue address is shown",
            trigger:
                ".o_form_view .tab-pane.active .o_field_widget[name=alias_email]:contains(tour-queue@tours.example.com)",
        },
        {
            content: "Status of new tickets: Tour Assigned",
            trigger: ".o_field_widget[name=mailgate_default_stage_id] input",
            run: "edit Tour Assigned",
        },
        {
            trigger:
                ".o_field_widget[name=mailgate_default_stage_id] .o-autocomplete--dropdown-menu li:contains(Tour Assigned)",
            run: "click",
        },
        {
            content: "Ticket type: Tour Problem",
            trigger: ".o_field_widget[name=mailgate_default_category_id] input",
            run: "edit Tour Problem",
        },
        {
            trigger:
                ".o_field_widget[name=mailgate_default_category_id] .o-autocomplete--dropdown-menu li:contains(Tour Problem)",
            run: "click",
        },
        {
            content: "Owner: Tour Agent",
            trigger: ".o_field_widget[name=mailgate_default_user_id] input",
            run: "edit Tour Agent",
        },
        {
            trigger:
                ".o_field_widget[name=mailgate_default_user_id] .o-autocomplete--dropdown-menu li:contains(Tour Agent)",
            run: "click",
        },
        {
            content: "Senders without a user: reject the mail",
            trigger: ".o_field_widget[name=mailgate_unknown_sender] input[data-value=reject]",
            run: "click",
        },
        {
            content: "The choice is taken",
            trigger: ".o_field_widget[name=mailgate_unknown_sender] input[data-value=reject]:checked",
        },
        {
            content: "Save the team",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The team is saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "The defaults are still shown after saving",
            trigger: ".o_field_widget[name=mailgate_default_user_id] input:value(Tour Agent)",
        },
    ],
});
