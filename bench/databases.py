"""The benchmark's two databases: creating, setting up, checking, dropping.

``create_database`` and ``drop_database`` run Odoo's command line in a
subprocess (``mailgate_devtools.odoo_db``, which the end-to-end tier uses
too; the orchestrator never loads Odoo); the other functions run inside a
worker, in one database.
"""

import sys
from pathlib import Path

from mailgate_devtools import odoo_db

from .scenarios import AGENT, ALIAS_DOMAIN, CUSTOMER, OTHER_ALIAS, TEAMS

REPO = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mgmt_mailgate"
BASE = "helpdesk_mgmt"
# database key -> the module installed in it
MODULES = {"alone": BASE, "addon": ADDON}


def create_database(config_path, database, module):
    """Install ``module`` without demo data in a new database; return the
    seconds it took. The log goes to ``.run/<database>-install.log``."""
    log = REPO / ".run" / f"{database}-install.log"
    try:
        return odoo_db.install(config_path, database, module, log)
    except odoo_db.InstallError:
        sys.exit(f"bench: installing {module} in {database} failed: see {log}")


def drop_database(config_path, database):
    """Drop ``database`` and its filestore; say so when it cannot be done."""
    why = odoo_db.drop(config_path, database)
    if why:
        print(f"==> could not drop {database}: {why}", file=sys.stderr)


def odoo_registry(config_path, database):
    """Odoo configured from ``config_path`` and the registry of ``database``."""
    odoo = odoo_db.load_config(config_path, "-d", database, "--log-level=warn")
    odoo.netsvc.init_logger()
    return odoo_db.OdooDatabase(odoo, database).registry


def gateway_env(cr):
    """The environment mail is processed in: superuser, as fetchmail. Outgoing
    notifications are queued, not sent (no SMTP server in the benchmark);
    composing them is measured."""
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {"mail_notify_force_send": False})


def set_up(env):
    """The same set-up in both databases, nothing addon-specific: the alias
    domain, two teams with their queues, an agent in both, the known
    customer's contact and another application's alias."""
    from odoo import Command

    # Odoo's loop protection ignores a sender's new-record mails beyond 20 in
    # 120 minutes ("created too many"): the benchmark's customer sends
    # thousands. The check itself still runs (and is measured) for every mail.
    env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 10**9)
    if env["helpdesk.ticket.team"].search([("name", "in", [t[0] for t in TEAMS])]):
        return
    domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
    env.company.alias_domain_id = domain
    agent = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": AGENT[0],
                "email": AGENT[1],
                "login": AGENT[2],
                "groups_id": [
                    Command.set(
                        [
                            env.ref("base.group_user").id,
                            env.ref("helpdesk_mgmt.group_helpdesk_user").id,
                        ]
                    )
                ],
            }
        )
    )
    env["res.partner"].create({"name": CUSTOMER[0], "email": CUSTOMER[1]})
    for name, alias in TEAMS:
        env["helpdesk.ticket.team"].create(
            {
                "name": name,
                "alias_name": alias,
                "alias_domain_id": domain.id,
                "user_ids": [Command.set(agent.ids)],
            }
        )
    env["mail.alias"].create(
        {
            "alias_name": OTHER_ALIAS[0],
            "alias_model_id": env["ir.model"]._get_id(OTHER_ALIAS[1]),
            "alias_domain_id": domain.id,
            "alias_contact": "everyone",
        }
    )


def checks(env):
    """Counts after the scenarios, so that a run where the commands silently
    did nothing, or mail went astray, shows."""
    Ticket = env["helpdesk.ticket"]
    workunits = env.get("helpdesk.ticket.workunit")
    return {
        "tickets": Ticket.search_count([]),
        "tickets at priority High": Ticket.search_count([("priority", "=", "2")]),
        "tickets of an unknown sender with a contact": Ticket.search_count(
            [("partner_id.email", "=like", "%@unknown.bench.example.com")]
        ),
        "messages on tickets": env["mail.message"].search_count(
            [("model", "=", "helpdesk.ticket")]
        ),
        "work units": "—" if workunits is None else workunits.search_count([]),
        "work unit hours": (
            "—" if workunits is None else sum(workunits.search([]).mapped("hours"))
        ),
        "contacts made by the other app's alias": env["res.partner"].search_count(
            [("name", "=like", "Contact request %")]
        ),
        "queued outgoing mails": env["mail.mail"].search_count([]),
    }


def versions(env):
    """PostgreSQL's and Odoo's versions, and the benchmarked modules'."""
    import odoo.release

    env.cr.execute("SHOW server_version")
    postgresql = env.cr.fetchone()[0]
    modules = env["ir.module.module"].search(
        [("name", "in", [BASE, ADDON]), ("state", "=", "installed")]
    )
    return {
        "postgresql": postgresql,
        "modules": {m.name: m.latest_version for m in modules},
        "odoo": odoo.release.version,
    }
