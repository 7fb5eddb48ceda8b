#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: make sure the system libraries the C shim
# links (libzstd, liblz4, OpenSSL's libcrypto) are installed, then build. Sourced, not run directly.
set -euo pipefail

need_packages=()
for pkg in libzstd-dev liblz4-dev libssl-dev; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        need_packages+=("$pkg")
    fi
done

if ((${#need_packages[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "error: missing system packages: ${need_packages[*]}" >&2
        echo "       install them with: sudo apt-get update && sudo apt-get install -y ${need_packages[*]}" >&2
        exit 1
    fi
    echo "==> installing ${need_packages[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need_packages[@]}" >&2
fi
