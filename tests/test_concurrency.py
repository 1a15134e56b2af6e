# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import odoo
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from . import data

WORKER = Path(__file__).with_name("concurrency_worker.py")


@tagged("post_install", "-at_install")
class TestConcurrentReplies(BaseCase):
    """Two Odoo processes taking replies to the same ticket at the same time:
    both land, comments and work units, with no deadlock or lost update.

    Runs on real, committed transactions: two worker processes
    (``concurrency_worker.py``), each with its registry and database cursor,
    released together. So it builds its own data and deletes it afterwards.
    """

    def setUp(self):
        super().setUp()
        self.registry = odoo.registry(get_db_name())
        self.tag = uuid.uuid4().hex[:8]
        self.tmp_dir = self.enterContext(tempfile.TemporaryDirectory())
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            self.agents = env["res.users"].create(
                [
                    {
                        "name": f"Concurrente {index}",
                        "login": f"concurrent{index}-{self.tag}",
                        "email": f"concurrent{index}-{self.tag}@test.example.com",
                        "groups_id": [
                            (6, 0, env.ref("helpdesk_mgmt.group_helpdesk_user").ids)
                        ],
                    }
                    for index in (1, 2)
                ]
            )
            self.alias_domain = env["mail.alias.domain"].create(
                {"name": f"concurrency-{self.tag}.example.com"}
            )
            self.team = env["helpdesk.ticket.team"].create(
                {
                    "name": f"Concurrencia {self.tag}",
                    "alias_name": "concurrencia",
                    "alias_domain_id": self.alias_domain.id,
                    "user_ids": [(6, 0, self.agents.ids)],
                }
            )
            self.queue = self.team.alias_id.alias_full_name
            self.first_message_id = f"<first-{self.tag}@mailgate.test>"
            self.ticket_id = env["mail.thread"].message_process(
                "helpdesk.ticket",
                self._mail(
                    "cliente@customer.example.com",
                    f"Ticket concurrido {self.tag}",
                    self.first_message_id,
                    "Primer correo.",
                ),
            )
        self.addCleanup(self._delete_data)

    def _mail(self, email_from, subject, message_id, body, in_reply_to=""):
        extra = f"In-Reply-To: {in_reply_to}" if in_reply_to else ""
        return data.PLAIN.format(
            return_path=f"<{email_from}>",
            to=self.queue,
            cc="",
            email_from=email_from,
            subject=subject,
            msg_id=message_id,
            references=in_reply_to,
            extra=extra,
            body=body,
        ).encode()

    def _delete_data(self):
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            ticket = env["helpdesk.ticket"].browse(self.ticket_id).exists()
            env["helpdesk.mailgate.log"].search(
                [("ticket_id", "=", ticket.id)]
            ).unlink()
            partners = ticket.message_partner_ids - self.agents.with_env(env).partner_id
            ticket.unlink()
            self.team.with_env(env).unlink()
            self.agents.with_env(env).unlink()
            partners.filtered(lambda p: not p.user_ids).unlink()
            env["mail.alias"].search(
                [("alias_domain_id", "=", self.alias_domain.id)]
            ).unlink()
            self.alias_domain.with_env(env).unlink()

    def test_two_replies_at_once(self):
        """Both replies land: two comments and two work units. A transaction
        that meets the other one is retried, as Odoo's RPC layer does."""
        self.assertTrue(self.ticket_id, "the ticket was created")
        workers = []
        for index in (1, 2):
            mail_file = Path(self.tmp_dir) / f"reply{index}.eml"
            mail_file.write_bytes(
                self._mail(
                    f"concurrent{index}-{self.tag}@test.example.com",
                    f"Re: Ticket concurrido {self.tag}",
                    f"<reply{index}-{self.tag}@mailgate.test>",
                    f"Respuesta {index}.\n[WORKUNIT]\nTIME_USED: {index}\n[WORKUNIT]",
                    in_reply_to=self.first_message_id,
                )
            )
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(WORKER),
                        config.rcfile,
                        get_db_name(),
                        str(mail_file),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for worker in workers:
            self.assertEqual(worker.stdout.readline().strip(), "ready")
        for worker in workers:  # both go at once
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            output, errors = worker.communicate(timeout=120)
            self.assertEqual(worker.returncode, 0, errors)
            self.assertEqual(output.strip(), "done")
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            ticket = env["helpdesk.ticket"].browse(self.ticket_id)
            self.assertEqual(sorted(ticket.workunit_ids.mapped("hours")), [1.0, 2.0])
            self.assertEqual(ticket.time_used, 3.0)
            bodies = " ".join(ticket.message_ids.mapped("body"))
            self.assertIn("Respuesta 1.", bodies)
            self.assertIn("Respuesta 2.", bodies)
            logs = env["helpdesk.mailgate.log"].search([("ticket_id", "=", ticket.id)])
            self.assertEqual(
                sorted(logs.mapped("state")), ["created", "updated", "updated"]
            )
