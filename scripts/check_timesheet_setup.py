# ruff: noqa: F821 (``env`` is the shell's)
# Run by scripts/check-timesheet-setups.sh inside `odoo shell` (``env`` is
# given): one ticket and one agent's follow-up through the real gateway
# (message_process), then the check that the follow-up made a timesheet line
# (CHECK=with) or a work unit only (CHECK=without). Committed, so that the
# next state (after an upgrade or an uninstall) reads the earlier work units.
import os
import uuid

mode = os.environ["CHECK"]
key = uuid.uuid4().hex[:8]
domain = env["mail.alias.domain"].search([], limit=1) or env[
    "mail.alias.domain"
].create({"name": "check.example.com"})
groups = [
    env.ref("base.group_user").id,
    env.ref("helpdesk_mgmt.group_helpdesk_user").id,
]
if mode == "with":
    groups.append(env.ref("hr_timesheet.group_hr_timesheet_user").id)
agent = env["res.users"].create(
    {
        "name": "Check Agent",
        "login": f"check-{key}",
        "email": f"agent-{key}@{domain.name}",
        "groups_id": [(6, 0, groups)],
    }
)
team = env["helpdesk.ticket.team"].create(
    {
        "name": f"Check {key}",
        "alias_name": f"check-{key}",
        "alias_domain_id": domain.id,
        "user_ids": [(6, 0, agent.ids)],
    }
)
if mode == "with":
    project = env["project.project"].create({"name": f"Check {key}"})
    team.write({"allow_timesheet": True, "default_project_id": project.id})
    env["hr.employee"].create({"name": "Check Agent", "user_id": agent.id})

MAIL = """From: {sender}
To: {to}
Subject: {subject}
Message-ID: <{msg}@check.example.com>
{extra}Date: Mon, 30 Nov 2026 11:00:00 +0100
Content-Type: text/plain; charset=utf-8

{body}
"""
Thread = env["mail.thread"]
Thread.message_process(
    "helpdesk.ticket",
    MAIL.format(
        sender=f"customer-{key}@example.com",
        to=team.alias_email,
        subject=f"Check {key}",
        msg=f"new-{key}",
        extra="",
        body="The mail server is down.",
    ),
)
ticket = env["helpdesk.ticket"].search([("name", "=", f"Check {key}")])
assert len(ticket) == 1, "no ticket"
Thread.message_process(
    "helpdesk.ticket",
    MAIL.format(
        sender=agent.email,
        to=team.alias_email,
        subject=f"Re: Check {key}",
        msg=f"reply-{key}",
        extra=f"In-Reply-To: <new-{key}@check.example.com>\n",
        body="[WORKUNIT]\nTIME_USED: 1h30\n[WORKUNIT]\nServer restarted.",
    ),
)
workunit = ticket.workunit_ids
assert workunit.hours == 1.5, f"work unit: {workunit.mapped('hours')}"
log = env["helpdesk.mailgate.log"].search([("message_id", "like", f"reply-{key}")])
if mode == "with":
    line = ticket.timesheet_ids
    assert len(line) == 1 and line.unit_amount == 1.5, f"lines: {line}"
    assert line.name == "Server restarted.", line.name
    assert workunit.timesheet_line_id == line.id, "work unit not linked"
    assert ticket.total_hours == 1.5 and ticket.time_used == 1.5
else:
    assert not workunit.timesheet_line_id, "a timesheet line without the module"
    assert log.commands == "Work unit: 1.5 h", log.commands
    # Work units linked to lines before helpdesk_mgmt_timesheet was uninstalled
    # still read, their lines with them while the timesheet app stays.
    earlier = env["helpdesk.ticket.workunit"].search([("timesheet_line_id", "!=", 0)])
    names = earlier.mapped("timesheet_line_name")
    print(f"earlier linked work units: {len(earlier)}, shown: {names}")
print(f"CHECK OK: {mode} timesheets: {log.commands!r}")
env.cr.commit()
