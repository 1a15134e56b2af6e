#!/usr/bin/env bash
# Idempotent set-up of the Python side, in the virtualenv .venv, at one of
# three levels:
#   scripts/setup.sh unit   pytest alone (requirements-unit.txt) and the dev
#                           tools (devtools/, editable): the pure tier
#   scripts/setup.sh lint   pre-commit (requirements-lint.txt): make lint
#   scripts/setup.sh [odoo] Odoo 18.0, OCA helpdesk_mgmt and the test tools
#                           (requirements-test.txt), the dev tools, and the
#                           addons-path link
# The first two need Python and PyPI only, never Odoo.
#
# At the odoo level, Odoo comes, in this order, from:
#   0. the virtualenv itself, when it already holds Odoo 18.0 (however it got
#      there: an earlier ODOO_SRC=... run is remembered);
#   1. the source tree named by ODOO_SRC (a git checkout or an unpacked sdist);
#   2. an `odoo` 18.0 already importable by python3 (the venv then sees the
#      system site-packages);
#   3. Odoo's official 18.0 nightly source (needs network access to odoo.com),
#      downloaded and unpacked into .run/odoo-src, then installed as in 1.
source "$(dirname "$0")/lib.sh"

level="${1:-odoo}"
case "$level" in
unit | lint | odoo) ;;
*) die "usage: scripts/setup.sh [unit|lint|odoo]" ;;
esac

PYTHON="${PYTHON:-python3}"
ODOO_NIGHTLY="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"

command -v "$PYTHON" >/dev/null || die "no $PYTHON found: install Python 3.10 to 3.12 (or set PYTHON)."
if [ "$level" = odoo ]; then
    "$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
        || die "Odoo 18.0 needs Python 3.10 to 3.12; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=python3.11 (for example)."
else
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "the tests and linters need Python 3.10 or later; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=python3.11 (for example)."
fi

odoo_version() {  # odoo_version PYTHON: prints the importable Odoo's series, if any
    "$1" -c 'import odoo.release as r; print(r.series)' 2>/dev/null || true
}

# A constraint file for every pip call: Odoo 18 pins cbor2 5.4.2, whose build
# fails with setuptools 81 and later. PIP_CONSTRAINT reaches build
# environments too; keep any machine-wide constraint file in force.
mkdir -p "$RUN"
CONSTRAINTS="$RUN/pip-constraints.txt"
{
    echo 'setuptools<81'
    machine_constraint="$("$PYTHON" -m pip config get global.constraint 2>/dev/null || true)"
    [ -n "$machine_constraint" ] && [ -f "$machine_constraint" ] && cat "$machine_constraint"
} > "$CONSTRAINTS"
# pip splits PIP_CONSTRAINT at spaces: name the file by its file: URL, whose
# spaces are quoted, for a checkout in a path with spaces.
PIP_CONSTRAINT="$("$PYTHON" -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).resolve().as_uri())' "$CONSTRAINTS")"
export PIP_CONSTRAINT PIP_DISABLE_PIP_VERSION_CHECK=1

pip_install() {
    "$PY" -m pip install -q --no-warn-conflicts "$@"
}

# install_requirements NAME: pip-install requirements-NAME.txt into the venv
# unless the same file (and what it includes) is already installed.
install_requirements() {
    local name="$1" stamp="$VENV/.requirements-$1.txt" wanted
    wanted="$(requirements_text "$REPO/requirements-$name.txt")"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && return 0
    say "installing requirements-$name.txt into $VENV"
    pip_install -r "$REPO/requirements-$name.txt" \
        || die "requirements-$name.txt did not install: see pip's message above."
    printf '%s' "$wanted" > "$stamp"
}

# install_devtools: the project's dev tools (devtools/, the package
# mailgate_devtools: mail servers, Odoo database helpers, hostile inputs)
# installed editable into the venv, unless this checkout's already are: a
# venv shared by two checkouts gets the one of the checkout set up last.
install_devtools() {
    local stamp="$VENV/.devtools" wanted installed
    wanted="$REPO/devtools $(cksum < "$REPO/devtools/pyproject.toml")"
    installed="$("$PY" -c 'import mailgate_devtools, pathlib; print(pathlib.Path(mailgate_devtools.__file__).parent.parent)' 2>/dev/null || true)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -n "$installed" ] \
        && [ "$installed" -ef "$REPO/devtools" ]; then
        return 0
    fi
    say "installing the dev tools (devtools/, editable) into $VENV"
    pip_install -e "$REPO/devtools" || die "the dev tools (devtools/) did not install: see pip's message above."
    printf '%s' "$wanted" > "$stamp"
}

# requirements_text FILE: the file followed by the files it includes (-r).
requirements_text() {
    local line
    cat "$1"
    while read -r line; do
        case "$line" in -r\ *) requirements_text "$(dirname "$1")/${line#-r }" ;; esac
    done < "$1"
}

# fetch_nightly: download and unpack the official nightly sdist into
# .run/odoo-src. On failure, prints one line saying why.
fetch_nightly() {
    [ -f "$RUN/odoo-src/odoo/release.py" ] && return 0
    "$PYTHON" - "$ODOO_NIGHTLY" "$RUN" <<'PY'
import pathlib, shutil, sys, tarfile, urllib.request
url, run = sys.argv[1], pathlib.Path(sys.argv[2])
archive = run / "odoo-nightly.tar.gz"
try:
    with urllib.request.urlopen(url, timeout=60) as answer, archive.open("wb") as out:
        shutil.copyfileobj(answer, out)
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        tar.extractall(run, filter="data")
except Exception as error:  # noqa: BLE001 - one line for the user, not a traceback
    archive.unlink(missing_ok=True)
    sys.exit(f"downloading {url} failed: {error}")
shutil.move(run / top, run / "odoo-src")
archive.unlink()
PY
}

# make_venv SYSTEM_SITE: create the virtualenv (seeing python3's
# site-packages when SYSTEM_SITE is 1).
make_venv() {
    say "creating the virtualenv $VENV"
    if [ "$1" = 1 ]; then
        "$PYTHON" -m venv --system-site-packages "$VENV"
    else
        "$PYTHON" -m venv "$VENV"
    fi || die "could not create a virtualenv with $PYTHON: install Python's venv module (Debian: python3-venv)."
}

# The pure tier and the linters: the venv and their own requirements, no Odoo.
# The venv sees python3's site-packages when they hold Odoo 18.0, so that a
# later `scripts/setup.sh odoo` can use that Odoo as it is.
if [ "$level" != odoo ]; then
    if [ ! -x "$PY" ]; then
        make_venv "$([ "$(odoo_version "$PYTHON")" = 18.0 ] && echo 1 || echo 0)"
    fi
    install_requirements "$level"
    # The pure tier's hostile inputs (tests/test_unit_adversarial.py).
    if [ "$level" = unit ]; then install_devtools; fi
    exit 0
fi

venv_odoo=
[ -x "$PY" ] && venv_odoo="$(odoo_version "$PY")"
if [ "$venv_odoo" = 18.0 ]; then
    odoo_from=venv
elif [ -n "$venv_odoo" ] && [ -z "${ODOO_SRC:-}" ]; then
    die "$VENV imports Odoo $venv_odoo, not 18.0: remove $VENV, or set ODOO_SRC to an Odoo 18.0 source tree."
elif [ -n "${ODOO_SRC:-}" ]; then
    [ -f "$ODOO_SRC/odoo/release.py" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo/release.py)."
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" || die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0."
    odoo_from=src
else
    system_odoo="$(odoo_version "$PYTHON")"
    if [ "$system_odoo" = 18.0 ]; then
        odoo_from=system
    elif [ -n "$system_odoo" ]; then
        die "$PYTHON imports Odoo $system_odoo, not 18.0: set ODOO_SRC to an Odoo 18.0 source tree."
    else
        say "no Odoo 18.0 in $VENV nor in $PYTHON, and no ODOO_SRC: fetching Odoo's official 18.0 nightly source"
        why="$(fetch_nightly 2>&1)" || die "no Odoo 18.0 to be had. $PYTHON does not import odoo, $VENV holds none, ODOO_SRC is not set, and ${why:-the nightly download failed}. Set ODOO_SRC to an Odoo 18.0 source tree (git clone -b 18.0 --depth 1 https://github.com/odoo/odoo), or install Odoo 18.0 for $PYTHON (or set PYTHON to a Python that has it). The pure tier (make test-unit) and make lint need no Odoo."
        ODOO_SRC="$RUN/odoo-src"
        odoo_from=src
    fi
fi

case "$odoo_from" in
system)
    if [ -x "$PY" ]; then
        # A venv without Odoo holds the pure tier's or the linters' tools
        # alone (make test-unit or make lint came first, perhaps with another
        # Python): make it again, seeing python3's Odoo.
        say "$VENV has no Odoo: making it again with $PYTHON's site-packages (its Odoo 18.0)"
        rm -rf "$VENV"
    fi
    make_venv 1
    [ "$(odoo_version "$PY")" = 18.0 ] || die "the virtualenv $VENV does not see $PYTHON's Odoo 18.0."
    ;;
src)
    [ -x "$PY" ] || make_venv 0
    command -v pg_config >/dev/null || apt_install libpq-dev
    [ -f /usr/include/ldap.h ] || apt_install libldap2-dev libsasl2-dev
    say "installing Odoo 18.0 from $ODOO_SRC (a few minutes)"
    pip_install -r "$ODOO_SRC/requirements.txt" || die "Odoo's requirements did not install: see pip's message above."
    pip_install "$ODOO_SRC" || die "Odoo did not install from $ODOO_SRC."
    ;;
esac

install_requirements test
install_devtools

link_addon
say "Python ready: $("$PY" -c 'import odoo.release as r; print("Odoo", r.version)') in $VENV"
