#!/usr/bin/env bash
# The end-to-end tier: real servers on loopback, a fresh Odoo database.
#
# A private Dovecot IMAP server, an SMTP sink (aiosmtpd), Odoo serving the test
# database over HTTP and, as root, a private Postfix are started by the tests
# (mailgate_devtools, in devtools/: in .run/e2e/ or, as root in a checkout the
# servers' unprivileged users cannot reach, a private folder under TMPDIR,
# removed when the server stops); a customer's mail is delivered to
# the mailbox by IMAP APPEND, fetched by Odoo's fetchmail server, answered, and
# the reply comes back the same way; mail comes in through Postfix and the MTA
# gateway program (bin/helpdesk_mailgate.py); crashes and outages (Odoo killed,
# PostgreSQL restarted, the IMAP connection cut, the SMTP server down) end with
# every mail exactly once (the matrix is printed). Servers and database are gone
# at the end, and the project's PostgreSQL cluster too when this run started it.
#   scripts/test-e2e.sh [PYTEST ARGS]
#   MAILGATE_E2E_REQUIRED=1  fail (instead of skipping) when Dovecot cannot be had
#                            (or, as root, Postfix)
#   MAILGATE_NO_APT=1        never install Debian packages
#   MAILGATE_DOVECOT=PATH    the Dovecot binary (default: PATH, /usr/sbin/dovecot)
#   KEEP_DB=1                keep the database mailgate_e2e_<pid>
# Runs as root or as any other user (Postfix needs root: without it its test is
# skipped and says so). The closing line is pytest's summary.
source "$(dirname "$0")/lib.sh"

bash "$REPO/scripts/setup.sh"
use_postgres

# find_dovecot: print the Dovecot binary (MAILGATE_DOVECOT when set, else
# PATH, else /usr/sbin/dovecot), or nothing.
find_dovecot() {
    if [ -n "${MAILGATE_DOVECOT:-}" ]; then
        [ -x "$MAILGATE_DOVECOT" ] && echo "$MAILGATE_DOVECOT"
        return 0
    fi
    command -v dovecot 2>/dev/null || { [ -x /usr/sbin/dovecot ] && echo /usr/sbin/dovecot; } || true
}

skip_reason=
dovecot="$(find_dovecot)"
if [ -z "$dovecot" ]; then
    if can_install_debian_packages; then
        # apt_install dies on failure: keep this script alive to say why.
        (apt_install dovecot-imapd) || true
        dovecot="$(MAILGATE_DOVECOT='' find_dovecot)"
        [ -n "$dovecot" ] || skip_reason="Dovecot could not be installed (apt-get install dovecot-imapd failed), so the end-to-end tier cannot run."
    else
        skip_reason="Dovecot is not installed and cannot be installed here (needs root, apt-get and no MAILGATE_NO_APT=1): install Debian's dovecot-imapd to run the end-to-end tier."
    fi
fi

# Postfix (the MTA gateway's test) runs only as root; Debian's package.
if [ "$(id -u)" = 0 ] && [ ! -x /usr/lib/postfix/sbin/master ]; then
    if can_install_debian_packages; then
        (apt_install postfix) || say "Postfix could not be installed (apt-get install postfix failed): its test will be skipped."
    else
        say "Postfix is not installed (apt-get install postfix): its test will be skipped."
    fi
elif [ "$(id -u)" != 0 ]; then
    say "not root: the Postfix test will be skipped (Postfix's master runs only as root)"
fi

# The local PostgreSQL cluster, for the test that restarts it.
if [ -z "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && export MAILGATE_E2E_PG_CTL="$dir/pg_ctl"
    done
    export MAILGATE_E2E_PGDATA="$(readlink -f "$LOCAL_PGDATA")"
fi

if [ -n "$skip_reason" ]; then
    [ "${MAILGATE_E2E_REQUIRED:-0}" = 1 ] && die "$skip_reason (MAILGATE_E2E_REQUIRED=1)"
    say "end-to-end tier SKIPPED: $skip_reason"
    export MAILGATE_E2E_SKIP="$skip_reason"
else
    export MAILGATE_DOVECOT="$dovecot"
    say "end-to-end tier: Dovecot ($dovecot), SMTP sink and a fresh database"
fi

cd "$REPO"
# --rootdir/--confcutdir tests/e2e and no __init__.py there: pytest imports the tier's
# modules by file name, never through the addon's tests package. Not exec'ed:
# the PostgreSQL release runs when this script ends.
"$VENV/bin/pytest" tests/e2e --rootdir "$REPO/tests/e2e" --confcutdir "$REPO/tests/e2e" -c /dev/null \
    -p no:cacheprovider -W ignore::DeprecationWarning -q -rsxX "$@"
