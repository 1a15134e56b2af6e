#!/usr/bin/env bash
# Idempotent set-up of the Python side: a virtualenv with Odoo 18.0, OCA
# helpdesk_mgmt and the test tools, and the addons-path link to this addon.
#
# Odoo comes, in this order, from:
#   1. the source tree named by ODOO_SRC (a git checkout or an unpacked sdist);
#   2. an `odoo` 18.0 already importable by python3 (the venv then sees the
#      system site-packages);
#   3. Odoo's official 18.0 nightly source (needs network access to odoo.com),
#      downloaded and unpacked into .run/odoo-src, then installed as in 1.
source "$(dirname "$0")/lib.sh"

PYTHON="${PYTHON:-python3}"
ODOO_NIGHTLY="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"

command -v "$PYTHON" >/dev/null || die "no $PYTHON found: install Python 3.10 to 3.12."
"$PYTHON" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
    || die "Odoo 18.0 needs Python 3.10 to 3.12; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=python3.11 (for example)."

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
export PIP_CONSTRAINT="$CONSTRAINTS" PIP_DISABLE_PIP_VERSION_CHECK=1

pip_install() {
    "$PY" -m pip install -q "$@"
}

# fetch_nightly: download and unpack the official nightly sdist into .run/odoo-src.
fetch_nightly() {
    [ -f "$RUN/odoo-src/odoo/release.py" ] && return 0
    "$PYTHON" - "$ODOO_NIGHTLY" "$RUN" <<'PY'
import pathlib, shutil, sys, tarfile, urllib.request
url, run = sys.argv[1], pathlib.Path(sys.argv[2])
archive = run / "odoo-nightly.tar.gz"
with urllib.request.urlopen(url, timeout=60) as answer, archive.open("wb") as out:
    shutil.copyfileobj(answer, out)
with tarfile.open(archive) as tar:
    top = tar.getnames()[0].split("/")[0]
    tar.extractall(run, filter="data")
shutil.move(run / top, run / "odoo-src")
archive.unlink()
PY
}

system_odoo="$(odoo_version "$PYTHON")"
if [ -n "${ODOO_SRC:-}" ]; then
    [ -f "$ODOO_SRC/odoo/release.py" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo/release.py)."
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" || die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0."
    odoo_from=src
elif [ "$system_odoo" = "18.0" ]; then
    odoo_from=system
elif [ -n "$system_odoo" ]; then
    die "$PYTHON imports Odoo $system_odoo, not 18.0: set ODOO_SRC to an Odoo 18.0 source tree."
else
    say "no Odoo found: fetching Odoo's official 18.0 nightly source"
    fetch_nightly || die "Odoo 18.0 could not be had: set ODOO_SRC to an Odoo 18.0 source tree (git clone -b 18.0 --depth 1 https://github.com/odoo/odoo) or install Odoo 18.0 for $PYTHON."
    ODOO_SRC="$RUN/odoo-src"
    odoo_from=src
fi

if [ ! -x "$PY" ]; then
    say "creating the virtualenv $VENV"
    if [ "$odoo_from" = system ]; then
        "$PYTHON" -m venv --system-site-packages "$VENV"
    else
        "$PYTHON" -m venv "$VENV"
    fi || die "could not create a virtualenv: install Python's venv module (Debian: python3-venv)."
fi

if [ "$(odoo_version "$PY")" != "18.0" ]; then
    case "$odoo_from" in
    src)
        command -v pg_config >/dev/null || apt_install libpq-dev
        [ -f /usr/include/ldap.h ] || apt_install libldap2-dev libsasl2-dev
        say "installing Odoo 18.0 from $ODOO_SRC (a few minutes)"
        pip_install -r "$ODOO_SRC/requirements.txt" || die "Odoo's requirements did not install: see pip's message above."
        pip_install "$ODOO_SRC" || die "Odoo did not install from $ODOO_SRC."
        ;;
    system) die "the virtualenv $VENV does not see $PYTHON's Odoo: remove $VENV and run again." ;;
    esac
fi

if ! cmp -s "$REPO/requirements-test.txt" "$VENV/.requirements-test.txt" 2>/dev/null; then
    say "installing helpdesk_mgmt and the test tools"
    pip_install -r "$REPO/requirements-test.txt" || die "helpdesk_mgmt or the test tools did not install: see pip's message above."
    cp "$REPO/requirements-test.txt" "$VENV/.requirements-test.txt"
fi

# The addon as Odoo sees it: a folder named after the addon whose entries link
# to the checkout's (dot-folders such as .run and .venv left out). A link to
# the checkout itself would hold .run/addons again, and tools that walk the
# addons path (Odoo's translation export) would never stop.
shadow="$ADDONS_LINK_DIR/$ADDON"
[ -L "$shadow" ] && rm "$shadow"
mkdir -p "$shadow"
find "$shadow" -maxdepth 1 -type l -delete
ln -s "$REPO"/* "$shadow/"
say "Python ready: $("$PY" -c 'import odoo.release as r; print("Odoo", r.version)') in $VENV"
