import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const SAVING_MARKER = "o_helpdesk_mailgate_tour_saving";

/**
 * An administrator turns masking on in the Helpdesk section of the Settings
 * and sets the default time of a follow-up. Saving the settings reloads the
 * whole page: a class put on <body> before saving tells the reloaded page
 * from the one that was saved.
 */
registry.category("web_tour.tours").add("helpdesk_mailgate_settings_masking", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Settings app",
            trigger: '.o_app[data-menu-xmlid="base.menu_administration"]',
            run: "click",
        },
        {
            content: "Open the Helpdesk section",
            trigger: ".settings_tab .tab[data-key=helpdesk_mgmt]",
            run: "click",
        },
        {
            content: "The mail gateway settings are in the Helpdesk section",
            trigger: ".app_settings_block[data-key=helpdesk_mgmt] .o_field_widget[name=mailgate_mask_email_addresses]",
        },
        {
            content: "Masking is off",
            trigger: ".o_field_widget[name=mailgate_mask_email_addresses] input:not(:checked)",
        },
        {
            content: "Tick Mask email addresses",
            trigger: ".o_field_widget[name=mailgate_mask_email_addresses] input",
            run: "check",
        },
        {
            content: "Set the default time of a follow-up to 30 minutes",
            trigger: ".o_field_widget[name=mailgate_default_time_used] input",
            run: "edit 00:30",
        },
        {
            content: "The settings have unsaved changes",
            trigger: ".o_dirty_warning",
            run() {
                document.body.classList.add(SAVING_MARKER);
            },
        },
        {
            content: "Save the settings",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
        },
        {
            content: "The settings page is reloaded",
            trigger: `body:not(.${SAVING_MARKER}) .o-settings-form-view .settings_tab .tab[data-key=helpdesk_mgmt]`,
            run: "click",
        },
        {
            content: "Masking is on",
            trigger: ".o_field_widget[name=mailgate_mask_email_addresses] input:checked",
        },
        {
            content: "The default time is 30 minutes",
            trigger: ".o_field_widget[name=mailgate_default_time_used] input:value(00:30)",
        },
    ],
});
