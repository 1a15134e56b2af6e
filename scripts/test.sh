#!/usr/bin/env bash
# The tests, each tier doing its own set-up first.
#   scripts/test.sh unit   the pure tier: plain pytest, no Odoo, no database
#   scripts/test.sh odoo   the Odoo tier: Odoo's test runner on a fresh database,
#                          twice: without, then with OCA helpdesk_mgmt_timesheet
#                          (its tests are tagged mailgate_timesheet)
#   scripts/test.sh e2e    the end-to-end tier: Dovecot IMAP and an SMTP sink on
#                          loopback, fetchmail round trips (scripts/test-e2e.sh)
#   scripts/test.sh        all three
# Extra arguments after the tier go to pytest (unit) or become Odoo test tags
# (odoo), e.g. `scripts/test.sh odoo /helpdesk_mgmt_mailgate:TestMailQueue`;
# a second one names modules to install too, e.g. `scripts/test.sh odoo
# mailgate_timesheet/helpdesk_mgmt_mailgate helpdesk_mgmt_timesheet`.
source "$(dirname "$0")/lib.sh"

tier="${1:-all}"
[ $# -gt 0 ] && shift

unit_tier() {
    say "pure tier (pytest, no Odoo)"
    [ -x "$VENV/bin/pytest" ] || bash "$REPO/scripts/setup.sh"
    cd "$REPO"
    PYTHONPATH="$REPO/tests" "$VENV/bin/pytest" -p pytest_pure_plugin -p no:cacheprovider \
        -q "$@" tests/test_unit_*.py
}

odoo_tier() {
    bash "$REPO/scripts/setup.sh"
    bash "$REPO/scripts/postgres.sh"
    ensure_chromium
    # A pass with extra modules gets a database and a log of its own.
    local db="mailgate_test_$$${2:+_2}" log="$RUN/odoo-tests-$$${2:+-2}.log" tags="${1:-/$ADDON}"
    local modules="$ADDON${2:+,$2}"
    # A free port: the browser tours need Odoo's HTTP server, and two runs
    # (a developer's and CI's, say) must not collide.
    local port="${MAILGATE_TEST_HTTP_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    say "Odoo tier: installing $modules in a fresh database $db and running $tags"
    set +e
    "$PY" -m odoo -c "$ODOO_CONF" -d "$db" -i "$modules" --without-demo=all \
        --test-enable --test-tags "$tags" --stop-after-init \
        --log-level=test --http-port="$port" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    [ -n "${KEEP_DB:-}" ] || "$PY" -m odoo db -c "$ODOO_CONF" drop "$db" >/dev/null 2>&1 \
        || say "could not drop the test database $db"
    ln -sfn "$(basename "$log")" "$RUN/odoo-tests.log"
    odoo_summary "$log" "$rc"
}

# ensure_chromium: the browser tours of the Odoo tier need Debian's chromium;
# without it Odoo skips them (and says so in the log).
ensure_chromium() {
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null && return 0
    if can_install_debian_packages; then
        apt_install chromium
    else
        say "no chromium: the browser tours will be skipped (apt-get install chromium)"
    fi
}

# odoo_summary LOG RC: turn Odoo's test result into the closing line
# "odoo: N passed, N failed", and fail on any failure, error or crash.
odoo_summary() {
    local log="$1" rc="$2" result failed errors total
    result="$(grep -aE 'odoo\.tests\.result: [0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1 || true)"
    if [ -z "$result" ]; then
        die "the Odoo tier ran no test (install failed? see $log)."
    fi
    read -r failed errors total < <(sed -E 's/.*: ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/' <<<"$result")
    local passed=$((total - failed - errors))
    # Failed subtests count as failures too: never print a negative pass count.
    echo "odoo: $((passed < 0 ? 0 : passed)) passed, $((failed + errors)) failed"
    if [ "$rc" != 0 ] || [ "$((failed + errors))" != 0 ] || grep -aqE ' (ERROR|CRITICAL) ' "$log"; then
        die "the Odoo tier failed: see the errors above (full log: $log)."
    fi
    [ "$total" -gt 0 ] || die "the Odoo tier ran no test."
}

# odoo_tiers: the Odoo tier without, then with helpdesk_mgmt_timesheet.
odoo_tiers() {
    odoo_tier && odoo_tier "mailgate_timesheet/$ADDON" helpdesk_mgmt_timesheet
}

case "$tier" in
unit) unit_tier "$@" ;;
odoo) if [ $# -gt 0 ]; then odoo_tier "$@"; else odoo_tiers; fi ;;
e2e) bash "$REPO/scripts/test-e2e.sh" "$@" ;;
all) unit_tier && odoo_tiers && bash "$REPO/scripts/test-e2e.sh" ;;
*) die "usage: scripts/test.sh [unit|odoo|e2e|all] [args]" ;;
esac
