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


class OdooServer:
    """Odoo serving the test database over HTTP on 127.0.0.1 (a separate
    process, no cron thread), for Odoo's external API: the MTA gateway
    program and the crash tests talk to it, stop it and kill it."""

    def __init__(self, odoo_conf, db, log_path):
        self.odoo_conf, self.db = str(odoo_conf), db
        self.log_path = Path(log_path)
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=120):
        """Start Odoo and wait until it answers its XML-RPC ``version``."""
        import socket
        import time
        import xmlrpc.client

        if self.port is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                self.odoo_conf,
                "-d",
                self.db,
                f"--db-filter=^{self.db}$",
                "--http-interface=127.0.0.1",
                f"--http-port={self.port}",
                "--max-cron-threads=0",
                "--workers=0",
                "--log-level=info",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Odoo exited with {self.process.returncode}: see {self.log_path}"
                )
            try:
                xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").version()
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"Odoo did not answer in {timeout} s: see {self.log_path}")

    def stop(self):
        """Stop Odoo as an administrator does (SIGTERM)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        """Kill Odoo at once (SIGKILL): a crash, an OOM kill."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def object(self):
        import xmlrpc.client

        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
