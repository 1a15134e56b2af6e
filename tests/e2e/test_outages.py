# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Crashes and outages with the real servers: each ends with every mail as
exactly one ticket, one comment or one failed log record, none lost, none
twice (readme/CONFIGURE.md, incoming mail). The counts are printed as a
matrix at the end.

Each incident strikes while Odoo is processing a fetched mail: the test holds
a row lock on that mail's team (``SELECT ... FOR UPDATE``, as a long
transaction of another user would), so Odoo waits inside the mail's
transaction, where the incident finds it. The fetch runs in the Odoo server
(the *Fetch Now* button: the fetchmail cron's own code).
"""

import os
import subprocess
import threading
import time
from email.utils import formataddr

import pytest
from e2e_mails import make_mail, new_message_id

import odoo


@pytest.fixture(scope="module")
def outage_setup(odoo_db, helpdesk):
    """A queue whose tickets the test can hold (its team row locked), a
    broken queue whose mails fail, and a ticket to comment on."""
    with odoo_db.env() as env:
        agent = env["res.users"].browse(helpdesk.agent_id)
        domain = env.company.alias_domain_id
        held = env["helpdesk.ticket.team"].create(
            {
                "name": "Retenido",
                "alias_name": "retenido",
                "alias_domain_id": domain.id,
                "user_ids": [(6, 0, agent.ids)],
            }
        )
        broken = env["helpdesk.ticket.team"].create(
            {
                "name": "Averiado",
                "alias_name": "averiado",
                "alias_domain_id": domain.id,
                "user_ids": [(6, 0, agent.ids)],
            }
        )
        broken.alias_id.alias_defaults = repr(
            {"team_id": broken.id, "priority": "urgentisimo"}
        )
        customer = env["res.partner"].find_or_create(helpdesk.customer_email)
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Ticket para comentar",
                "description": "Abierto para las pruebas de caídas.",
                "team_id": helpdesk.team_id,
                "partner_id": customer.id,
            }
        )
        ticket.message_subscribe(partner_ids=customer.ids)
        first = ticket.message_ids.filtered("message_id")[-1]
        return {
            "held_team_id": held.id,
            "held_queue": held.alias_email,
            "broken_queue": broken.alias_email,
            "ticket_id": ticket.id,
            "thread_message_id": first.message_id,
        }


def _admin_uid(odoo_server, helpdesk):
    import xmlrpc.client

    common = xmlrpc.client.ServerProxy(f"{odoo_server.url}/xmlrpc/2/common")
    return common.authenticate(odoo_server.db, "admin", helpdesk.admin_password, {})


def _fetch_now(odoo_server, helpdesk):
    """Start *Fetch Now* in the Odoo server; return the thread and its
    outcome (``{"error": ...}`` once it failed)."""
    outcome = {}
    uid = _admin_uid(odoo_server, helpdesk)

    def run():
        try:
            odoo_server.object().execute_kw(
                odoo_server.db,
                uid,
                helpdesk.admin_password,
                "fetchmail.server",
                "fetch_mail",
                [[helpdesk.fetchmail_server_id]],
            )
            outcome["done"] = True
        except Exception as error:  # noqa: BLE001 - what the incident caused
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _connect(db):
    import psycopg2

    __, info = odoo.sql_db.connection_info_for(db)
    info = {key: value for key, value in info.items() if key != "database"}
    return psycopg2.connect(dbname=db, **info)


def _wait_for_count(db, query, done, failure, timeout=60):
    """Poll ``query`` (a count, with the database name as its parameter)
    until ``done(count)``; fail with ``failure`` after ``timeout`` seconds."""
    watcher = _connect(db)
    watcher.autocommit = True
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with watcher.cursor() as cr:
                cr.execute(query, [db])
                if done(cr.fetchone()[0]):
                    return
            time.sleep(0.2)
        raise AssertionError(failure)
    finally:
        watcher.close()


class HeldTeam:
    """A row lock on a team: Odoo processing a mail for it waits."""

    def __init__(self, db, team_id):
        self.db, self.team_id = db, team_id
        self.connection = _connect(db)
        with self.connection.cursor() as cr:
            cr.execute(
                "SELECT id FROM helpdesk_ticket_team WHERE id = %s FOR UPDATE",
                [team_id],
            )

    def wait_for_waiter(self):
        """Wait until another session waits for a lock in the database."""
        _wait_for_count(
            self.db,
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock'",
            lambda count: count > 0,
            "Odoo never reached the held mail",
        )

    def release(self):
        try:
            self.connection.rollback()
            self.connection.close()
        except Exception:  # noqa: BLE001 - a restarted server closed it
            pass


def _mails(helpdesk, setup, tag):
    """Five mails, in mailbox order: a new ticket, a comment, a failing mail,
    the mail the incident strikes, a new ticket after it."""
    customer = formataddr(("Carla Cliente", helpdesk.customer_email))
    specs = [
        ("ticket", helpdesk.queue, f"{tag}: antes", None),
        ("comment", helpdesk.queue, f"Re: {tag}: comentario", "reply"),
        ("failed", setup["broken_queue"], f"{tag}: falla", None),
        ("ticket", setup["held_queue"], f"{tag}: durante", None),
        ("ticket", helpdesk.queue, f"{tag}: después", None),
    ]
    mails = []
    for kind, to, subject, reply in specs:
        message_id = new_message_id("customer.example.com")
        raw = make_mail(
            customer,
            to,
            subject,
            f"Correo «{subject}».\n",
            message_id=message_id,
            in_reply_to=setup["thread_message_id"] if reply else None,
        )
        mails.append({"kind": kind, "subject": subject, "id": message_id, "raw": raw})
    return mails


def _outcomes(env, mail, setup):
    """How many times ``mail`` became a ticket, a comment, a failed record."""
    tickets = env["helpdesk.ticket"].search_count([("name", "=", mail["subject"])])
    comments = env["mail.message"].search_count(
        [
            ("message_id", "=", mail["id"]),
            ("model", "=", "helpdesk.ticket"),
            ("res_id", "=", setup["ticket_id"]),
        ]
    )
    failed = env["helpdesk.mailgate.log"].search_count(
        [("message_id", "=", mail["id"]), ("state", "=", "failed")]
    )
    return {"ticket": tickets, "comment": comments, "failed": failed}


def _count(odoo_db, mails, setup):
    counts = {"mails": len(mails), "tickets": 0, "comments": 0, "failed": 0}
    counts.update(sent=0, lost=0, twice=0)
    details = []
    with odoo_db.env() as env:
        for mail in mails:
            outcome = _outcomes(env, mail, setup)
            total = sum(outcome.values())
            counts["tickets"] += outcome["ticket"]
            counts["comments"] += outcome["comment"]
            counts["failed"] += outcome["failed"]
            counts["lost"] += total == 0
            counts["twice"] += total > 1
            if outcome[mail["kind"]] != 1 or total != 1:
                details.append((mail["subject"], outcome))
    return counts, details


def _run_scenario(name, incident, odoo_db, helpdesk, mailbox, fetch, setup, matrix):
    mails = _mails(helpdesk, setup, name)
    for mail in mails:
        mailbox.append(mail["raw"])
    held = HeldTeam(odoo_db.db, setup["held_team_id"])
    try:
        thread, outcome = _fetch_now(incident.odoo_server, helpdesk)
        held.wait_for_waiter()
        incident.strike(held)
    finally:
        held.release()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the interrupted fetch never ended"
    incident.recover()
    fetch()  # the next cron run
    counts, details = _count(odoo_db, mails, setup)
    matrix.append((name, counts))
    assert not details, details
    assert mailbox.unseen_count() == 0, "a processed mail is still unseen"
    for mail in mails:
        assert len(mailbox.flags(mail["id"])) == 1
    return outcome


class _Kill:
    """Odoo SIGKILLed while processing the held mail; started again."""

    def __init__(self, odoo_server):
        self.odoo_server = odoo_server

    def strike(self, held):
        self.odoo_server.kill()

    def recover(self):
        self.odoo_server.start()


class _PostgresRestart:
    """PostgreSQL restarted (fast shutdown: sessions cut) during the fetch."""

    def __init__(self, odoo_server):
        self.odoo_server = odoo_server
        self.pg_ctl = os.environ.get("MAILGATE_E2E_PG_CTL")
        self.pgdata = os.environ.get("MAILGATE_E2E_PGDATA")

    def strike(self, held):
        command = [
            self.pg_ctl,
            "-D",
            self.pgdata,
            "-l",
            os.path.join(self.pgdata, "server.log"),
            "-m",
            "fast",
            "-w",
            "restart",
        ]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, cwd="/", check=True, capture_output=True, timeout=120)

    def recover(self):
        pass


class _ImapDrop:
    """The IMAP connection cut while Odoo processes the held mail: the
    mail is committed, but the server never hears it was processed."""

    def __init__(self, odoo_server, dovecot):
        self.odoo_server, self.dovecot = odoo_server, dovecot

    def strike(self, held):
        assert self.dovecot.drop_connections() >= 1, "no IMAP session to cut"
        held.release()

    def recover(self):
        pass


def test_odoo_killed_while_processing(
    odoo_db, helpdesk, mailbox, fetch, odoo_server, outage_setup, matrix
):
    """Odoo SIGKILLed while processing a fetched mail: after the restart the
    next fetch makes every mail exactly one ticket, comment or failed record."""
    outcome = _run_scenario(
        "Odoo SIGKILL",
        _Kill(odoo_server),
        odoo_db,
        helpdesk,
        mailbox,
        fetch,
        outage_setup,
        matrix,
    )
    assert "error" in outcome, "the killed fetch did not fail"


def test_postgres_restarted_during_fetch(
    odoo_db, helpdesk, mailbox, fetch, odoo_server, outage_setup, matrix
):
    """PostgreSQL restarted during a fetch: nothing half-done, nothing lost."""
    restart = _PostgresRestart(odoo_server)
    if not (restart.pg_ctl and restart.pgdata):
        pytest.skip("not the project's local PostgreSQL cluster: it is not restarted")
    _run_scenario(
        "PostgreSQL restart",
        restart,
        odoo_db,
        helpdesk,
        mailbox,
        fetch,
        outage_setup,
        matrix,
    )


def test_imap_connection_dropped_during_fetch(
    odoo_db, helpdesk, mailbox, fetch, dovecot, odoo_server, outage_setup, matrix
):
    """The IMAP connection dropped in the middle of a fetch: the mail being
    processed is not processed twice when it is fetched again."""
    outcome = _run_scenario(
        "IMAP connection dropped",
        _ImapDrop(odoo_server, dovecot),
        odoo_db,
        helpdesk,
        mailbox,
        fetch,
        outage_setup,
        matrix,
    )
    assert "error" in outcome, "the cut connection went unnoticed"


def test_smtp_down_while_sending(
    odoo_db, helpdesk, mailbox, fetch, smtp_sink, send_queue, outage_setup, matrix
):
    """The SMTP server down while an answer, a notification and the addon's
    own reply are sent: none is lost, each goes out once the server is back."""
    answer = "Respuesta enviada con el SMTP caído."
    bad_reply_id = new_message_id("customer.example.com")
    before = len(smtp_sink.messages)
    smtp_sink.pause()
    try:
        with odoo_db.env(uid=helpdesk.agent_id) as env:
            env["helpdesk.ticket"].browse(outage_setup["ticket_id"]).message_post(
                body=answer, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        # A customer's reply with a block they may not apply: the addon
        # answers with the problems.
        mailbox.append(
            make_mail(
                formataddr(("Carla Cliente", helpdesk.customer_email)),
                helpdesk.queue,
                "Re: Ticket para comentar",
                "Subidle la prioridad.\n\n[INCIDENT]\nPRIORITY: 5\n[INCIDENT]\n",
                message_id=bad_reply_id,
                in_reply_to=outage_setup["thread_message_id"],
            )
        )
        fetch()
        send_queue()
        with odoo_db.env() as env:
            waiting = env["mail.mail"].search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "=", outage_setup["ticket_id"]),
                    ("state", "=", "outgoing"),
                ]
            )
            assert waiting, "the mails were not kept for a later try"
            waiting_count = len(waiting)
    finally:
        smtp_sink.resume()
    assert len(smtp_sink.messages) == before
    send_queue()
    send_queue()  # a second run sends nothing again

    received = smtp_sink.messages[before:]
    answers = [
        m
        for __, rcpts, m in received
        if helpdesk.customer_email in rcpts
        and answer in m.get_body(("html", "plain")).get_content()
    ]
    replies = [
        m
        for __, rcpts, m in received
        if helpdesk.customer_email in rcpts
        and bad_reply_id in str(m.get("In-Reply-To") or "")
    ]
    with odoo_db.env() as env:
        still = env["mail.mail"].search_count(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", outage_setup["ticket_id"]),
                ("state", "in", ("outgoing", "exception")),
            ]
        )
    counts = {
        "mails": waiting_count,
        "tickets": 0,
        "comments": 0,
        "failed": 0,
        "sent": len(received),
        "lost": int(not answers) + int(not replies) + still,
        "twice": int(len(answers) > 1) + int(len(replies) > 1),
    }
    matrix.append(("SMTP server down", counts))
    assert len(answers) == 1, [m["Subject"] for __, __, m in received]
    assert len(replies) == 1, [m["Subject"] for __, __, m in received]
    assert not still


def _wait_for_killed_transactions(db):
    """Wait until no transaction of a killed Odoo is left running (its
    backend ends it once it has the lock it waited for)."""
    _wait_for_count(
        db,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
        lambda count: count == 0,
        "a killed Odoo's transaction is still running",
    )


def test_mail_interrupted_twice_is_kept_as_failed(
    odoo_db, helpdesk, mailbox, fetch, odoo_server, outage_setup, matrix
):
    """A mail whose processing was killed twice is kept as failed, with its
    raw source and that reason, at the third fetch; the mail behind it goes
    through in the same fetch."""
    customer = formataddr(("Carla Cliente", helpdesk.customer_email))
    poison_id = new_message_id("customer.example.com")
    after_id = new_message_id("customer.example.com")
    mailbox.append(
        make_mail(
            customer,
            outage_setup["held_queue"],
            "Matado dos veces",
            "Este correo mata al proceso.\n",
            message_id=poison_id,
        )
    )
    mailbox.append(
        make_mail(
            customer,
            helpdesk.queue,
            "Tras el correo matado",
            "Este va detrás.\n",
            message_id=after_id,
        )
    )
    for __ in range(2):
        held = HeldTeam(odoo_db.db, outage_setup["held_team_id"])
        try:
            thread, outcome = _fetch_now(odoo_server, helpdesk)
            held.wait_for_waiter()
            odoo_server.kill()
        finally:
            held.release()
        thread.join(timeout=120)
        assert "error" in outcome, "the killed fetch did not fail"
        odoo_server.start()
        _wait_for_killed_transactions(odoo_db.db)
    fetch()  # the third run
    with odoo_db.env() as env:
        log = env["helpdesk.mailgate.log"].search([("message_id", "=", poison_id)])
        assert log.state == "failed", log.error
        assert "interrupted twice" in log.error
        assert log.raw_source
        assert not env["helpdesk.ticket"].search_count(
            [("name", "=", "Matado dos veces")]
        )
        after = env["helpdesk.ticket"].search([("name", "=", "Tras el correo matado")])
        assert len(after) == 1
    assert mailbox.unseen_count() == 0
    matrix.append(
        (
            "Odoo SIGKILL twice",
            {
                "mails": 2,
                "tickets": 1,
                "comments": 0,
                "failed": 1,
                "sent": 0,
                "lost": 0,
                "twice": 0,
            },
        )
    )
