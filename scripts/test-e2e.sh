#!/usr/bin/env bash
# The end-to-end tier: real servers on loopback, a fresh Odoo database.
#
# A private Dovecot IMAP server and an SMTP sink (aiosmtpd) are started by the
# tests in .run/e2e/; a customer's mail is delivered to the mailbox by IMAP
# APPEND, fetched by Odoo's fetchmail server, answered, and the reply comes
# back the same way. Servers and database are gone at the end.
#   scripts/test-e2e.sh [PYTEST ARGS]
#   MAILGATE_E2E_REQUIRED=1  fail (instead of skipping) when Dovecot cannot be had
#   MAILGATE_NO_APT=1        never install Debian packages
#   MAILGATE_DOVECOT=PATH    the Dovecot binary (default: PATH, /usr/sbin/dovecot)
#   KEEP_DB=1                keep the database mailgate_e2e_<pid>
# The closing line is pytest's summary.
source "$(dirname "$0")/lib.sh"

bash "$REPO/scripts/setup.sh"
bash "$REPO/scripts/postgres.sh"

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
# modules by file name, never through the addon's tests package.
exec "$VENV/bin/pytest" tests/e2e --rootdir "$REPO/tests/e2e" --confcutdir "$REPO/tests/e2e" -c /dev/null \
    -p no:cacheprovider -W ignore::DeprecationWarning -q -rsxX "$@"
