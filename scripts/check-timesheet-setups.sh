#!/usr/bin/env bash
# Install, upgrade and uninstall checks of the optional timesheet integration
# (OCA helpdesk_mgmt_timesheet), with real `odoo -i/-u` runs on fresh
# databases, each state checked by a mail through the gateway in `odoo shell`
# (scripts/check_timesheet_setup.py):
#   1. this addon, then helpdesk_mgmt_timesheet; upgrade; uninstall
#      helpdesk_mgmt_timesheet (button_immediate_uninstall); upgrade again;
#   2. helpdesk_mgmt_timesheet, then this addon; upgrade; uninstall this addon.
# Slow (several installs of the project and timesheet apps): not part of
# `make test`, whose second Odoo pass covers the integration itself.
source "$(dirname "$0")/lib.sh"

bash "$REPO/scripts/setup.sh"
use_postgres
TS=helpdesk_mgmt_timesheet
LOG="$RUN/timesheet-setups-$$.log"

odoo() {  # odoo DB ARGS...: one Odoo run; fails on any error line
    local db="$1"
    shift
    "$PY" -m odoo -c "$ODOO_CONF" -d "$db" --without-demo=all --stop-after-init \
        --log-level=warn "$@" >"$LOG" 2>&1 || { cat "$LOG"; die "odoo $* failed on $db"; }
    if grep -aE ' (ERROR|CRITICAL) ' "$LOG"; then
        die "odoo $* logged errors on $db (see $LOG)"
    fi
}

check() {  # check DB with|without: a follow-up through the gateway
    local out
    out="$(CHECK="$2" "$PY" -m odoo shell -c "$ODOO_CONF" -d "$1" --log-level=warn \
        --no-http <"$REPO/scripts/check_timesheet_setup.py" 2>&1)" || true
    grep -q "CHECK OK: $2" <<<"$out" || { echo "$out"; die "$1: the $2-timesheets check failed"; }
    say "$1: $(grep -E "CHECK OK|earlier linked" <<<"$out" | paste -sd' ')"
}

uninstall() {  # uninstall DB MODULE: as from Apps, in a committed transaction
    local out
    out="$("$PY" -m odoo shell -c "$ODOO_CONF" -d "$1" --log-level=warn --no-http 2>&1 <<PY
env["ir.module.module"].search([("name", "=", "$2")]).button_immediate_uninstall()
env.cr.execute("SELECT state FROM ir_module_module WHERE name = %s", ["$2"])
print("UNINSTALLED", env.cr.fetchone()[0])
PY
)" || true
    grep -q "UNINSTALLED uninstalled" <<<"$out" || { echo "$out"; die "$1: $2 did not uninstall"; }
    if grep -aE ' (ERROR|CRITICAL) ' <<<"$out"; then die "$1: errors uninstalling $2"; fi
    say "$1: $2 uninstalled"
}

drop() { "$PY" -m odoo db -c "$ODOO_CONF" drop "$1" >/dev/null 2>&1 || true; }

db1="mailgate_ts_after_$$"
db2="mailgate_ts_before_$$"
on_exit 'drop "$db1"; drop "$db2"'

say "1. $ADDON first, then $TS ($db1)"
odoo "$db1" -i "$ADDON"
check "$db1" without
odoo "$db1" -i "$TS"
check "$db1" with
odoo "$db1" -u "$ADDON"
check "$db1" with
uninstall "$db1" "$TS"
odoo "$db1" -u "$ADDON"
check "$db1" without

say "2. $TS first, then $ADDON ($db2)"
odoo "$db2" -i "$TS"
odoo "$db2" -i "$ADDON"
check "$db2" with
odoo "$db2" -u "$ADDON,$TS"
check "$db2" with
uninstall "$db2" "$ADDON"
say "timesheet set-ups: all checks passed"
