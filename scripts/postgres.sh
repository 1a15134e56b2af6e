#!/usr/bin/env bash
# Make a PostgreSQL server available and write the Odoo configuration for it.
#
# The server the standard PG* variables name (PGHOST, PGPORT, PGUSER,
# PGPASSWORD) is used when one is set (it must answer); otherwise a project-local
# cluster in .run/pgdata is started on 127.0.0.1:$MAILGATE_PGPORT (54329) with
# Debian's PostgreSQL binaries, installed when missing and allowed.
# `scripts/postgres.sh stop` stops that local cluster.
source "$(dirname "$0")/lib.sh"

mkdir -p "$RUN"

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
    done
    dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)"
}

# private_pgdata: a data folder outside the checkout, one per checkout,
# owned by the postgres user.
private_pgdata() {
    local dir
    dir="${TMPDIR:-/tmp}/helpdesk_mgmt_mailgate-pgdata-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)"
    mkdir -p "$dir" && chown postgres: "$dir" && chmod 700 "$dir"
    echo "$dir"
}

# as_cluster_owner CMD...: PostgreSQL refuses to run as root. runuser lives
# in /usr/sbin, which a PATH such as /usr/local/bin:/usr/bin:/bin leaves out.
as_cluster_owner() {
    if [ "$(id -u)" = 0 ]; then
        local runuser
        runuser="$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser)" \
            || die "running as root needs runuser (Debian's util-linux) to start PostgreSQL as the postgres user."
        (cd / && "$runuser" -u postgres -- "$@")
    else
        "$@"
    fi
}

# without_inherited_fds CMD...: run CMD with only stdin, stdout and stderr
# open. The server outlives this script: any other file it inherited stays
# open as long as it runs, e.g. the lock of `flock /tmp/mailgate-odoo.lock
# make test`, which would then never be released.
without_inherited_fds() {
    (
        for fd in /proc/"$BASHPID"/fd/*; do
            fd="${fd##*/}"
            [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
        done
        "$@"
    )
}

start_local_cluster() {
    local bindir
    bindir="$(pg_bindir)"
    if [ ! -x "$bindir/pg_ctl" ]; then
        apt_install postgresql
        bindir="$(pg_bindir)"
    fi
    [ -x "$bindir/pg_ctl" ] || die "no PostgreSQL server binaries (pg_ctl): install Debian's postgresql package, or set PGHOST/PGPORT/PGUSER to a server."
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        die "running as root needs the 'postgres' system user to own the cluster: install Debian's postgresql package."
    fi
    [ -L "$LOCAL_PGDATA" ] && LOCAL_PGDATA="$(readlink -f "$LOCAL_PGDATA")"
    if [ ! -f "$LOCAL_PGDATA/PG_VERSION" ]; then
        mkdir -p "$LOCAL_PGDATA"
        [ "$(id -u)" = 0 ] && chown postgres: "$LOCAL_PGDATA"
        if ! as_cluster_owner test -w "$LOCAL_PGDATA"; then
            # Running as root in a checkout the postgres user cannot reach
            # (a private folder): keep the cluster in a folder of its own.
            rmdir "$LOCAL_PGDATA" 2>/dev/null || true
            local private
            private="$(private_pgdata)"
            ln -sfn "$private" "$LOCAL_PGDATA"
            LOCAL_PGDATA="$private"
            as_cluster_owner test -w "$LOCAL_PGDATA" \
                || die "the postgres user cannot write to $LOCAL_PGDATA: make the checkout's folders readable by others, or set PGHOST to a server."
        fi
    fi
    if [ ! -f "$LOCAL_PGDATA/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in $LOCAL_PGDATA"
        as_cluster_owner "$bindir/initdb" -D "$LOCAL_PGDATA" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb failed in $LOCAL_PGDATA."
    fi
    if ! as_cluster_owner "$bindir/pg_ctl" -D "$LOCAL_PGDATA" status >/dev/null 2>&1; then
        say "starting PostgreSQL on 127.0.0.1:$LOCAL_PGPORT"
        without_inherited_fds as_cluster_owner "$bindir/pg_ctl" -D "$LOCAL_PGDATA" -l "$LOCAL_PGDATA/server.log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $LOCAL_PGPORT -k $LOCAL_PGDATA -c fsync=off -c full_page_writes=off" start >/dev/null \
            || die "PostgreSQL did not start: see $LOCAL_PGDATA/server.log."
    fi
    DB_HOST=127.0.0.1 DB_PORT=$LOCAL_PGPORT DB_USER=odoo DB_PASSWORD=
}

if [ "${1:-}" = stop ]; then
    [ -L "$LOCAL_PGDATA" ] && LOCAL_PGDATA="$(readlink -f "$LOCAL_PGDATA")"
    [ -f "$LOCAL_PGDATA/postmaster.pid" ] && as_cluster_owner "$(pg_bindir)/pg_ctl" -D "$LOCAL_PGDATA" -m fast stop
    exit 0
fi

if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
    command -v pg_isready >/dev/null || apt_install postgresql-client
    pg_isready -q || die "the PostgreSQL server named by PGHOST/PGPORT (${PGHOST:-local socket}:${PGPORT:-5432}) does not answer."
    DB_HOST="${PGHOST:-}" DB_PORT="${PGPORT:-5432}" DB_USER="${PGUSER:-$(id -un)}" DB_PASSWORD="${PGPASSWORD:-}"
else
    start_local_cluster
fi

cat > "$ODOO_CONF" <<CONF
[options]
db_host = ${DB_HOST:-False}
db_port = $DB_PORT
db_user = $DB_USER
db_password = ${DB_PASSWORD:-False}
addons_path = $ADDONS_LINK_DIR
data_dir = $RUN/filestore
http_interface = 127.0.0.1
list_db = True
CONF
say "PostgreSQL ready: ${DB_HOST:-local socket}:$DB_PORT as $DB_USER (Odoo config: $ODOO_CONF)"
