# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import convert_file, mute_logger

from .. import hooks
from .common import MailgateCase

ANSWER = "helpdesk_mgmt_mailgate.mail_template_mailgate_answer"
REFUSAL = "helpdesk_mgmt_mailgate.mail_template_mailgate_refusal"
BAD_BLOCK = "[INCIDENT]\nPRIORTY: 3\n[INCIDENT]"


@tagged("post_install", "-at_install")
class TestTemplates(MailgateCase):
    """The mails the gateway writes are templates an administrator edits,
    and upgrades bring new shipped texts only to the unedited ones."""

    def _upgrade_templates(self):
        """The template steps of an upgrade, around the loading of the data
        file as Odoo's loader does it in update mode."""
        self.env.flush_all()
        hooks.unlock_unedited_templates(self.env.cr)
        convert_file(
            self.env,
            "helpdesk_mgmt_mailgate",
            "data/mail_template_data.xml",
            {},
            mode="update",
        )
        hooks.lock_templates(self.env.cr)
        hooks.record_template_digests(self.env.cr)
        self.env.invalidate_all()

    def _write_raw_body(self, template, body):
        """Change a template as an older version of the addon shipped it,
        without the ORM (which would date the change as an edit)."""
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s) "
            "WHERE id = %s",
            (body, template.id),
        )
        self.env.invalidate_all()

    def _ship(self, template, body):
        """Make ``body`` the text the addon shipped in ``template``, as an
        install of an older version left it (its digest recorded)."""
        self._write_raw_body(template, body)
        recorded = hooks._get_parameter(self.env.cr, hooks.DIGESTS_PARAMETER)
        recorded.pop(template.get_external_id()[template.id].split(".")[1])
        hooks._set_parameter(self.env.cr, hooks.DIGESTS_PARAMETER, recorded)
        hooks.record_template_digests(self.env.cr)

    def _noupdate(self, xmlid):
        module, name = xmlid.split(".")
        return (
            self.env["ir.model.data"]
            .search([("module", "=", module), ("name", "=", name)])
            .noupdate
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_answer_subject_is_the_templates(self):
        """The answer's subject is the template's, which an administrator can
        change; the mail's subject with the ticket's reference is a variable."""
        self.env.ref(ANSWER).subject = "Respuesta: {{ mail_subject }}"
        ticket = self.open_ticket("Asunto editable")
        with self.mock_mail_gateway():
            self.reply(ticket, BAD_BLOCK)
        answer = self._new_mails.filtered(lambda m: "not applied" in m.body_html)
        self.assertEqual(
            answer.subject, f"Respuesta: [{ticket.number}] Re: Asunto editable"
        )

    def test_upgrade_refreshes_unedited_and_keeps_edited_templates(self):
        """An upgrade writes the shipped text into the template nobody
        edited, keeps the administrator's edit of the other, and leaves both
        noupdate."""
        answer, refusal = self.env.ref(ANSWER), self.env.ref(REFUSAL)
        self._ship(answer, "<p>Old shipped answer</p>")
        refusal.body_html = "<p>Our own refusal, written by the admin</p>"
        self._upgrade_templates()
        self.assertIn("The commands of your mail", answer.body_html)
        self.assertIn("Our own refusal", refusal.body_html)
        self.assertTrue(self._noupdate(ANSWER))
        self.assertTrue(self._noupdate(REFUSAL))
        # The refreshed template is the addon's own again; the edited one
        # stays edited for every later upgrade.
        self._ship(answer, "<p>Old shipped answer</p>")
        self._upgrade_templates()
        self.assertIn("The commands of your mail", answer.body_html)
        self.assertIn("Our own refusal", refusal.body_html)

    def test_upgrade_from_a_database_without_digests(self):
        """A database of 18.0.1.2.0 or older recorded nothing: a template
        never written since its creation is refreshed, an edited one kept."""
        answer, refusal = self.env.ref(ANSWER), self.env.ref(REFUSAL)
        self.env["ir.config_parameter"].search(
            [("key", "=", hooks.DIGESTS_PARAMETER)]
        ).unlink()
        self._write_raw_body(answer, "<p>Old shipped answer</p>")
        self.env.cr.execute(
            "UPDATE mail_template SET write_date = create_date WHERE id = %s",
            (answer.id,),
        )
        refusal.body_html = "<p>Our own refusal, written by the admin</p>"
        self.env.flush_all()
        self._upgrade_templates()
        self.assertIn("The commands of your mail", answer.body_html)
        self.assertIn("Our own refusal", refusal.body_html)
        # Marked edited: a later upgrade keeps it too.
        self._upgrade_templates()
        self.assertIn("Our own refusal", refusal.body_html)
