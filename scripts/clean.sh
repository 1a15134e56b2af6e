#!/usr/bin/env bash
# `make clean`: stop this checkout's PostgreSQL cluster, remove the private
# folders the project made for this checkout under TMPDIR (the cluster's data,
# and the Dovecot and Postfix folders a killed run left behind), then .venv
# and .run. Other checkouts' clusters and folders are left alone.
source "$(dirname "$0")/lib.sh"

[ -d "$RUN" ] && { bash "$REPO/scripts/postgres.sh" stop || say "could not stop PostgreSQL: see above"; }

# private_folder PATH: PATH is one of the project's private folders under a
# temporary folder (helpdesk_mgmt_mailgate-<server>-<id>), not the checkout.
private_folder() {
    case "${1##*/}" in
    helpdesk_mgmt_mailgate-pgdata-[0-9]* | helpdesk_mgmt_mailgate-dovecot-[0-9a-f]* | helpdesk_mgmt_mailgate-postfix-[0-9a-f]*) ;;
    *) return 1 ;;
    esac
    [ -d "$1" ] && ! [ "$1" -ef "$REPO" ] && case "$REPO/" in "$1"/*) return 1 ;; esac
}

remove() {
    if private_folder "$1"; then
        rm -rf "$1" && say "removed $1"
    fi
}

# The links under .run name the private folders, wherever TMPDIR was (the
# addons-path and lint links lead into the checkout: not followed).
if [ -d "$RUN" ]; then
    while IFS= read -r -d '' link; do
        remove "$(readlink -f "$link")"
    done < <(find "$RUN" \( -path "$RUN/addons" -o -path "$RUN/lint" \) -prune -o -type l -print0)
fi
# The cluster's data folder even without its link (.run removed by hand).
remove "$PRIVATE_PGDATA"
rm -rf "$REPO/.venv" "$RUN" "$REPO"/devtools/*.egg-info
say "removed .venv and .run"
