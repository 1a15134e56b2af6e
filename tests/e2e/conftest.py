# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fixtures of the end-to-end tier: real Dovecot IMAP and SMTP servers on
loopback, a fresh Odoo database with the addon, and the helpdesk set up in it
as an administrator would (alias domain, team queue, agent, outgoing and
incoming mail servers); Odoo serving it over HTTP for the MTA gateway program
and the crash tests; a private Postfix (as root).

The servers and the database helpers are the project's dev tools,
``mailgate_devtools`` (``devtools/``, installed into the venv by
``scripts/setup.sh``), which the demo and the benchmark use too.

This folder is a pytest tier of its own, run by ``scripts/test-e2e.sh`` with
``--rootdir`` and ``--confcutdir tests/e2e`` (without the latter, pytest
would set up the repository root and ``tests/`` as packages, importing the
addon outside ``odoo.addons``). It has no ``__init__.py``: pytest imports
these modules by their file names, never through the addon's ``tests``
package (whose ``__init__`` imports Odoo test modules), and Odoo's test
runner, which only sees what ``tests/__init__.py`` imports, never collects
it.

Environment:
  MAILGATE_ODOO_CONF     Odoo configuration (default .run/odoo.conf)
  MAILGATE_E2E_SKIP      a reason: skip every test with it (set by the script
                         when Dovecot cannot be had)
  MAILGATE_E2E_REQUIRED  1: a missing Dovecot fails instead of skipping
  KEEP_DB                1: keep the test database
  MAILGATE_E2E_PG_CTL    pg_ctl of the local cluster, MAILGATE_E2E_PGDATA its
                         data folder (set by the script; without them the
                         PostgreSQL restart test is skipped)
"""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from mailgate_devtools.dovecot import Dovecot, find_dovecot
from mailgate_devtools.odoo_db import OdooDatabase, install, load_config
from mailgate_devtools.odoo_server import OdooServer
from mailgate_devtools.smtp_sink import SmtpSink

REPO = Path(__file__).resolve().parents[2]
WORK_DIR = REPO / ".run" / "e2e"

ADDON = "helpdesk_mgmt_mailgate"
MATRIX = []  # (scenario, expected, found) rows printed at the end

ALIAS_DOMAIN = "e2e.example.com"
QUEUE_NAME = "soporte"
QUEUE = f"{QUEUE_NAME}@{ALIAS_DOMAIN}"
AGENT_EMAIL = "olga.operadora@staff.example.com"
CUSTOMER_EMAIL = "carla.cliente@customer.example.com"
ADMIN_PASSWORD = "e2e-admin"


def _required():
    return os.environ.get("MAILGATE_E2E_REQUIRED") == "1"


def _addon_packages_imported():
    """Modules imported from the addon's own ``__init__.py`` files under a
    name other than ``odoo.addons.*`` (as pytest does for a package above
    the tier's folder: it would import the addon's Odoo test modules)."""
    inits = {REPO / "__init__.py", REPO / "tests" / "__init__.py"}
    return [
        name
        for name, module in list(sys.modules.items())
        if getattr(module, "__file__", None)
        and Path(module.__file__).resolve() in inits
        and not name.startswith("odoo.addons.")
    ]


@pytest.fixture(autouse=True)
def _tier_isolated():
    """Fail early and clearly when pytest imported the addon's packages."""
    imported = _addon_packages_imported()
    if imported:
        pytest.fail(
            f"pytest imported {imported}: run this tier with --rootdir and "
            "--confcutdir tests/e2e (see scripts/test-e2e.sh)."
        )


def pytest_collection_modifyitems(session, config, items):
    """Skip the whole tier with the script's reason when Dovecot is missing."""
    reason = os.environ.get("MAILGATE_E2E_SKIP")
    if reason:
        if _required():
            raise pytest.UsageError(f"MAILGATE_E2E_REQUIRED=1 but {reason}")
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def dovecot():
    """A private Dovecot IMAP server on 127.0.0.1, stopped at the end."""
    binary = find_dovecot()
    if not binary:
        reason = (
            "Dovecot (Debian's dovecot-imapd) is not installed: "
            "run scripts/test-e2e.sh, which installs it when allowed."
        )
        if _required():
            pytest.fail(reason)
        pytest.skip(reason)
    server = Dovecot(binary, WORK_DIR / "dovecot").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mailbox(dovecot):
    return dovecot.mailbox()


@pytest.fixture(scope="session")
def smtp_sink():
    """An SMTP server on 127.0.0.1 keeping every message, stopped at the end."""
    sink = SmtpSink(WORK_DIR / "smtp").start()
    yield sink
    sink.stop()


def pytest_terminal_summary(terminalreporter):
    """Print the crash and outage matrix with its counts."""
    if not MATRIX:
        return
    terminalreporter.section("crashes and outages: every mail exactly once")
    width = max(len(row[0]) for row in MATRIX)
    terminalreporter.write_line(
        f"{'scenario'.ljust(width)}  mails  tickets  comments  failed  sent  "
        "lost  twice  result"
    )
    for scenario, counts in MATRIX:
        terminalreporter.write_line(
            f"{scenario.ljust(width)}  {counts['mails']:5}  {counts['tickets']:7}  "
            f"{counts['comments']:8}  {counts['failed']:6}  {counts['sent']:4}  "
            f"{counts['lost']:4}  {counts['twice']:5}  "
            + ("ok" if not counts["lost"] and not counts["twice"] else "FAILED")
        )


@pytest.fixture(scope="session")
def matrix():
    """Rows of the crash and outage matrix: ``(scenario, counts)``."""
    return MATRIX


def _odoo_conf():
    return Path(os.environ.get("MAILGATE_ODOO_CONF", REPO / ".run" / "odoo.conf"))


@pytest.fixture(scope="session")
def odoo_db():
    """A fresh database with the addon installed (no demo data), opened in
    this process, dropped at the end (unless KEEP_DB=1)."""
    odoo_conf = _odoo_conf()
    if not odoo_conf.exists():
        pytest.fail(f"no Odoo configuration {odoo_conf}: run scripts/postgres.sh.")
    db = f"mailgate_e2e_{os.getpid()}"
    install(odoo_conf, db, ADDON, WORK_DIR / "odoo-install.log", timeout=600)
    database = OdooDatabase(load_config(odoo_conf), db)
    yield database
    if os.environ.get("KEEP_DB") != "1":
        database.drop()


@dataclass(frozen=True)
class Helpdesk:
    """The records of the helpdesk set up for the tier (ids, in the test
    database)."""

    team_id: int
    agent_id: int
    agent_partner_id: int
    fetchmail_server_id: int
    mail_server_id: int
    queue: str = QUEUE
    agent_email: str = AGENT_EMAIL
    customer_email: str = CUSTOMER_EMAIL
    admin_password: str = ADMIN_PASSWORD


@pytest.fixture(scope="session")
def helpdesk(odoo_db, dovecot, smtp_sink):
    """Set up the helpdesk as an administrator would, through Odoo's API:
    an alias domain, a team with its queue, an agent, the SMTP sink as
    outgoing server and the Dovecot mailbox as a confirmed helpdesk incoming
    mail server."""
    with odoo_db.env() as env:
        alias_domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = alias_domain
        agent = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Olga Operadora",
                    "login": "olga",
                    "email": AGENT_EMAIL,
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("base.group_user").id,
                                env.ref("helpdesk_mgmt.group_helpdesk_user_team").id,
                            ],
                        )
                    ],
                }
            )
        )
        team = env["helpdesk.ticket.team"].create(
            {
                "name": "Soporte",
                "alias_name": QUEUE_NAME,
                "alias_domain_id": alias_domain.id,
                "user_ids": [(6, 0, agent.ids)],
            }
        )
        assert team.alias_email == QUEUE, team.alias_email
        mail_server = env["ir.mail_server"].create(
            {
                "name": "E2E SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_sink.port,
                "smtp_encryption": "none",
                "smtp_authentication": "login",
                "sequence": 1,
            }
        )
        fetchmail = env["fetchmail.server"].create(
            {
                **dovecot.fetchmail_values("E2E Dovecot"),
                "object_id": env["ir.model"]._get_id("helpdesk.ticket"),
            }
        )
        fetchmail.button_confirm_login()
        assert fetchmail.state == "done"
        env.ref("base.user_admin").password = ADMIN_PASSWORD
        return Helpdesk(
            team_id=team.id,
            agent_id=agent.id,
            agent_partner_id=agent.partner_id.id,
            fetchmail_server_id=fetchmail.id,
            mail_server_id=mail_server.id,
        )


@pytest.fixture(scope="session")
def fetch(odoo_db, helpdesk):
    """Run the helpdesk fetchmail server once, as its cron does."""

    def fetch_once():
        with odoo_db.env() as env:
            env["fetchmail.server"].browse(helpdesk.fetchmail_server_id).fetch_mail()

    return fetch_once


@pytest.fixture(scope="session")
def send_queue(odoo_db):
    """Send Odoo's outgoing mail queue, as its cron does."""

    def send():
        with odoo_db.env() as env:
            env["mail.mail"].process_email_queue()

    return send


@pytest.fixture(scope="module")
def scenario():
    """What one step of the round trip hands to the next."""
    return {}


@pytest.fixture(scope="session")
def odoo_server(odoo_db, helpdesk):
    """Odoo serving the test database over HTTP (started, stopped and
    killed by the tests that need it), stopped at the end."""
    server = OdooServer(_odoo_conf(), odoo_db.db, WORK_DIR / "odoo-server.log")
    server.start()
    yield server
    server.stop()


@dataclass(frozen=True)
class Gateway:
    """The MTA gateway's user, as the README sets it up."""

    login: str
    key_file: Path


@pytest.fixture(scope="session")
def gateway_user(odoo_db, helpdesk):
    """A dedicated internal user for the MTA gateway with an API key, kept
    in a file readable by the user the MTA runs the program as."""
    login = "mail-gateway"
    with odoo_db.env() as env:
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Mail gateway",
                    "login": login,
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                env.ref("base.group_user").id,
                                env.ref("helpdesk_mgmt.group_helpdesk_user").id,
                            ],
                        )
                    ],
                }
            )
        )
        key = (
            env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate("rpc", "MTA gateway (e2e)", None)
        )
    key_file = WORK_DIR / "mailgate.key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return Gateway(login=login, key_file=key_file)
