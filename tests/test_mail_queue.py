# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import data
from .common import MailgateCase


@tagged("post_install", "-at_install")
class TestMailQueue(MailgateCase):
    """A team's queue turns mail into tickets (readme/USAGE.md, A new ticket)."""

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_seed_example(self):
        """The Integria manual's example becomes a complete ticket."""
        subject = "Problema con los servidores."
        ticket = self.send_to_queue(
            subject,
            email_from="Usuario <user@company.com>",
            cc="myboss@company.com",
            template=data.WITH_ATTACHMENT,
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team_support)
        self.assertEqual(ticket.stage_id, self.stage_assigned)
        self.assertEqual(ticket.category_id, self.category_problem)
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.company_id, self.team_support.company_id)
        self.assertIn("Han estado caídos toda la mañana.", ticket.description)
        self.assertEqual(ticket.partner_email, "user@company.com")
        self.assertEqual(ticket.partner_id.email_normalized, "user@company.com")
        self.assertEqual(ticket.partner_name, "Usuario")
        self.assertEqual(ticket.attachment_ids.mapped("name"), ["screen1.png"])
        followers = ticket.message_partner_ids.mapped("email_normalized")
        self.assertIn("myboss@company.com", followers)
        self.assertNotIn(self.queue_support, followers)
        first_message = ticket.message_ids[-1]
        self.assertEqual(first_message.author_id, ticket.partner_id)
        log = self.mail_log(subject)
        self.assertEqual(log.state, "created")
        self.assertEqual(log.ticket_id, ticket)
        self.assertEqual(log.team_id, self.team_support)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_cc_follower_is_notified(self):
        """A Cc address of the first mail receives the ticket's public updates."""
        subject = "Servidores caídos, con copia al jefe"
        ticket = self.send_to_queue(subject, cc="myboss@company.com")
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Estamos en ello.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        boss = ticket.message_partner_ids.filtered(
            lambda p: p.email_normalized == "myboss@company.com"
        )
        self.assertSentEmail(
            self.agent.partner_id, boss, subject=f"[{ticket.number}] {subject}"
        )
        self.assertIn(f"<{self.queue_support}>", self._mails[0]["reply_to"])

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_cc_contacts_get_decoded_names(self):
        """Names in From, To and Cc come as mail clients encode them (RFC
        2047): the contacts made for them are named as people read them."""
        subject = "Con copia a dos colegas"
        ticket = self.send_to_queue(
            subject,
            email_from="=?utf-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose.garcia@company.com>",
            cc="=?utf-8?q?Mar=C3=ADa_L=C3=B3pez?= <maria.lopez@company.com>, "
            "=?utf-8?b?5bGx55Sw5aSq6YOO?= <yamada@company.jp>",
        )
        names = {
            partner.email_normalized: partner.name
            for partner in ticket.message_partner_ids
        }
        self.assertEqual(names.get("maria.lopez@company.com"), "María López")
        self.assertEqual(names.get("yamada@company.jp"), "山田太郎")
        self.assertEqual(ticket.partner_id.name, "José García")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_creator_is_the_sender_user(self):
        """A sender who has a user creates and edits the ticket as that user."""
        subject = "Incidencia enviada por una agente"
        ticket = self.send_to_queue(subject, email_from=self.agent.email_formatted)
        self.assertEqual(ticket.create_uid, self.agent)
        self.assertEqual(ticket.write_uid, self.agent)
        self.assertEqual(ticket.partner_id, self.agent.partner_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_portal_sender(self):
        """A portal customer's mail is created as the customer."""
        subject = "Consulta de una clienta con cuenta"
        ticket = self.send_to_queue(subject, email_from=self.customer.email_formatted)
        self.assertEqual(ticket.create_uid, self.customer)
        self.assertEqual(ticket.partner_id, self.customer.partner_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_contact(self):
        """Policy contact: an unknown address gets a contact and no user."""
        subject = "Remitente desconocido, política contacto"
        ticket = self.send_to_queue(subject, email_from="Nadie <nadie@unknown.example>")
        self.assertEqual(ticket.partner_id.email_normalized, "nadie@unknown.example")
        self.assertEqual(ticket.partner_id.name, "Nadie")
        self.assertFalse(ticket.partner_id.user_ids)
        self.assertEqual(ticket.create_uid, self.env.user)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_user(self):
        """Policy user: an unknown address gets a portal user, silently, who
        becomes the ticket's creator."""
        self.team_support.mailgate_unknown_sender = "user"
        subject = "Remitente desconocido, política usuario"
        with self.mock_mail_gateway():
            ticket = self.send_to_queue(
                subject, email_from="Nuevo Cliente <nuevo@unknown.example>"
            )
        user = self.env["res.users"].search([("login", "=", "nuevo@unknown.example")])
        self.assertEqual(len(user), 1)
        self.assertTrue(user.share)
        self.assertTrue(user._is_portal())
        self.assertEqual(user.name, "Nuevo Cliente")
        self.assertEqual(ticket.create_uid, user)
        self.assertEqual(ticket.partner_id, user.partner_id)
        self.assertFalse(
            self._new_mails.filtered(
                lambda m: "nuevo@unknown.example" in (m.email_to or "")
                or user.partner_id in m.recipient_ids
            ),
            "no invitation mail unless the team says so",
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_user_reuses_contact(self):
        """Policy user: an existing contact of the address becomes the user's."""
        self.team_support.mailgate_unknown_sender = "user"
        contact = self.env["res.partner"].create(
            {"name": "Contacto Previo", "email": "previo@unknown.example"}
        )
        ticket = self.send_to_queue(
            "Contacto previo sin usuario", email_from="previo@unknown.example"
        )
        self.assertEqual(ticket.partner_id, contact)
        self.assertEqual(contact.user_ids.login, "previo@unknown.example")

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.models.unlink")
    def test_unknown_sender_reject(self):
        """Policy reject: no ticket, a polite refusal that says why, logged."""
        self.team_support.mailgate_unknown_sender = "reject"
        subject = "Remitente desconocido, política rechazo"
        with self.mock_mail_gateway():
            ticket = self.send_to_queue(
                subject,
                email_from="intruso@unknown.example",
                return_path="<intruso@unknown.example>",
            )
        self.assertFalse(ticket)
        self.assertEqual(len(self._mails), 1)
        refusal = self._mails[0]
        self.assertIn("intruso@unknown.example", refusal["email_to"][0])
        self.assertEqual(refusal["subject"], f"Re: {subject}")
        self.assertIn("only accepts mail from its registered users", refusal["body"])
        self.assertEqual(refusal["headers"].get("Auto-Submitted"), "auto-replied")
        log = self.mail_log(subject)
        self.assertEqual(log.state, "rejected")
        self.assertEqual(log.team_id, self.team_support)
        self.assertTrue(log.error)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_reject_spares_users(self):
        """Policy reject: senders with a user still open tickets."""
        self.team_support.mailgate_unknown_sender = "reject"
        ticket = self.send_to_queue(
            "Clienta registrada con política rechazo",
            email_from=self.customer.email_formatted,
        )
        self.assertEqual(ticket.create_uid, self.customer)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reject_never_answers_automatic_mail(self):
        """A refusal is never sent in answer to an auto-reply."""
        self.team_support.mailgate_unknown_sender = "reject"
        with self.mock_mail_gateway():
            ticket = self.send_to_queue(
                "Respuesta automática: fuera de la oficina",
                email_from="robot@unknown.example",
                extra="Auto-Submitted: auto-replied",
            )
        self.assertFalse(ticket)
        self.assertNotSentEmail()

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_sender_with_two_contacts(self):
        """A sender with two contacts gets one of them, and no third one."""
        contacts = self.env["res.partner"].create(
            [
                {"name": "Doble Uno", "email": "doble@company.com"},
                {"name": "Doble Dos", "email": "doble@company.com"},
            ]
        )
        ticket = self.send_to_queue(
            "Remitente con dos contactos", email_from="doble@company.com"
        )
        self.assertIn(ticket.partner_id, contacts)
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("email_normalized", "=", "doble@company.com")]
            ),
            2,
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_latin1_subject_and_body(self):
        """RFC 2047 ISO-8859-1 subjects and bodies are decoded."""
        ticket = self.send_to_queue(
            "=?ISO-8859-1?Q?Problema_con_los_servidores_ca=EDdos?=",
            template=data.PLAIN_LATIN1,
        )
        self.assertFalse(ticket, "searched by the raw encoded subject")
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Problema con los servidores caídos")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertIn("caídos toda la mañana", ticket.description)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_html_only_mail(self):
        """An HTML-only mail keeps its formatting, safely."""
        ticket = self.send_to_queue("Correo solo HTML", template=data.HTML_ONLY)
        self.assertIn("<b>problemas</b>", ticket.description)
        self.assertIn("caídos toda la mañana", ticket.description)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_no_subject(self):
        """A mail without subject gets the title "No Subject"."""
        before = self.env["helpdesk.ticket"].search([])
        self.format_and_process(
            data.PLAIN,
            "user@company.com",
            self.queue_support,
            subject="",
            body="Sin asunto.",
            target_model="helpdesk.ticket",
        )
        ticket = self.env["helpdesk.ticket"].search([]) - before
        self.assertEqual(ticket.name, "No Subject")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_inline_image_is_attached(self):
        """Inline images become ticket attachments too."""
        ticket = self.send_to_queue(
            "Captura pegada en el correo", template=data.WITH_INLINE_IMAGE
        )
        self.assertEqual(ticket.attachment_ids.mapped("name"), ["captura.png"])

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_system_addresses_never_follow(self):
        """Queue, catchall and bounce addresses are never subscribed."""
        ticket = self.send_to_queue(
            "Copia a direcciones del sistema",
            cc=", ".join(
                [
                    self.queue_engineering,
                    f"{self.alias_catchall}@{self.alias_domain}",
                    f"{self.alias_bounce}@{self.alias_domain}",
                    "colega@company.com",
                ]
            ),
        )
        followers = ticket.message_partner_ids.mapped("email_normalized")
        self.assertIn("colega@company.com", followers)
        for address in (
            self.queue_support,
            self.queue_engineering,
            f"{self.alias_catchall}@{self.alias_domain}",
            f"{self.alias_bounce}@{self.alias_domain}",
        ):
            self.assertNotIn(address, followers)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_two_queues_one_ticket(self):
        """Mail to two queues makes one ticket, in the first To queue."""
        subject = "Para dos colas a la vez"
        ticket = self.send_to_queue(
            subject, to=f"{self.queue_engineering}, {self.queue_support}"
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team_engineering)
        log = self.mail_log(subject)
        self.assertEqual(len(log), 1)
        self.assertIn(self.queue_support, log.error)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_queue_in_cc(self):
        """A queue in Cc only is a queue all the same."""
        ticket = self.send_to_queue(
            "Cola en copia",
            to="alguien@company.com",
            cc=self.queue_engineering,
        )
        self.assertEqual(ticket.team_id, self.team_engineering)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_no_queue_is_ignored_not_bounced(self):
        """Helpdesk mail addressed to no queue is not processed nor bounced."""
        subject = "Dirigido a ninguna cola"
        with self.mock_mail_gateway():
            ticket = self.send_to_queue(
                subject, to="nobody@elsewhere.example", model="helpdesk.ticket"
            )
        self.assertFalse(ticket)
        self.assertNotSentEmail()
        log = self.mail_log(subject)
        self.assertEqual(log.state, "ignored")
        self.assertIn("no helpdesk queue", log.error)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_sender_loop_guard(self):
        """Odoo's loop guard still stops a sender who opens too many tickets,
        and the stopped mail is logged."""
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 3)
        for index in range(3):
            self.send_to_queue(f"Bucle {index}", email_from="robot@loop.example")
        with self.mock_mail_gateway():
            stopped = self.send_to_queue("Bucle 3", email_from="robot@loop.example")
        self.assertFalse(stopped)
        log = self.mail_log("Bucle 3")
        self.assertEqual(log.state, "ignored")
        self.assertIn("loop guard", log.error)
        loop_notice = self._mails[0]
        self.assertEqual(loop_notice["headers"].get("Auto-Submitted"), "auto-replied")
