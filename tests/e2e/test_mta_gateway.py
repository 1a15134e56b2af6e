# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The MTA way in: ``bin/helpdesk_mailgate.py`` called with a mail on its
standard input, alone and as a real Postfix's pipe transport.

Never a bounce because Odoo was down: the program exits 75 (EX_TEMPFAIL),
the MTA keeps the mail, and once Odoo is back the mail becomes one ticket.
"""

import os
import pwd
import shutil
import subprocess
import sys
from email.utils import formataddr

import pytest
from conftest import ALIAS_DOMAIN, REPO, WORK_DIR
from e2e_mails import make_mail, new_message_id
from mailgate_devtools.postfix import Postfix, find_postfix

PROGRAM = REPO / "bin" / "helpdesk_mailgate.py"
EX_TEMPFAIL = 75


def _mail(helpdesk, subject):
    message_id = new_message_id("customer.example.com")
    raw = make_mail(
        formataddr(("Carla Cliente", helpdesk.customer_email)),
        helpdesk.queue,
        subject,
        "Llega por el MTA.\n",
        message_id=message_id,
    )
    return raw, message_id


def _run(odoo_server, gateway_user, raw, key_file=None):
    return subprocess.run(
        [
            sys.executable,
            str(PROGRAM),
            "--url",
            odoo_server.url,
            "--database",
            odoo_server.db,
            "--user",
            gateway_user.login,
            "--api-key-file",
            str(key_file or gateway_user.key_file),
            "--timeout",
            "60",
        ],
        input=raw,
        capture_output=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")},
    )


def _tickets(odoo_db, subject):
    with odoo_db.env() as env:
        return len(env["helpdesk.ticket"].search([("name", "=", subject)]))


def test_program_processes_and_defers(
    odoo_db, helpdesk, odoo_server, gateway_user, tmp_path
):
    """Exit 0 with a ticket when Odoo takes the mail; 75 and a reason on
    standard error when the key is wrong or Odoo is down, and no ticket; the
    same mail once Odoo is back: exactly one ticket."""
    subject = "Por el programa del MTA"
    raw, __ = _mail(helpdesk, subject)
    done = _run(odoo_server, gateway_user, raw)
    assert done.returncode == 0, done.stderr
    assert _tickets(odoo_db, subject) == 1

    wrong_key = tmp_path / "wrong.key"
    wrong_key.write_text("not-the-key\n")
    refused_subject = "Con una clave equivocada"
    refused_raw, __ = _mail(helpdesk, refused_subject)
    done = _run(odoo_server, gateway_user, refused_raw, key_file=wrong_key)
    assert done.returncode == EX_TEMPFAIL, done
    assert b"deferred" in done.stderr and b"API key" in done.stderr, done.stderr
    assert _tickets(odoo_db, refused_subject) == 0

    down_subject = "Mientras Odoo está parado"
    down_raw, __ = _mail(helpdesk, down_subject)
    odoo_server.stop()
    try:
        done = _run(odoo_server, gateway_user, down_raw)
        assert done.returncode == EX_TEMPFAIL, done
        assert b"cannot reach Odoo" in done.stderr, done.stderr
    finally:
        odoo_server.start()
    assert _tickets(odoo_db, down_subject) == 0
    for __ in range(2):  # the MTA retries; a second delivery changes nothing
        done = _run(odoo_server, gateway_user, down_raw)
        assert done.returncode == 0, done.stderr
    assert _tickets(odoo_db, down_subject) == 1


def _postfix_unavailable():
    if os.geteuid() != 0:
        return "Postfix's master program runs only as root"
    if not find_postfix():
        return "Debian's postfix is not installed (scripts/test-e2e.sh installs it)"
    if not shutil.which("python3", path="/usr/bin:/bin"):
        return "no system python3 for the unprivileged pipe user"
    return None


@pytest.fixture
def postfix(odoo_server, gateway_user):
    """A private Postfix piping mail for the test alias domain into the
    gateway program, installed as an administrator would: the program and
    the key in a folder of their own, the key readable by the pipe user
    only."""
    reason = _postfix_unavailable()
    if reason:
        if os.environ.get("MAILGATE_E2E_REQUIRED") == "1" and os.geteuid() == 0:
            pytest.fail(reason)
        pytest.skip(reason)
    server = Postfix(WORK_DIR / "postfix", ALIAS_DOMAIN)
    root = server.prepare()
    (root / "bin").mkdir()
    program = root / "bin" / PROGRAM.name
    shutil.copy(PROGRAM, program)
    program.chmod(0o755)
    key_file = root / "mailgate.key"
    shutil.copy(gateway_user.key_file, key_file)
    nobody = pwd.getpwnam("nobody")
    os.chown(key_file, nobody.pw_uid, nobody.pw_gid)
    key_file.chmod(0o400)
    server.start(
        [
            shutil.which("python3", path="/usr/bin:/bin"),
            str(program),
            f"--url={odoo_server.url}",
            f"--database={odoo_server.db}",
            f"--user={gateway_user.login}",
            f"--api-key-file={key_file}",
        ]
    )
    yield server
    server.stop()


def test_postfix_pipe_defers_while_odoo_is_down(
    odoo_db, helpdesk, odoo_server, postfix
):
    """SMTP into Postfix, its pipe into the program: a ticket. The same way
    while Odoo is stopped, the mail is deferred by Postfix (kept in its
    queue, not bounced); once Odoo is back and the queue flushed, it
    becomes exactly one ticket."""
    subject = "Entra por Postfix"
    raw, __ = _mail(helpdesk, subject)
    postfix.send(raw, helpdesk.customer_email, [helpdesk.queue])
    postfix.wait(lambda log: "status=sent" in log)
    assert _tickets(odoo_db, subject) == 1

    down_subject = "Entra por Postfix con Odoo parado"
    down_raw, __ = _mail(helpdesk, down_subject)
    odoo_server.stop()
    try:
        postfix.send(down_raw, helpdesk.customer_email, [helpdesk.queue])
        postfix.wait(lambda log: "status=deferred" in log)
        assert "status=bounced" not in postfix.log_text()
        assert len(postfix.queue()) == 1, postfix.queue()
    finally:
        odoo_server.start()
    assert _tickets(odoo_db, down_subject) == 0
    postfix.flush()
    postfix.wait(lambda log: log.count("status=sent") >= 2)
    assert postfix.queue() == []
    assert _tickets(odoo_db, down_subject) == 1
    assert "status=bounced" not in postfix.log_text()
