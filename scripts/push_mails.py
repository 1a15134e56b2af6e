"""Push raw mails through Odoo's real mail gateway, as a helpdesk fetchmail
server does: ``mail.thread.message_process`` with ``helpdesk.ticket`` as the
fallback model. Each mail is committed on its own, so one bad mail does not
stop the others.

Usage: python scripts/push_mails.py -c ODOO_CONF -d DATABASE MAIL.eml...
"""

import argparse
import email
import sys
from pathlib import Path

import odoo
from odoo.tools import config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("mails", nargs="+", type=Path)
    args = parser.parse_args(argv)
    config.parse_config(["-c", str(args.config), "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    failures = 0
    for path in args.mails:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            raw = path.read_bytes()
            message_id = email.message_from_bytes(raw).get("Message-ID", "").strip()
            if message_id and (
                env["mail.message"].search_count([("message_id", "=", message_id)])
                or env["helpdesk.mailgate.log"].search_count(
                    [("message_id", "=", message_id)]
                )
            ):
                print(f"  {path.name}: already processed ({message_id})")
                continue
            try:
                ticket_id = env["mail.thread"].message_process("helpdesk.ticket", raw)
            except Exception as error:  # reported per mail, the next one goes on
                cr.rollback()
                failures += 1
                print(f"  {path.name}: FAILED: {error}")
                continue
            ticket = env["helpdesk.ticket"].browse(ticket_id or [])
            outcome = ticket and f"ticket {ticket.number} {ticket.name!r}"
            print(f"  {path.name}: {outcome or 'no ticket (see the mail log)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
