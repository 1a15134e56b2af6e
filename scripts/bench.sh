#!/usr/bin/env bash
# The benchmark (bench/README.md), `make bench`: the Odoo
# set-up and PostgreSQL first, then `python -m bench ARGS...` from the
# repository root. The project's PostgreSQL cluster, when this run starts it,
# is stopped at the end (--keep: the databases stay, so its data does too).
#   scripts/bench.sh [--mails N] [--rounds N] [--keep] [...]   (python -m bench --help)
source "$(dirname "$0")/lib.sh"

bash "$REPO/scripts/setup.sh"
keep=
for arg in "$@"; do [ "$arg" = --keep ] && keep=keep; done
use_postgres $keep
cd "$REPO"
"$PY" -m bench "$@"
