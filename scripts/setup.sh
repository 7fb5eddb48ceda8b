#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: make sure the C libraries the shim links
# (libzstd, liblz4 and, on Linux, OpenSSL's libcrypto) can be compiled against and linked, and
# install them with apt-get where that is the system's package manager. Sourced, not run directly.
#
# Libraries are detected by compiling and linking a one-line program against each (with the flags
# pkg-config gives, when it knows the library), so any installation counts: Debian packages,
# Homebrew, dnf, or a library built by hand.
set -euo pipefail

# library header symbol pkg-config-name debian fedora homebrew
libraries=(
    "zstd zstd.h ZSTD_versionNumber libzstd libzstd-dev libzstd-devel zstd"
    "lz4 lz4frame.h LZ4F_getVersion liblz4 liblz4-dev lz4-devel lz4"
)
if [[ $(uname -s) != Darwin ]]; then  # Apple platforms hash with CommonCrypto
    libraries+=("crypto openssl/evp.h EVP_sha256 libcrypto libssl-dev openssl-devel openssl@3")
fi

# links LIBRARY HEADER SYMBOL PKGCONFIG: whether a program using SYMBOL compiles and links.
links() {
    local library=$1 header=$2 symbol=$3 pkgconfig=$4 compiler flags
    compiler=$(command -v cc || command -v clang || command -v gcc) || return 1
    flags=$(pkg-config --cflags --libs "$pkgconfig" 2>/dev/null || echo "-l$library")
    local folder
    folder=$(mktemp -d)
    printf '#include <%s>\nint main(void) { return (int)(long)&%s == 0; }\n' "$header" "$symbol" >"$folder/probe.c"
    # shellcheck disable=SC2086  # the flags are words
    "$compiler" "$folder/probe.c" -o "$folder/probe" $flags >/dev/null 2>&1
    local status=$?
    rm -rf "$folder"
    return $status
}

missing=()
debian=() fedora=() homebrew=()
for entry in "${libraries[@]}"; do
    read -r library header symbol pkgconfig deb rpm brew <<<"$entry"
    if ! links "$library" "$header" "$symbol" "$pkgconfig"; then
        missing+=("$library")
        debian+=("$deb")
        fedora+=("$rpm")
        homebrew+=("$brew")
    fi
done

if ((${#missing[@]})); then
    if command -v apt-get >/dev/null 2>&1; then
        if [[ $(id -u) -ne 0 ]]; then
            echo "error: missing C libraries: ${missing[*]}" >&2
            echo "       install them with: sudo apt-get update && sudo apt-get install -y ${debian[*]}" >&2
            exit 1
        fi
        echo "==> installing ${debian[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq "${debian[@]}" pkg-config >&2
    else
        echo "error: missing C libraries: ${missing[*]} (a program using them did not compile and link)" >&2
        echo "       Homebrew: brew install ${homebrew[*]} pkg-config" >&2
        echo "       Fedora:   sudo dnf install -y ${fedora[*]} pkgconf-pkg-config" >&2
        echo "       Debian:   sudo apt-get install -y ${debian[*]} pkg-config" >&2
        exit 1
    fi
fi
