#!/usr/bin/env bash
# Install the Debian packages the project needs.
#
# Idempotent and cheap: `make setup` calls it on every run. When every package is
# already installed it only asks dpkg and exits; apt-get runs only for what is missing.
#
# Usage: scripts/install-system-deps.sh [EXTRA_PACKAGE ...]
set -euo pipefail

# The Debian packages the project needs, one per line. Add new ones here.
PACKAGES=(
    postgresql # server + client: initdb/pg_ctl for the throw-away test cluster (tests/python/pgcluster.py)
    chromium # headless browser the web dashboard's browser tests drive (Playwright, executable_path)
    chromium-driver # chromedriver of the same build, for WebDriver-based tools
    nodejs # runs npm, which installs axe-core for the accessibility tests (make js-deps)
)
# npm: Debian packages it apart from nodejs; a Node.js from elsewhere (NodeSource) bundles its own
# and conflicts with Debian's, so it is only asked for when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(npm)
fi

log() {
    printf 'install-system-deps: %s\n' "$*" >&2
}

# True when dpkg reports the package fully installed. Packages that are absent, removed
# with their config files left ("deinstall ok config-files") or half-configured count as missing.
is_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" || return 1
    [[ "${status}" == "install ok installed" ]]
}

main() {
    local -a wanted=("${PACKAGES[@]}" "$@")

    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        log "not a Debian/Ubuntu system (no dpkg-query/apt-get); install these yourself: ${wanted[*]}"
        exit 0
    fi

    local -a missing=()
    local pkg
    for pkg in "${wanted[@]}"; do
        is_installed "${pkg}" || missing+=("${pkg}")
    done

    if ((${#missing[@]} == 0)); then
        log "all present: ${wanted[*]}"
        exit 0
    fi

    local -a as_root=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            log "missing packages: ${missing[*]}"
            log "run this script as root, or install sudo, or install them yourself:"
            log "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
            exit 1
        fi
        as_root=(sudo)
    fi

    log "installing: ${missing[*]}"
    # `env` rather than an exported variable: sudo resets the environment.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"

    for pkg in "${missing[@]}"; do
        if ! is_installed "${pkg}"; then
            log "apt-get finished but ${pkg} is still not installed"
            exit 1
        fi
    done
    log "done"
}

main "$@"
