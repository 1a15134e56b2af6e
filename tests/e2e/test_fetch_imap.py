# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fetching from a real Dovecot: what people do to a shared mailbox does not
hide mail from the helpdesk."""

from email.utils import formataddr

from e2e_mails import make_mail, new_message_id


def test_starred_unread_mail_becomes_a_ticket(odoo_db, helpdesk, mailbox, fetch):
    """An unread mail that someone starred (\\Flagged) in the shared
    mailbox is fetched and becomes a ticket; it keeps its star and is
    \\Seen afterwards."""
    subject = "Correo no leído con estrella"
    message_id = new_message_id("customer.example.com")
    mailbox.append(
        make_mail(
            formataddr(("Carla Cliente", helpdesk.customer_email)),
            helpdesk.queue,
            subject,
            "Alguien la marcó con estrella antes de que llegara el helpdesk.\n",
            message_id=message_id,
        ),
        flags="(\\Flagged)",
    )
    assert [f - {"\\Recent"} for f in mailbox.flags(message_id)] == [{"\\Flagged"}]
    fetch()
    with odoo_db.env() as env:
        tickets = env["helpdesk.ticket"].search([("name", "=", subject)])
        assert len(tickets) == 1, "the starred unread mail was not fetched"
    flags = [f - {"\\Recent"} for f in mailbox.flags(message_id)]
    assert flags == [{"\\Flagged", "\\Seen"}]
