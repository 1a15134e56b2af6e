# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Odoo serving one database over HTTP on loopback, in a subprocess, for the
end-to-end tier: the MTA gateway program and the crash tests talk to it,
stop it and kill it."""

import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

from .common import free_port


class OdooServer:
    """Odoo serving ``db`` over HTTP on 127.0.0.1 (a separate process, no
    cron thread), for Odoo's external API."""

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
        self.port = self.port or free_port()
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
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
