#!/usr/bin/env bash
# The tests, each tier doing its own set-up first.
#   scripts/test.sh unit         the pure tier: plain pytest, no Odoo, no database
#                                (needs Python and pytest from PyPI, nothing else)
#   scripts/test.sh odoo         the Odoo tier: Odoo's test runner on a fresh database,
#                                twice: without, then with OCA helpdesk_mgmt_timesheet
#                                (whose tests are tagged mailgate_timesheet)
#   scripts/test.sh pytest-odoo  the Odoo tier again, run by pytest-odoo instead
#   scripts/test.sh e2e          the end-to-end tier: Dovecot IMAP and an SMTP sink on
#                                loopback, fetchmail round trips (scripts/test-e2e.sh)
#   scripts/test.sh              unit, odoo and e2e
# Extra arguments after the tier go to pytest (unit, pytest-odoo, e2e) or become
# Odoo test tags (odoo), e.g. `scripts/test.sh odoo /helpdesk_mgmt_mailgate:TestMailQueue`
# (one pass, this addon alone); MAILGATE_EXTRA_MODULES=helpdesk_mgmt_timesheet
# installs more modules for such a narrow run.
# The project's PostgreSQL cluster, when this run starts it, is stopped at
# the end (lib.sh's use_postgres); one already running is left running.
source "$(dirname "$0")/lib.sh"

tier="${1:-all}"
[ $# -gt 0 ] && shift

unit_tier() {
    say "pure tier (pytest, no Odoo)"
    bash "$REPO/scripts/setup.sh" unit
    cd "$REPO"
    PYTHONPATH="$REPO/tests" "$VENV/bin/pytest" -p pytest_pure_plugin \
        -p no:cacheprovider -q "$@" tests/test_unit_*.py
}

# odoo_tier MODULES [TAGS]: install MODULES (comma-separated) without demo data
# in a fresh database and run the tests TAGS (/helpdesk_mgmt_mailgate) with
# Odoo's test runner; the closing line is "odoo: N passed, N failed".
odoo_tier() {
    local modules="$1" tags="${2:-/$ADDON}"
    bash "$REPO/scripts/setup.sh"
    use_postgres
    ensure_chromium
    # A later pass in the same run (other modules) gets its own database.
    odoo_passes=$((${odoo_passes:-0} + 1))
    local run_id="$$"
    [ "$odoo_passes" = 1 ] || run_id="$$_$odoo_passes"
    local db="mailgate_test_$run_id" log="$RUN/odoo-tests-$run_id.log"
    say "Odoo tier: installing $modules in a fresh database $db and running $tags"
    set +e
    "$PY" -m odoo -c "$ODOO_CONF" -d "$db" -i "$modules" --without-demo=all \
        --test-enable --test-tags "$tags" --stop-after-init \
        --log-level=test --http-port="$(free_port)" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    drop_db "$db"
    ln -sfn "$(basename "$log")" "$RUN/odoo-tests.log"
    odoo_summary "$log" "$rc"
}

# pytest_odoo_tier [PYTEST ARGS]: the module installed without demo data in a
# fresh database, then its tests (only this addon's: tests/, without the
# end-to-end tier) run by pytest-odoo, with Odoo's HTTP server for the tours.
pytest_odoo_tier() {
    bash "$REPO/scripts/setup.sh"
    use_postgres
    ensure_chromium
    local db="mailgate_pytest_$$" log="$RUN/pytest-odoo-install-$$.log"
    say "pytest-odoo: installing $ADDON in a fresh database $db"
    "$PY" -m odoo -c "$ODOO_CONF" -d "$db" -i "$ADDON" --without-demo=all \
        --stop-after-init --log-level=warn >"$log" 2>&1 \
        || { drop_db "$db"; die "$ADDON did not install in $db: see $log."; }
    cd "$ADDONS_LINK_DIR/$ADDON"
    set +e
    "$VENV/bin/pytest" -p pytest_odoo --odoo-config="$ODOO_CONF" --odoo-database="$db" \
        --odoo-http -p no:cacheprovider -q "$@" tests
    local rc=$?
    set -e
    drop_db "$db"
    return "$rc"
}

# free_port: a free TCP port on loopback: the browser tours need Odoo's HTTP
# server, and two runs (a developer's and CI's, say) must not collide.
free_port() {
    if [ -n "${MAILGATE_TEST_HTTP_PORT:-}" ]; then
        echo "$MAILGATE_TEST_HTTP_PORT"
    else
        "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    fi
}

# drop_db DB: drop a test database (and its filestore) unless KEEP_DB is set.
drop_db() {
    [ -n "${KEEP_DB:-}" ] && { say "kept the database $1 (KEEP_DB)"; return 0; }
    "$PY" -m odoo db -c "$ODOO_CONF" drop "$1" >/dev/null 2>&1 \
        || say "could not drop the test database $1"
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

# odoo_tiers: the Odoo tier without, then with helpdesk_mgmt_timesheet (an
# optional integration: the first pass proves nothing of it is required).
# Both passes run even when the first fails, each in a subshell (odoo_tier
# dies on a failure); odoo_passes numbers their databases.
odoo_tiers() {
    local rc=0
    odoo_passes=0
    (odoo_tier "$ADDON") || rc=1
    odoo_passes=1
    (odoo_tier "$ADDON,helpdesk_mgmt_timesheet" "mailgate_timesheet/$ADDON") || rc=1
    return "$rc"
}

# every_tier: every tier, each in a subshell (a failing one stops only
# itself) with its output also kept in .run/tier-NAME.log, then one summary
# naming every failing tier and test; fails when any tier failed.
every_tier() {
    local name failed=()
    local -A commands=(
        [unit]="unit_tier"
        [odoo]="odoo_tiers"
        [e2e]="bash \"$REPO/scripts/test-e2e.sh\""
    )
    for name in unit odoo e2e; do
        # Not in an `if`: there, errexit would be off inside the tier too.
        set +e
        (eval "${commands[$name]}") 2>&1 | tee "$RUN/tier-$name.log"
        [ "${PIPESTATUS[0]}" = 0 ] || failed+=("$name")
        set -e
    done
    echo
    if [ ${#failed[@]} = 0 ]; then
        say "make test: every tier passed (unit, odoo, e2e)"
        return 0
    fi
    say "make test: every tier ran; failed: ${failed[*]}"
    for name in "${failed[@]}"; do
        say "  $name (full output: $RUN/tier-$name.log):"
        grep -aE '^(FAILED|ERROR) |: (FAIL|ERROR): |^[a-z_.]*: .*(failed|ran no test|did not)' \
            "$RUN/tier-$name.log" | grep -v ' 0 failed$' | sed -E 's/^[0-9-]+ [0-9:,]+ [0-9]+ ERROR [^ ]+ //; s/^/    /' \
            | sort -u | head -n 50
    done
    return 1
}

case "$tier" in
unit) unit_tier "$@" ;;
odoo) if [ $# -gt 0 ]; then odoo_tier "$ADDON${MAILGATE_EXTRA_MODULES:+,$MAILGATE_EXTRA_MODULES}" "$@"; else odoo_tiers; fi ;;
pytest-odoo) pytest_odoo_tier "$@" ;;
e2e) bash "$REPO/scripts/test-e2e.sh" "$@" ;;
all) mkdir -p "$RUN" && every_tier ;;
*) die "usage: scripts/test.sh [unit|odoo|pytest-odoo|e2e|all] [args]" ;;
esac
