# shellcheck shell=bash
# Shared settings and helpers of the project's scripts. Sourced, never run.
#
# Everything the scripts create lives in the repository: .venv/ (Python) and
# .run/ (PostgreSQL cluster, Odoo config, logs, the addons-path link), but
# for the folders of servers that run as other users when those users cannot
# reach the checkout (root in a 0700 folder): then the PostgreSQL data and the
# Dovecot and Postfix folders are private folders under TMPDIR
# (helpdesk_mgmt_mailgate-*), linked from .run, removed by the run that made
# them (the demo's PostgreSQL data stays) and by `make clean`.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON=helpdesk_mgmt_mailgate
VENV="${MAILGATE_VENV:-$REPO/.venv}"
RUN="$REPO/.run"
PY="$VENV/bin/python"
ODOO_CONF="$RUN/odoo.conf"
# The addon is loaded from an addons path entry holding it under its own name,
# whatever the checkout's folder is called (see scripts/setup.sh).
ADDONS_LINK_DIR="$RUN/addons"
# Project-local PostgreSQL cluster, used when no PG* variable names a server
# (scripts/postgres.sh): its data in .run/pgdata, or, when the postgres user
# cannot reach the checkout (root in a 0700 folder), in PRIVATE_PGDATA
# linked from there; on MAILGATE_PGPORT, else DEFAULT_PGPORT when free.
LOCAL_PGDATA="$RUN/pgdata"
PRIVATE_PGDATA="${TMPDIR:-/tmp}/helpdesk_mgmt_mailgate-pgdata-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)"
DEFAULT_PGPORT=54329

# pytest loads no plugin by itself in the project's runs: pytest-odoo (for
# `scripts/test.sh pytest-odoo`, which names it with -p pytest_odoo) would
# otherwise start an Odoo registry in every pytest run of this venv, the pure
# and end-to-end tiers included ("Missing database name").
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1

# on_exit COMMAND: run COMMAND (a string, eval'ed) when the script ends,
# however it ends (exit, error, Ctrl-C, SIGTERM): the commands given run last
# first, each whatever the others did, and the script's exit status stays.
_on_exit=()
on_exit() {
    _on_exit+=("$1")
    trap _run_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
_run_on_exit() {
    local i
    for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do
        eval "${_on_exit[i]}" || true
    done
}

# use_postgres [keep]: PostgreSQL for this script's run (scripts/postgres.sh
# run), released when the script ends: the project's local cluster is
# stopped then if a run started it and no other run of this checkout still
# uses it; a cluster that was running already (`make db`, a demo) is left
# running. keep: the run's databases stay (the demo's, KEEP_DB=1), so a data
# folder it creates under TMPDIR stays too.
use_postgres() {
    [ -n "${_postgres_used:-}" ] && return 0
    _postgres_used=1
    on_exit 'bash "$REPO/scripts/postgres.sh" release "$$"'
    local keep="${1:-}"
    [ -n "${KEEP_DB:-}" ] && keep=keep
    bash "$REPO/scripts/postgres.sh" run "$$" $keep
}

die() {
    printf '\n%s: %s\n' "$(basename "$0")" "$*" >&2
    exit 1
}

say() {
    printf '==> %s\n' "$*"
}

can_install_debian_packages() {
    [ "${MAILGATE_NO_APT:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null
}

# apt_install PKG...: install Debian packages when allowed, else fail saying so.
apt_install() {
    if ! can_install_debian_packages; then
        die "missing Debian package(s): $*. Install them (apt-get install $*) or run as root without MAILGATE_NO_APT=1."
    fi
    say "installing Debian packages: $*"
    if [ ! -f "$RUN/.apt-updated" ]; then
        mkdir -p "$RUN"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || die "apt-get update failed: check the Debian package sources."
        touch "$RUN/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* failed."
}

# link_addon: the addon as Odoo (and pytest) sees it, $ADDONS_LINK_DIR/$ADDON:
# a folder named after the addon whose entries link to the checkout's
# (dot-folders such as .run and .venv left out), whatever the checkout's own
# folder is called. A link to the checkout itself would hold .run/addons
# again, and tools that walk the addons path (Odoo's translation export)
# would never stop.
link_addon() {
    local shadow="$ADDONS_LINK_DIR/$ADDON"
    [ -L "$shadow" ] && rm "$shadow"
    mkdir -p "$shadow"
    find "$shadow" -maxdepth 1 -type l -delete
    ln -s "$REPO"/* "$shadow/"
}
