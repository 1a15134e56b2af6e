# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Odoo databases for the end-to-end tier and the benchmarks.

:func:`install` and :func:`drop` run Odoo's command line in a subprocess (the
caller need not load Odoo: the benchmark's orchestrator never does);
:func:`load_config` and :class:`OdooDatabase` open a database in this process
with real, committing cursors (as ``scripts/push_mails.py`` and Odoo's crons
do).
"""

import contextlib
import functools
import subprocess
import sys
import time
from pathlib import Path


class InstallError(RuntimeError):
    """Installing modules in a new database failed; the message holds the
    end of the log, :attr:`log_path` the whole of it."""

    def __init__(self, message, log_path):
        super().__init__(message)
        self.log_path = log_path


def _odoo(*args):
    """The command line of Odoo run by this Python (the project's venv)."""
    return [sys.executable, "-m", "odoo", *map(str, args)]


def install(odoo_conf, db, modules, log_path, timeout=None):
    """Install ``modules`` (comma-separated) without demo data in a new
    database ``db``, in a separate Odoo process, as ``scripts/test.sh`` does.

    :param log_path: where Odoo's output goes (its folder is made)
    :param timeout: seconds allowed (None: no limit)
    :return: the seconds the installation took
    :raises InstallError: when the installation fails
    """
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("wb") as log:
        done = subprocess.run(
            _odoo(
                "-c",
                odoo_conf,
                "-d",
                db,
                "-i",
                modules,
                "--without-demo=all",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
            ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if done.returncode:
        tail = log_path.read_text(errors="replace")[-4000:]
        raise InstallError(
            f"installing {modules} in {db} failed (status {done.returncode}, "
            f"log {log_path}):\n{tail}",
            log_path,
        )
    return time.perf_counter() - started


def drop(odoo_conf, db):
    """Drop ``db`` and its filestore (``odoo db drop``, in a subprocess).

    :return: None, or why it could not be dropped
    """
    done = subprocess.run(
        _odoo("db", "-c", odoo_conf, "drop", db),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if not done.returncode:
        return None
    return done.stderr.strip()[-300:] or f"odoo db drop exited with {done.returncode}"


def load_config(odoo_conf, *options):
    """Configure the in-process Odoo from ``odoo_conf`` (and any more
    command-line ``options``, such as ``--log-level=warn``); return ``odoo``."""
    import odoo
    from odoo.tools import config

    config.parse_config(["-c", str(odoo_conf), *options])
    return odoo


class OdooDatabase:
    """A database opened in this process (:func:`load_config` first); its
    registry is loaded on first use."""

    def __init__(self, odoo, db):
        self.odoo = odoo
        self.db = db

    @functools.cached_property
    def registry(self):
        return self.odoo.modules.registry.Registry(self.db)

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
