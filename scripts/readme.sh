#!/usr/bin/env bash
# README.rst and static/description/index.html are generated from readme/*.md
# and __manifest__.py by OCA's oca-gen-addon-readme (OCA/maintainer-tools), with
# the options of OCA's 18.0 repository template.
#   scripts/readme.sh          regenerate them in place (make readme)
#   scripts/readme.sh check    fail when they differ from what the generator
#                              makes of readme/ (make lint)
# The generator is not on PyPI, and the project does not install it. It is
# looked up, in this order:
#   MAILGATE_README_TOOL   a virtualenv holding it, or the program itself
#   the project venv       ${MAILGATE_VENV:-.venv}/bin/oca-gen-addon-readme
#   PATH                   oca-gen-addon-readme
# Where GitHub is reachable, install it into a virtualenv of its own:
#   python3 -m venv ~/venvs/oca-readme
#   ~/venvs/oca-readme/bin/pip install git+https://github.com/OCA/maintainer-tools \
#       pypandoc_binary==1.17 docutils==0.21.2
#   export MAILGATE_README_TOOL=~/venvs/oca-readme
# (pypandoc_binary brings the pandoc that turns the markdown fragments into
# reStructuredText; the committed files were made with those two versions, and
# another pandoc or docutils may word a line differently.)
#
# The generator runs on a copy of the sources in a temporary folder named
# helpdesk_mgmt_mailgate: it names the addon after its folder, and this
# checkout's folder may be called anything. Unlike OCA's hook, it runs without
# --if-source-changed, so that a hand edit of README.rst is always undone (or
# caught) even while the source digest still matches.
source "$(dirname "$0")/lib.sh"

mode="${1:-write}"
case "$mode" in
write | check) ;;
*) die "usage: scripts/readme.sh [check]" ;;
esac

GENERATOR=oca-gen-addon-readme
GENERATOR_OPTIONS=(
    --org-name=OCA
    --repo-name=helpdesk
    --branch=18.0
    --keep-source-digest
    --convert-fragments-to-markdown
)
INSTALL_HINT="Install OCA's generator where GitHub is reachable: python3 -m venv ~/venvs/oca-readme && ~/venvs/oca-readme/bin/pip install git+https://github.com/OCA/maintainer-tools pypandoc_binary==1.17 docutils==0.21.2, then set MAILGATE_README_TOOL=~/venvs/oca-readme (or put $GENERATOR on PATH, or install it into $VENV)."

# find_generator: print the generator's path, or nothing.
find_generator() {
    local tool="${MAILGATE_README_TOOL:-}"
    if [ -n "$tool" ]; then
        [ -d "$tool" ] && tool="$tool/bin/$GENERATOR"
        [ -x "$tool" ] && echo "$tool"
        return 0
    fi
    if [ -x "$VENV/bin/$GENERATOR" ]; then
        echo "$VENV/bin/$GENERATOR"
    else
        command -v "$GENERATOR" 2>/dev/null || true
    fi
}

# versions TOOL: the docutils and pandoc the generator's Python uses, as one line.
versions() {
    local python
    python="$(head -1 "$1" | sed -n 's/^#![[:space:]]*//p')"
    "$python" -c 'import docutils, pypandoc; print("docutils", docutils.__version__, "and pandoc", pypandoc.get_pandoc_version())' 2>/dev/null \
        || echo "docutils and pandoc of unknown versions"
}

tool="$(find_generator)"
if [ -z "$tool" ]; then
    if [ -n "${MAILGATE_README_TOOL:-}" ]; then
        die "MAILGATE_README_TOOL=$MAILGATE_README_TOOL holds no $GENERATOR, so README.rst cannot be generated nor checked. $INSTALL_HINT"
    fi
    die "$GENERATOR (OCA/maintainer-tools) is not installed, so README.rst cannot be generated nor checked against readme/. $INSTALL_HINT"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copy="$work/$ADDON"
mkdir -p "$copy/static/description"
cp "$REPO/__manifest__.py" "$copy/"
cp -R "$REPO/readme" "$copy/readme"
[ -f "$REPO/README.rst" ] && cp "$REPO/README.rst" "$copy/"
[ -f "$REPO/static/description/index.html" ] && cp "$REPO/static/description/index.html" "$copy/static/description/"

(cd "$work" && "$tool" --addon-dir="$ADDON" "${GENERATOR_OPTIONS[@]}") \
    || die "$GENERATOR failed on readme/ (see its message above; it renders README.rst with docutils and stops at the first warning)."

generated=(README.rst static/description/index.html)
if [ "$mode" = check ]; then
    stale=()
    for file in "${generated[@]}"; do
        cmp -s "$copy/$file" "$REPO/$file" || stale+=("$file")
    done
    diff -rq "$copy/readme" "$REPO/readme" >/dev/null || stale+=("readme/ (fragments to convert to markdown)")
    if [ "${#stale[@]}" -gt 0 ]; then
        diff -u "$REPO/README.rst" "$copy/README.rst" | head -40 || true
        die "these files differ from what $GENERATOR makes of readme/ and __manifest__.py (with $(versions "$tool")): $(printf '%s; ' "${stale[@]}")edit readme/*.md, never README.rst, then run make readme and commit the result."
    fi
    say "README.rst and static/description/index.html are generated from readme/"
    exit 0
fi

mkdir -p "$REPO/static/description"
for file in "${generated[@]}"; do
    cmp -s "$copy/$file" "$REPO/$file" || { cp "$copy/$file" "$REPO/$file"; say "regenerated $file"; }
done
if ! diff -rq "$copy/readme" "$REPO/readme" >/dev/null; then
    rm -rf "$REPO/readme"
    cp -R "$copy/readme" "$REPO/readme"
    say "converted the readme/ fragments to markdown"
fi
say "README.rst is generated from readme/ ($GENERATOR, $(versions "$tool"))"
