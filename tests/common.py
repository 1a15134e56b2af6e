# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import uuid

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

from . import data


class MailgateCase(MailCommon):
    """Two teams with their mail queues on the test alias domain, an agent
    and a portal customer, each with the lowest groups that make sense."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = mail_new_test_user(
            cls.env,
            login="mailgate_agent",
            name="Olga Operadora",
            email="olga.operadora@test.example.com",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.customer = mail_new_test_user(
            cls.env,
            login="mailgate_customer",
            name="Carla Cliente",
            email="carla.cliente@customer.example.com",
            groups="base.group_portal",
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_assigned = cls.env["helpdesk.ticket.stage"].create(
            {"name": "Assigned", "sequence": 2}
        )
        cls.category_problem = cls.env["helpdesk.ticket.category"].create(
            {"name": "Problem"}
        )
        cls.team_support = cls._create_team(
            "Soporte",
            "soporte",
            mailgate_default_stage_id=cls.stage_assigned.id,
            mailgate_default_category_id=cls.category_problem.id,
            mailgate_default_user_id=cls.agent.id,
        )
        cls.team_engineering = cls._create_team("Engineering", "engineering")
        cls.queue_support = cls.team_support.alias_email
        cls.queue_engineering = cls.team_engineering.alias_email

    @classmethod
    def _create_team(cls, name, alias_name, **values):
        return cls.env["helpdesk.ticket.team"].create(
            {
                "name": name,
                "alias_name": alias_name,
                "alias_domain_id": cls.mail_alias_domain.id,
                "user_ids": [(6, 0, cls.agent.ids)],
                **values,
            }
        )

    def send_to_queue(
        self,
        subject,
        email_from="user@company.com",
        to=None,
        template=data.PLAIN,
        body=data.SEED_BODY,
        model=None,
        **kwargs,
    ):
        """Push a raw mail through Odoo's real gateway (``message_process``,
        as the MTA script and fetchmail do) and return the ticket titled
        ``subject`` (empty when none was created).

        :param model: the fallback model, as a fetchmail server passes it.
        """
        kwargs.setdefault("msg_id", self.new_message_id())
        return self.format_and_process(
            template,
            email_from,
            to or self.queue_support,
            subject=subject,
            body=body,
            model=model,
            target_model="helpdesk.ticket",
            **kwargs,
        )

    @staticmethod
    def new_message_id():
        """A unique Message-ID. MailCase's own pads a random number with
        spaces now and then, which breaks In-Reply-To threading."""
        return f"<{uuid.uuid4().hex}@mailgate.test>"

    def mail_log(self, subject):
        """The mail log records of the mail titled ``subject``."""
        return self.env["helpdesk.mailgate.log"].search([("subject", "=", subject)])

    def open_ticket(self, subject, email_from=None, **kwargs):
        """A ticket opened by a mail of the customer to the support queue."""
        return self.send_to_queue(
            subject, email_from=email_from or self.customer.email_formatted, **kwargs
        )

    def reply(self, ticket, body, email_from=None, template=data.REPLY, **kwargs):
        """Push a reply to ``ticket``'s first message through the gateway, as
        a mail client does (In-Reply-To and References), and return the
        posted comment."""
        first_message = ticket.message_ids.filtered("message_id")[-1]
        count = len(ticket.message_ids)
        kwargs.setdefault("msg_id", self.new_message_id())
        self.format_and_process(
            template,
            email_from or self.agent.email_formatted,
            kwargs.pop("to", self.queue_support),
            subject=kwargs.pop("subject", f"Re: {ticket.name}"),
            body=body,
            in_reply_to=first_message.message_id,
            target_model="helpdesk.ticket",
            target_field="number",
            **kwargs,
        )
        ticket.invalidate_recordset()
        new_messages = ticket.message_ids[: len(ticket.message_ids) - count]
        return new_messages.filtered(lambda m: m.message_type == "email")
