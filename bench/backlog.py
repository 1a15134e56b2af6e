# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Backlog benchmark: a mailbox full of unread mail worked off by the real
fetchmail cron (readme/CONFIGURE.md, Backlogs; bench/README.md).

A private Dovecot (``mailgate_devtools.dovecot``) receives ``mails`` unread
mails for a helpdesk queue (IMAP ``APPEND``); a fresh database with the addon
has a helpdesk fetchmail server on it. Odoo's cron runner
(``ir.cron._process_jobs``, what a cron worker calls) then runs until the
mailbox has no unseen mail: the fetchmail cron takes a bounded batch per run
and triggers itself again while mail remains.

Reported: mails per second over the whole backlog, the number of cron runs,
the longest run (it must stay within the cron time limit), the process's
resident memory after the first and the last run (flat: the growth between
them), its peak (``ru_maxrss``), and whether every mail became one ticket.

    python -m bench.backlog [--mails 5000] [--keep] [--json FILE]

``run_backlog()`` returns the same numbers as a dict, for ``make bench``.
Run it with ``scripts/postgres.sh`` done (it reads ``.run/odoo.conf``) and
Dovecot installed (Debian's ``dovecot-imapd``).
"""

import argparse
import imaplib
import json
import os
import resource
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from pathlib import Path

from mailgate_devtools.dovecot import Dovecot, find_dovecot
from mailgate_devtools.odoo_db import OdooDatabase, load_config

from .databases import create_database

REPO = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mgmt_mailgate"
ALIAS_DOMAIN = "backlog.example.com"
QUEUE = f"support@{ALIAS_DOMAIN}"
WORK_DIR = REPO / ".run" / "bench-backlog"


def _rss_mb():
    """The resident memory of this process now, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _mail(number):
    mail = EmailMessage(policy=SMTP)
    # One sender per mail: Odoo's loop guard ignores a sender's 21st mail within
    # two hours (mail.gateway.loop.threshold), as it should.
    mail["From"] = f"Cliente {number} <cliente{number}@customer.example.com>"
    mail["To"] = QUEUE
    mail["Subject"] = f"Atraso {number:05d}: la impresora no imprime"
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = f"<backlog-{os.getpid()}-{number}@customer.example.com>"
    mail.set_content(
        "Hola,\n\nLa impresora de la segunda planta no imprime desde esta "
        "mañana.\n\nGracias.\n" * 3
    )
    return bytes(mail)


def _fill(dovecot, mails):
    """Deliver ``mails`` unread mails over one IMAP session."""
    imap = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=60)
    imap.login(dovecot.user, dovecot.password)
    try:
        for number in range(mails):
            status, data = imap.append("INBOX", None, None, _mail(number))
            assert status == "OK", data
    finally:
        imap.logout()


def _set_up(database, dovecot):
    """The helpdesk as an administrator sets it up; only the fetchmail cron
    left active, so the runs measure fetching alone."""
    with database.env() as env:
        domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = domain
        env["helpdesk.ticket.team"].create(
            {"name": "Support", "alias_name": "support", "alias_domain_id": domain.id}
        )
        server = env["fetchmail.server"].create(
            {
                **dovecot.fetchmail_values("Backlog mailbox"),
                "object_id": env["ir.model"]._get_id("helpdesk.ticket"),
            }
        )
        server.button_confirm_login()
        cron = env.ref("mail.ir_cron_mail_gateway_action")
        env["ir.cron"].search([("id", "!=", cron.id)]).active = False
        cron.write({"active": True, "nextcall": database.odoo.fields.Datetime.now()})


def _tickets(database):
    with database.env() as env:
        return env["helpdesk.ticket"].search_count([("name", "=like", "Atraso %")])


def run_backlog(mails=5000, odoo_conf=None, keep=False, max_runs=None):
    """Fill a real Dovecot with ``mails`` unread mails and let the fetchmail
    cron work them off.

    :return: dict with ``mails``, ``seconds``, ``mails_per_second``,
        ``cron_runs``, ``longest_run_s``, ``rss_first_run_mb``,
        ``rss_last_run_mb``, ``rss_growth_mb``, ``peak_rss_mb``, ``tickets``,
        ``unseen_left``
    """
    odoo_conf = Path(odoo_conf or REPO / ".run" / "odoo.conf")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    binary = find_dovecot()
    if not binary:
        raise RuntimeError("Dovecot is not installed (apt-get install dovecot-imapd)")
    db = f"bench_backlog_{os.getpid()}"
    create_database(odoo_conf, db, ADDON)
    odoo = load_config(odoo_conf, "--log-level=warn")
    from odoo.addons.base.models.ir_cron import ir_cron

    database = OdooDatabase(odoo, db)
    dovecot = Dovecot(binary, WORK_DIR / "dovecot").start()
    try:
        _set_up(database, dovecot)
        _fill(dovecot, mails)
        mailbox = dovecot.mailbox()
        runs, longest, rss = 0, 0.0, []
        started = time.monotonic()
        max_runs = max_runs or mails  # a stuck cron must end the benchmark
        while mailbox.unseen_count() and runs < max_runs:
            run_started = time.monotonic()
            ir_cron._process_jobs(db)
            longest = max(longest, time.monotonic() - run_started)
            runs += 1
            rss.append(_rss_mb())
        seconds = time.monotonic() - started
        result = {
            "mails": mails,
            "seconds": round(seconds, 1),
            "mails_per_second": round(mails / seconds, 1) if seconds else 0.0,
            "cron_runs": runs,
            "longest_run_s": round(longest, 1),
            "rss_first_run_mb": round(rss[0], 1) if rss else 0.0,
            "rss_last_run_mb": round(rss[-1], 1) if rss else 0.0,
            "rss_growth_mb": round(rss[-1] - rss[0], 1) if rss else 0.0,
            "peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
            "tickets": _tickets(database),
            "unseen_left": mailbox.unseen_count(),
        }
    finally:
        dovecot.stop()
        if not keep:
            database.drop()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--odoo-conf", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    result = run_backlog(args.mails, odoo_conf=args.odoo_conf, keep=args.keep)
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key.ljust(width)}  {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    complete = result["tickets"] == result["mails"] and not result["unseen_left"]
    if not complete:
        print("backlog NOT worked off: every mail must become one ticket")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
