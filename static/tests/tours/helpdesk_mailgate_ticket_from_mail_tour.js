import { registry } from "@web/core/registry";

/**
 * An agent opens a ticket that a mail created and a reply with
 * "[INCIDENT] RESOLUTION: Fixed" and "[WORKUNIT] TIME_USED: 1h30" updated
 * (both through the real mail gateway, in
 * helpdesk_mgmt_mailgate/tests/test_ui_tours.py, which opens the tour on the
 * ticket's form): the work unit, the time used, the resolution, and the
 * ticket's mail log. No "url": the test starts the tour on the ticket's form
 * (a tour's own url would redirect the browser there instead).
 */
registry.category("web_tour.tours").add("helpdesk_mailgate_ticket_from_mail", {
    steps: () => [
        {
            content: "The ticket made from the mail is open",
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Servidores caídos en el tour)",
        },
        {
            content: "The resolution set by the reply's [INCIDENT] block is shown",
            trigger: ".o_form_view .o_field_widget[name=resolution_id] input:value(Fixed)",
        },
        {
            content: "The time used is the reply's [WORKUNIT] TIME_USED",
            trigger: ".o_form_view .o_field_widget[name=time_used]:contains(01:30)",
        },
        {
            content: "Open the Work Units tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=workunits]",
            run: "click",
        },
        {
            content: "The reply's work unit is listed, logged by the agent",
            trigger:
                ".o_field_widget[name=workunit_ids] .o_data_row:has(td[name=user_id]:contains(Tour Agent)) td[name=hours]:contains(01:30)",
        },
        {
            content: "The list has one work unit",
            trigger: ".o_field_widget[name=workunit_ids] .o_list_table:not(:has(.o_data_row:eq(1)))",
        },
        {
            content: "The work units' total is shown",
            trigger: ".o_field_widget[name=workunit_ids] tfoot:contains(01:30)",
        },
        {
            content: "Open the ticket's mail log (Mails smart button)",
            trigger: ".o_form_view .oe_stat_button[name=action_view_mailgate_log]:contains(Mails):contains(2)",
            run: "click",
        },
        {
            content: "The new mail's record is listed",
            trigger:
                ".o_list_view .o_data_row:has(td[name=ticket_id]:contains(Servidores caídos en el tour)) td[name=state]:contains(Ticket created)",
        },
        {
            content: "The reply's record is listed",
            trigger:
                ".o_list_view .o_data_row:has(td[name=ticket_id]:contains(Servidores caídos en el tour)) td[name=state]:contains(Ticket updated)",
        },
        {
            content: "The log lists only the ticket's two records",
            trigger: ".o_list_view .o_list_table:not(:has(.o_data_row:eq(2)))",
        },
    ],
});
