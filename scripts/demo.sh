#!/usr/bin/env bash
# The demo: a database with the addon and its demo data (two teams with their
# queues, an agent, a customer), the sample mails of demo/mails/*.eml pushed
# through Odoo's real mail gateway, mail servers on loopback (an SMTP server
# any mail client can send to, and the Dovecot IMAP mailbox that Odoo fetches
# every minute: scripts/demo_mail.py), and Odoo serving on 127.0.0.1:8069.
#   MAILGATE_DEMO_DB        database name (mailgate_demo)
#   MAILGATE_DEMO_PORT      HTTP port (8069)
#   MAILGATE_DEMO_SMTP_PORT SMTP port for your mail client (2525)
#   MAILGATE_DEMO_IMAP_PORT IMAP port of the helpdesk mailbox (11143)
source "$(dirname "$0")/lib.sh"

DB="${MAILGATE_DEMO_DB:-mailgate_demo}"
PORT="${MAILGATE_DEMO_PORT:-8069}"
SMTP_PORT="${MAILGATE_DEMO_SMTP_PORT:-2525}"
IMAP_PORT="${MAILGATE_DEMO_IMAP_PORT:-11143}"

bash "$REPO/scripts/setup.sh"
# The demo database stays; the cluster stops with the demo if the demo
# started it (and no test run of this checkout still uses it).
use_postgres keep

installed() {
    "$PY" - "$ODOO_CONF" "$DB" <<'PY' 2>/dev/null
import sys
import odoo
from odoo.tools import config
config.parse_config(["-c", sys.argv[1]])
with odoo.sql_db.db_connect(sys.argv[2]).cursor() as cr:
    cr.execute("SELECT 1 FROM ir_module_module WHERE name = %s AND state = 'installed'",
               ["helpdesk_mgmt_mailgate"])
    sys.exit(0 if cr.fetchone() else 1)
PY
}

if installed; then
    say "updating $ADDON in the demo database $DB"
    "$PY" -m odoo -c "$ODOO_CONF" -d "$DB" -u "$ADDON" --stop-after-init --log-level=warn \
        || die "the addon did not update in $DB: see the messages above."
else
    say "creating the demo database $DB with demo data (about a minute)"
    "$PY" -m odoo -c "$ODOO_CONF" -d "$DB" -i "$ADDON" --stop-after-init --log-level=warn \
        || die "the addon did not install in $DB: see the messages above."
fi

say "pushing demo/mails/*.eml through the mail gateway"
"$PY" "$REPO/scripts/push_mails.py" -c "$ODOO_CONF" -d "$DB" "$REPO"/demo/mails/*.eml \
    || say "some sample mails failed: see above"

mail_note="  Mail servers             not started: Dovecot cannot be had (apt-get install dovecot-imapd)"
if [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null || { can_install_debian_packages && apt_install dovecot-imapd; }; then
    say "starting the demo mail servers (SMTP 127.0.0.1:$SMTP_PORT, IMAP 127.0.0.1:$IMAP_PORT)"
    mkdir -p "$RUN/demo-mail"
    "$PY" "$REPO/scripts/demo_mail.py" "$ODOO_CONF" "$DB" "$SMTP_PORT" "$IMAP_PORT" \
        > "$RUN/demo-mail/servers.log" 2>&1 &
    mail_pid=$!
    on_exit 'kill "$mail_pid" 2>/dev/null'
    for _ in $(seq 60); do
        grep -q "ready" "$RUN/demo-mail/servers.log" 2>/dev/null && break
        kill -0 "$mail_pid" 2>/dev/null || die "the demo mail servers did not start: see $RUN/demo-mail/servers.log"
        sleep 1
    done
    mail_note="  Send mail                with any client through SMTP 127.0.0.1:$SMTP_PORT (no login, no TLS)
                           to soporte@helpdesk.example.com or engineering@helpdesk.example.com:
                           it lands in the helpdesk IMAP mailbox (127.0.0.1:$IMAP_PORT, user
                           mailgate / e2e-secret) and Odoo fetches it within a minute.
  Odoo's answers           are kept in $RUN/demo-mail/outbox/*.eml
                           (and listed in $RUN/demo-mail/servers.log)."
fi

cat <<TXT

  Odoo serves the demo on  http://127.0.0.1:$PORT/odoo/action-helpdesk_mgmt.helpdesk_ticket_action
  Log in as                admin / admin      (or the agent: operador / operador)
  Look at                  Helpdesk > Tickets: "Problema con los servidores." (queue Soporte,
                           owner Olga Operadora, myboss@company.com following, screen1.png
                           attached), the VPN ticket of a new portal user (queue Engineering),
                           one ticket for a mail sent to both queues;
                           Helpdesk > Configuration > Teams > Email tab: each queue's defaults;
                           Helpdesk > Configuration > Mail Log: every mail and its outcome
                           (the mail to no queue is there as ignored).
$mail_note
  Push a mail file         .venv/bin/python scripts/push_mails.py -c $ODOO_CONF -d $DB FILE.eml
  Stop                     Ctrl-C

TXT
"$PY" -m odoo -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" \
    --http-interface=127.0.0.1 --http-port="$PORT" --log-level=info
