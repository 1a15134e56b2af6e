#!/usr/bin/env bash
# Make a PostgreSQL server available and write the Odoo configuration for it.
#
# The server the standard PG* variables name (PGHOST, PGPORT, PGUSER,
# PGPASSWORD) is used when one is set (it must answer); otherwise a project-local
# cluster in .run/pgdata is started on 127.0.0.1 with Debian's PostgreSQL
# binaries, installed when missing and allowed. Its port: MAILGATE_PGPORT when
# set, else 54329, else (54329 taken by something that is not this checkout's
# cluster, e.g. another checkout's) the first free one from 54330 on, said so.
#
#   scripts/postgres.sh              start the cluster and keep it running
#                                    (`make db`): no run stops it
#   scripts/postgres.sh run PID [keep]
#                                    the same for the run PID (a test, the
#                                    benchmark, the demo: lib.sh's use_postgres)
#   scripts/postgres.sh release PID  the run PID is done: the cluster is stopped
#                                    when a run started it and no other run of
#                                    this checkout (alive) still uses it
#   scripts/postgres.sh stop         stop the cluster, whoever started it
#
# A run that creates the cluster's data folder under TMPDIR (as root, in a
# checkout the postgres user cannot reach) removes it with the cluster, unless
# it is `keep` (the demo, KEEP_DB=1) or `make db` took the cluster over; the
# data folder in .run/pgdata is kept, as .venv is (`make clean` removes both).
source "$(dirname "$0")/lib.sh"

mkdir -p "$RUN"

# What this checkout's runs share, in .run (under the lock):
USERS_DIR="$RUN/postgres-users"            # one file per run using the cluster
STARTED_BY_RUN="$RUN/postgres-started-by-run"  # a run started it: the last one stops it
THROWAWAY_DATA="$RUN/postgres-data-throwaway"  # its TMPDIR data goes with it

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
    mkdir -p "$PRIVATE_PGDATA" && chown postgres: "$PRIVATE_PGDATA" && chmod 700 "$PRIVATE_PGDATA"
    echo "$PRIVATE_PGDATA"
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
# make test` (or this script's own lock), which would then never be released.
without_inherited_fds() {
    (
        for fd in /proc/"$BASHPID"/fd/*; do
            fd="${fd##*/}"
            [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
        done
        "$@"
    )
}

# locked: hold this checkout's PostgreSQL lock until the script ends, so that
# two runs of the checkout never start, stop or count the cluster at once.
locked() {
    exec 9>"$RUN/postgres.lock"
    flock 9 || die "could not lock $RUN/postgres.lock"
}

resolve_pgdata() {
    [ -L "$LOCAL_PGDATA" ] && LOCAL_PGDATA="$(readlink -f "$LOCAL_PGDATA")"
    return 0
}

cluster_running() {  # this checkout's cluster, with LOCAL_PGDATA resolved
    [ -f "$LOCAL_PGDATA/postmaster.pid" ] \
        && as_cluster_owner "$(pg_bindir)/pg_ctl" -D "$LOCAL_PGDATA" status >/dev/null 2>&1
}

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
    (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# candidate_ports: the ports to try, in order.
candidate_ports() {
    if [ -n "${MAILGATE_PGPORT:-}" ]; then
        echo "$MAILGATE_PGPORT"
    else
        seq "$DEFAULT_PGPORT" $((DEFAULT_PGPORT + 70))
    fi
}

# start_server BINDIR: start the cluster on the first free candidate port;
# sets LOCAL_PGPORT. Another checkout may take a port between the check and
# the start: then the next one is tried.
start_server() {
    local bindir="$1" port log="$LOCAL_PGDATA/server.log" size
    for port in $(candidate_ports); do
        if port_in_use "$port"; then
            [ -n "${MAILGATE_PGPORT:-}" ] \
                && die "MAILGATE_PGPORT=$port is taken by another server: choose another port, or unset MAILGATE_PGPORT to have a free one picked."
            continue
        fi
        [ "$port" = "$DEFAULT_PGPORT" ] || [ -n "${MAILGATE_PGPORT:-}" ] \
            || say "port $DEFAULT_PGPORT is taken by something that is not this checkout's cluster (another checkout's?): using $port"
        say "starting PostgreSQL on 127.0.0.1:$port"
        size="$(stat -c %s "$log" 2>/dev/null || echo 0)"
        if without_inherited_fds as_cluster_owner "$bindir/pg_ctl" -D "$LOCAL_PGDATA" -l "$log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $LOCAL_PGDATA -c fsync=off -c full_page_writes=off" start >/dev/null; then
            LOCAL_PGPORT="$port"
            return 0
        fi
        if [ -z "${MAILGATE_PGPORT:-}" ] && tail -c +"$((size + 1))" "$log" 2>/dev/null | grep -q "could not bind"; then
            say "port $port was taken meanwhile: trying the next one"
            continue
        fi
        die "PostgreSQL did not start: see $log."
    done
    die "PostgreSQL did not start: no free port from $DEFAULT_PGPORT to $((DEFAULT_PGPORT + 70)) (set MAILGATE_PGPORT)."
}

# start_local_cluster: this checkout's cluster running (started now, with
# STARTED=1, or found running), LOCAL_PGPORT its port; CREATED_PRIVATE=1 when
# its data folder was made now under TMPDIR.
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
    resolve_pgdata
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
        [ "$LOCAL_PGDATA" -ef "$PRIVATE_PGDATA" ] && CREATED_PRIVATE=1
    fi
    if cluster_running; then
        LOCAL_PGPORT="$(sed -n 4p "$LOCAL_PGDATA/postmaster.pid")"
        if [ -n "${MAILGATE_PGPORT:-}" ] && [ "$MAILGATE_PGPORT" != "$LOCAL_PGPORT" ]; then
            die "this checkout's PostgreSQL already runs on port $LOCAL_PGPORT, not MAILGATE_PGPORT=$MAILGATE_PGPORT: stop it first (scripts/postgres.sh stop), or unset MAILGATE_PGPORT."
        fi
    else
        start_server "$bindir"
        STARTED=1
    fi
    DB_HOST=127.0.0.1 DB_PORT=$LOCAL_PGPORT DB_USER=odoo DB_PASSWORD=
}

# pid_start PID: the start time of process PID (with the pid, it names one
# process: a pid used again by a later process is not the same run).
pid_start() {
    { sed -E 's/^.*\) //' "/proc/$1/stat" | cut -d' ' -f20; } 2>/dev/null || true
}

# live_users: prune the runs that ended without a release (killed), then
# print how many are left.
live_users() {
    local file pid count=0
    mkdir -p "$USERS_DIR"
    for file in "$USERS_DIR"/*; do
        [ -f "$file" ] || continue
        pid="${file##*/}"
        if [ -n "$(pid_start "$pid")" ] && [ "$(pid_start "$pid")" = "$(cat "$file")" ]; then
            count=$((count + 1))
        else
            rm -f "$file"
        fi
    done
    echo "$count"
}

# stop_cluster: stop this checkout's cluster if it runs; forget who started it.
stop_cluster() {
    resolve_pgdata
    if [ -f "$LOCAL_PGDATA/postmaster.pid" ]; then
        as_cluster_owner "$(pg_bindir)/pg_ctl" -D "$LOCAL_PGDATA" -m fast stop >/dev/null \
            || die "PostgreSQL did not stop: see $LOCAL_PGDATA/server.log."
        say "stopped PostgreSQL (data in $LOCAL_PGDATA)"
    fi
    rm -f "$STARTED_BY_RUN"
}

# remove_throwaway_data: the data folder under TMPDIR a run created, and the
# .run/pgdata link to it.
remove_throwaway_data() {
    local link="$RUN/pgdata" target
    [ -f "$THROWAWAY_DATA" ] || return 0
    rm -f "$THROWAWAY_DATA"
    [ -L "$link" ] || return 0
    target="$(readlink -f "$link")"
    if [ "${target##*/}" = "${PRIVATE_PGDATA##*/}" ]; then
        rm -rf "$target"
        rm -f "$link"
        say "removed the run's PostgreSQL data folder $target"
    fi
}

mode="${1:-start}"
case "$mode" in
stop)
    locked
    stop_cluster
    exit 0
    ;;
release)
    [ -n "${2:-}" ] || die "usage: scripts/postgres.sh release PID"
    locked
    rm -f "$USERS_DIR/$2"
    if [ -f "$STARTED_BY_RUN" ] && [ "$(live_users)" = 0 ]; then
        stop_cluster
        remove_throwaway_data
    fi
    exit 0
    ;;
start) ;;
run) [ -n "${2:-}" ] || die "usage: scripts/postgres.sh run PID [keep]" ;;
*) die "usage: scripts/postgres.sh [run PID [keep]|release PID|stop]" ;;
esac

if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]; then
    command -v pg_isready >/dev/null || apt_install postgresql-client
    pg_isready -q || die "the PostgreSQL server named by PGHOST/PGPORT (${PGHOST:-local socket}:${PGPORT:-5432}) does not answer."
    DB_HOST="${PGHOST:-}" DB_PORT="${PGPORT:-5432}" DB_USER="${PGUSER:-$(id -un)}" DB_PASSWORD="${PGPASSWORD:-}"
else
    locked
    STARTED= CREATED_PRIVATE=
    start_local_cluster
    if [ "$mode" = run ]; then
        # The run counts as a user until its release, whoever started the cluster.
        mkdir -p "$USERS_DIR"
        pid_start "$2" >"$USERS_DIR/$2"
        [ -n "$STARTED" ] && touch "$STARTED_BY_RUN"
        if [ "${3:-}" = keep ]; then
            rm -f "$THROWAWAY_DATA"
        elif [ -n "$CREATED_PRIVATE" ]; then
            touch "$THROWAWAY_DATA"
        fi
    else
        # `make db`: the developer's cluster from now on, data and all.
        rm -f "$STARTED_BY_RUN" "$THROWAWAY_DATA"
    fi
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
