"""A second Odoo process for tests/test_concurrency.py: it loads the registry
of a database, says ``ready``, waits for ``go`` on its standard input, then
pushes one raw mail (read from a file) through the mail gateway as Odoo's
mailgate script does over XML-RPC: ``message_process`` under Odoo's RPC
retry loop (``odoo.service.model.retrying``), which commits.

Usage: python concurrency_worker.py ODOO_CONF DATABASE MAIL_FILE
"""

import sys
from functools import partial

import odoo
from odoo.service.model import retrying
from odoo.tools import config


def main(conf, database, mail_file):
    # The serialization failure that the retry answers is expected here.
    config.parse_config(
        [
            "-c",
            conf,
            "-d",
            database,
            "--log-level=warn",
            "--log-handler=odoo.sql_db:CRITICAL",
        ]
    )
    registry = odoo.modules.registry.Registry(database)
    raw = open(mail_file, "rb").read()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["res.partner"].search([], limit=1)  # warm up the connection
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.readline()
        retrying(partial(env["mail.thread"].message_process, None, raw), env)
    sys.stdout.write("done\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
