# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Development tools of helpdesk_mgmt_mailgate: real servers on loopback,
Odoo databases for the end-to-end tier and the benchmark, hostile inputs.

Dev only: installed editable into the project's virtualenv by
``scripts/setup.sh`` (``pip install -e devtools``), used by the end-to-end
tier (``tests/e2e``), the benchmark (``bench/``), the demo
(``scripts/demo_mail.py``) and the pure tier (``tests/test_unit_adversarial.py``).
The addon never imports it (ruff's TID251 forbids it outside those folders),
and nothing here is imported by this ``__init__``: each module is imported
for what it holds, so the pure tier needs neither Odoo nor aiosmtpd.

Modules:

* :mod:`.common`: what the servers share (free ports, waiting for a port,
  the private folders under ``TMPDIR`` of servers that drop privileges);
* :mod:`.dovecot`: a private Dovecot IMAP server and its mailbox;
* :mod:`.postfix`: a private Postfix instance piping mail into a command;
* :mod:`.smtp_sink`: an aiosmtpd SMTP server keeping every message;
* :mod:`.odoo_db`: Odoo databases: install in a subprocess, drop, open in
  this process;
* :mod:`.odoo_server`: Odoo serving a database over HTTP in a subprocess;
* :mod:`.hostile`: inputs made to hurt, for the pure layer's functions.
"""
