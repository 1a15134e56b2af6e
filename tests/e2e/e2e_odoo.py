# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The Odoo side of the end-to-end tier: a fresh database with the addon,
reached through Odoo's API in the test process with real, committing cursors
(as ``scripts/push_mails.py`` and Odoo's crons do)."""

import contextlib
import subprocess
import sys
from pathlib import Path

ADDON = "helpdesk_mgmt_mailgate"


def create_database(odoo_conf, db, log_path):
    """Install the addon without demo data in a new database ``db``, in a
    separate Odoo process, as ``scripts/test.sh`` does.

    :raises RuntimeError: when the installation fails (log in ``log_path``)
    """
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                str(odoo_conf),
                "-d",
                db,
                "-i",
                ADDON,
                "--without-demo=all",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=600,
            check=False,
        )
    if done.returncode:
        tail = log_path.read_text(errors="replace")[-4000:]
        raise RuntimeError(
            f"installing {ADDON} in {db} failed (status {done.returncode}, "
            f"log {log_path}):\n{tail}"
        )


def load_config(odoo_conf):
    """Configure the in-process Odoo from ``odoo_conf`` and return ``odoo``."""
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", str(odoo_conf)])
    return odoo


class OdooDatabase:
    """The test database, opened in this process."""

    def __init__(self, odoo, db):
        self.odoo = odoo
        self.db = db
        self.registry = odoo.modules.registry.Registry(db)

    @contextlib.contextmanager
    def env(self, uid=None, context=None):
        """An environment on a new cursor, committed when the block ends
        without error and rolled back otherwise.

        :param uid: the user (default: the superuser)
        """
        odoo = self.odoo
        with self.registry.cursor() as cr:
            yield odoo.api.Environment(
                cr, uid or odoo.SUPERUSER_ID, dict(context or {})
            )

    def drop(self):
        """Close this process's connections and drop the database."""
        from odoo.service import db as db_service

        db_service.exp_drop(self.db)
