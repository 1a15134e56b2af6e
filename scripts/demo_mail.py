"""Mail servers for the demo, on loopback: a private Dovecot IMAP mailbox that
the demo database's helpdesk fetchmail server reads, and an SMTP server that
a person's mail client sends to.

Mail for the demo's queues (``@helpdesk.example.com``) is delivered into the
IMAP mailbox, where Odoo's fetchmail cron (every minute in the demo) picks it
up; mail for any other address (Odoo's notifications and answers, the Cc
copies of your own mails) is kept as ``.eml`` files in
``.run/demo-mail/outbox`` and listed as it arrives.

Usage: python scripts/demo_mail.py ODOO_CONF DATABASE SMTP_PORT IMAP_PORT
(run by scripts/demo.sh; stops on SIGTERM or Ctrl-C).
"""

import email
import email.policy
import logging
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller

# The Dovecot server the end-to-end tier uses too: the project's dev tools
# (devtools/, installed into the venv by scripts/setup.sh).
from mailgate_devtools.dovecot import Dovecot, find_dovecot
from mailgate_devtools.odoo_db import OdooDatabase, load_config

REPO = Path(__file__).resolve().parent.parent

QUEUE_DOMAIN = "helpdesk.example.com"
WORK_DIR = REPO / ".run" / "demo-mail"


class Relay:
    """SMTP handler: queue mail into the IMAP mailbox, the rest to files."""

    def __init__(self, mailbox, outbox):
        self.mailbox, self.outbox = mailbox, outbox
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        recipients = [rcpt.lower() for rcpt in envelope.rcpt_tos]
        message = email.message_from_bytes(envelope.content, policy=email.policy.SMTP)
        if any(rcpt.endswith("@" + QUEUE_DOMAIN) for rcpt in recipients):
            self.mailbox.append(envelope.content)
            subject, to = message["Subject"], ", ".join(recipients)
            print(f"  -> helpdesk mailbox: {subject!s} ({to})")
        others = [rcpt for rcpt in recipients if not rcpt.endswith("@" + QUEUE_DOMAIN)]
        if others:
            with self.lock:
                self.count += 1
                path = self.outbox / f"{self.count:03d}.eml"
            path.write_bytes(envelope.content)
            print(f"  <- kept for {', '.join(others)}: {message['Subject']!s} ({path})")
        sys.stdout.flush()
        return "250 Message accepted for delivery"


def configure_odoo(conf, database, smtp_port, dovecot):
    """Point the demo database at these servers: outgoing mail to the SMTP
    server, a helpdesk fetchmail server on the IMAP mailbox, fetched every
    minute."""
    odoo = load_config(conf, "-d", database, "--log-level=warn")
    with OdooDatabase(odoo, database).env() as env:
        values = {
            "name": "Demo SMTP (loopback)",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_encryption": "none",
            "sequence": 1,
        }
        mail_server = env["ir.mail_server"].search([("name", "=", values["name"])])
        if mail_server:
            mail_server.write(values)
        else:
            mail_server.create(values)
        values = {
            **dovecot.fetchmail_values("Demo helpdesk mailbox (loopback IMAP)"),
            "object_id": env["ir.model"]._get_id("helpdesk.ticket"),
        }
        fetchmail = env["fetchmail.server"].search([("name", "=", values["name"])])
        if fetchmail:
            fetchmail.write({**values, "state": "draft"})
        else:
            fetchmail = fetchmail.create(values)
        fetchmail.button_confirm_login()
        env.ref("mail.ir_cron_mail_gateway_action").write(
            {"interval_number": 1, "interval_type": "minutes", "active": True}
        )


def main(conf, database, smtp_port, imap_port):
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
    binary = find_dovecot()
    if not binary:
        sys.exit(
            "demo_mail.py: Dovecot is not installed (apt-get install dovecot-imapd)"
        )
    dovecot = Dovecot(binary, WORK_DIR / "dovecot")
    dovecot.port = int(imap_port)
    dovecot.start()
    outbox = WORK_DIR / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        Relay(dovecot.mailbox(), outbox), hostname="127.0.0.1", port=int(smtp_port)
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stop.set())
    try:
        configure_odoo(conf, database, int(smtp_port), dovecot)
        print("demo mail servers ready", flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        dovecot.stop()


if __name__ == "__main__":
    main(*sys.argv[1:5])
