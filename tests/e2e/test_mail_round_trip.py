# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The helpdesk by email, end to end: mail delivered to a real IMAP mailbox
is fetched by Odoo's fetchmail server, the notifications leave through a
real SMTP connection, and the customer's or agent's reply comes back the
same way.

The steps run in file order and hand their results on through ``scenario``.
"""

import base64
import contextlib
import re
from email.utils import formataddr, getaddresses

import pytest
from e2e_mails import make_mail, new_message_id

from odoo.exceptions import UserError

SUBJECT = "Problema con los servidores."
AGENT_ANSWER = "Estamos revisando los servidores."
REFERENCE = re.compile(r"\[(HT\d+)\]")


def addresses(header_value):
    return {address.lower() for __, address in getaddresses([header_value or ""])}


def test_customer_mail_opens_ticket_and_is_answered(
    odoo_db, helpdesk, mailbox, smtp_sink, fetch, send_queue, scenario
):
    """A customer's mail to the queue, fetched over IMAP, opens a ticket in the
    queue's team; the agent's public answer leaves over SMTP with the ticket's
    reference in its subject and the queue as its Reply-To."""
    message_id = new_message_id("customer.example.com")
    mailbox.append(
        make_mail(
            formataddr(("Carla Cliente", helpdesk.customer_email)),
            helpdesk.queue,
            SUBJECT,
            "Hola,\n\nLos servidores no responden desde esta mañana.\n\nCarla\n",
            message_id=message_id,
        )
    )
    fetch()

    with odoo_db.env() as env:
        ticket = env["helpdesk.ticket"].search([("name", "=", SUBJECT)])
        assert len(ticket) == 1, "the customer's mail did not open one ticket"
        assert ticket.team_id.id == helpdesk.team_id
        assert ticket.partner_id.email_normalized == helpdesk.customer_email
        assert ticket.message_ids.filtered(lambda m: m.message_id == message_id)
        customer = ticket.partner_id
        assert (
            customer in ticket.message_partner_ids
        ), "the customer does not follow the ticket: answers would not reach them"
        log = env["helpdesk.mailgate.log"].search([("message_id", "=", message_id)])
        assert log.mapped("state") == ["created"]
        assert log.ticket_id == ticket
        scenario.update(
            ticket_id=ticket.id,
            number=ticket.number,
            customer_message_id=message_id,
        )

    # The agent answers in the chatter: the customer, a follower, is notified.
    with odoo_db.env(uid=helpdesk.agent_id) as env:
        env["helpdesk.ticket"].browse(scenario["ticket_id"]).message_post(
            body=AGENT_ANSWER,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
    send_queue()

    notifications = [
        message
        for message in smtp_sink.sent_to(helpdesk.customer_email)
        if "Estamos revisando" in message.get_body(("html", "plain")).get_content()
    ]
    assert len(notifications) == 1, [m["Subject"] for m in smtp_sink.messages]
    notification = notifications[0]
    subject = str(notification["Subject"])
    assert REFERENCE.search(subject), f"no [HTxxxxx] reference in {subject!r}"
    assert REFERENCE.search(subject).group(1) == scenario["number"], subject
    assert SUBJECT.rstrip(".") in subject
    assert helpdesk.queue in addresses(
        str(notification["Reply-To"])
    ), f"Reply-To {notification['Reply-To']!r} is not the queue {helpdesk.queue}"
    assert notification["Message-ID"]
    scenario.update(
        notification_message_id=str(notification["Message-ID"]).strip(),
        notification_subject=subject,
    )


def test_agent_reply_with_commands_updates_ticket(
    odoo_db, helpdesk, mailbox, smtp_sink, fetch, send_queue, scenario
):
    """The agent's reply to the notification, fetched over IMAP, is a comment
    on the ticket; its [INCIDENT] block sets the priority (3 is High) and its
    [WORKUNIT] block logs 0.5 h; the customer's copy carries no command; the
    processed mails are \\Seen on the server."""
    if "notification_message_id" not in scenario:
        pytest.skip("the previous step did not produce a notification to reply to")
    reply_id = new_message_id("staff.example.com")
    body = (
        "Reiniciado el servidor de base de datos; seguimos vigilando.\n"
        "\n"
        "[INCIDENT]\n"
        "PRIORITY: 3\n"
        "[INCIDENT]\n"
        "\n"
        "[WORKUNIT]\n"
        "TIME_USED: 0.5\n"
        "[WORKUNIT]\n"
        "\n"
        "El lun, Soporte escribió:\n"
        "> Estamos revisando los servidores.\n"
    )
    mailbox.append(
        make_mail(
            formataddr(("Olga Operadora", helpdesk.agent_email)),
            helpdesk.queue,
            "Re: " + scenario["notification_subject"],
            body,
            message_id=reply_id,
            in_reply_to=scenario["notification_message_id"],
        )
    )
    fetch()

    with odoo_db.env() as env:
        ticket = env["helpdesk.ticket"].browse(scenario["ticket_id"])
        comment = ticket.message_ids.filtered(lambda m: m.message_id == reply_id)
        assert len(comment) == 1, "the reply is not a comment on the ticket"
        assert comment.author_id.id == helpdesk.agent_partner_id
        assert "Reiniciado el servidor" in comment.body
        assert "[INCIDENT]" not in comment.body, "the applied block was not removed"
        assert ticket.priority == "2", f"priority {ticket.priority!r}, not High"
        assert len(ticket.workunit_ids) == 1, ticket.workunit_ids.mapped("hours")
        assert ticket.workunit_ids.hours == 0.5
        assert ticket.workunit_ids.user_id.id == helpdesk.agent_id
        assert ticket.time_used == 0.5
        log = env["helpdesk.mailgate.log"].search([("message_id", "=", reply_id)])
        assert log.mapped("state") == ["updated"]

    # The customer, a follower, gets the agent's comment without its commands.
    send_queue()
    copies = [
        message
        for message in smtp_sink.sent_to(helpdesk.customer_email)
        if "Reiniciado el servidor" in message.get_body(("html", "plain")).get_content()
    ]
    assert len(copies) == 1, [m["Subject"] for m in smtp_sink.messages]
    copy_body = copies[0].get_body(("html", "plain")).get_content()
    assert "[INCIDENT]" not in copy_body and "[WORKUNIT]" not in copy_body
    assert scenario["number"] in str(copies[0]["Subject"])
    assert helpdesk.queue in addresses(str(copies[0]["Reply-To"]))

    for message_id in (scenario["customer_message_id"], reply_id):
        flags = mailbox.flags(message_id)
        assert flags and all("\\Seen" in f for f in flags), (message_id, flags)


def _failure_handling_missing(env):
    """Why the mail log cannot keep failed mails yet (readme/USAGE.md, Mail log), or
    an empty string when it can."""
    log_model = env["helpdesk.mailgate.log"]
    missing = []
    if "failed" not in dict(log_model._fields["state"].selection):
        missing.append("the 'failed' state")
    if not _raw_source_field(log_model):
        missing.append("a raw source field")
    if not hasattr(log_model, "action_reprocess"):
        missing.append("action_reprocess")
    return ", ".join(missing)


def _raw_source_field(log_model):
    """The name of the mail log's raw source field (its name is not part of
    the documented interface), or None."""
    for name, field in log_model._fields.items():
        if field.type in ("text", "binary") and any(
            word in name for word in ("raw", "source", "original", "eml")
        ):
            return name
    return None


def test_failed_mail_is_kept_and_does_not_block(
    request, odoo_db, helpdesk, mailbox, fetch, scenario
):
    """A mail whose processing raises leaves no partial change, is kept
    whole in a 'failed' mail log record, does not block the mail behind it,
    and is processed exactly once when a manager reprocesses it after fixing
    the configuration."""
    with odoo_db.env() as env:
        missing = _failure_handling_missing(env)
        if missing:
            request.applymarker(
                pytest.mark.xfail(
                    reason="failure handling not in the addon yet: "
                    f"helpdesk.mailgate.log lacks {missing}",
                    strict=False,
                )
            )
        # An administrator's mistake: the default values of a second queue
        # name a priority that does not exist, so every ticket it would
        # create raises (ValueError) inside the mail gateway.
        agent = env["res.users"].browse(helpdesk.agent_id)
        broken = env["helpdesk.ticket.team"].create(
            {
                "name": "Redes",
                "alias_name": "redes",
                "alias_domain_id": env.company.alias_domain_id.id,
                "user_ids": [(6, 0, agent.ids)],
            }
        )
        broken_queue = broken.alias_email
        good_defaults = broken.alias_id.alias_defaults
        broken.alias_id.alias_defaults = repr(
            {"team_id": broken.id, "priority": "urgentisimo"}
        )
        broken_id = broken.id

    failing_subject = "La red de la oficina no funciona"
    failing_sender = "raul.redes@customer.example.com"
    failing_id = new_message_id("customer.example.com")
    failing_raw = make_mail(
        formataddr(("Raúl Redes", failing_sender)),
        broken_queue,
        failing_subject,
        "No hay red en la segunda planta.\n",
        message_id=failing_id,
    )
    next_subject = "No puedo imprimir"
    next_id = new_message_id("customer.example.com")
    mailbox.append(failing_raw)
    mailbox.append(
        make_mail(
            formataddr(("Carla Cliente", helpdesk.customer_email)),
            helpdesk.queue,
            next_subject,
            "La impresora no responde.\n",
            message_id=next_id,
        )
    )
    fetch()

    with odoo_db.env() as env:
        Ticket = env["helpdesk.ticket"]
        # The mail behind the failing one still became a ticket.
        next_ticket = Ticket.search([("name", "=", next_subject)])
        assert len(next_ticket) == 1, "the mail after the failing one was lost"
        assert next_ticket.team_id.id == helpdesk.team_id
        # No partial change of the failing mail.
        assert not Ticket.search([("name", "=", failing_subject)])
        assert not env["res.partner"].search(
            [("email_normalized", "=", failing_sender)]
        ), "the failing mail left a contact behind (no savepoint?)"
        # Kept whole in the mail log.
        Log = env["helpdesk.mailgate.log"]
        failed = Log.search([("message_id", "=", failing_id)])
        assert failed.mapped("state") == ["failed"], failed.mapped("state")
        assert failed.error and "urgentisimo" in failed.error, failed.error
        raw_field = _raw_source_field(Log)
        raw = failed[raw_field] or b""
        if Log._fields[raw_field].type == "binary":  # base64 through the ORM
            raw = base64.b64decode(raw)
        raw = raw.encode() if isinstance(raw, str) else raw
        assert failing_id.encode() in raw and b"segunda planta" in raw, raw[:500]

        # The manager fixes the queue and reprocesses the mail: once.
        fixed = env["helpdesk.ticket.team"].browse(broken_id)
        fixed.alias_id.alias_defaults = good_defaults
        failed.action_reprocess()
        with contextlib.suppress(UserError):  # a second click: nothing (or refused)
            failed.action_reprocess()
        reprocessed = Ticket.search([("name", "=", failing_subject)])
        assert len(reprocessed) == 1, "reprocessing did not create exactly one ticket"
        assert reprocessed.team_id.id == broken_id
        states = Log.search([("message_id", "=", failing_id)]).mapped("state")
        assert "failed" not in states and states.count("created") == 1, states
