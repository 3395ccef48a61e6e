#!/usr/bin/env bash
# Run the whole test suite on newer QGIS releases, each in a Debian chroot.
#
#   scripts/test_matrix.sh [SUITE ...]     (default: trixie sid; as root)
#
#   trixie  Debian 13: QGIS 3.40, Python 3.13, numpy 2.2, GDAL 3.10
#   sid     Debian unstable: QGIS 3.44, Python 3.14, numpy 2.4, GDAL 3.13
#
# Each chroot is made once with debootstrap under $CRNN_CHROOTS (default
# <repo>/.build/chroots/<suite>) and reused by later runs; a run reinstalls only when the
# package list or requirements.txt changed. Torch there is Debian's python3-torch (PyPI's
# torch for those Pythons is the CUDA build) and h5py Debian's python3-h5py (built against
# the same libhdf5 as Debian's GDAL); the test tools come from requirements.txt into a
# venv made with --system-site-packages, with numpy, scipy and torch pinned to Debian's
# versions so pip never replaces them.
#
# The checkout is bind-mounted at /src inside the chroot, in a private mount namespace
# (nothing stays mounted after the run), with the chroot's own venv mounted over
# /src/.venv and its own QGIS profile over /src/.build/qgis, so tests and
# scripts/qgis_process run there exactly as they do natively.
#
# Exit status: 0 when every suite that could be built passed; 1 when a test failed in any.
# A suite whose chroot cannot be built (a download failed) is reported loudly and skipped.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chroots="${CRNN_CHROOTS:-$repo/.build/chroots}"
mirror="${CRNN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie sid)

# What the suite needs from Debian inside the chroot (QGIS, GDAL, torch, a display for
# the dialog screenshots, OpenBLAS for numpy's thread test, h5py for the tests' HDF5 files).
packages=(qgis python3-qgis qgis-providers python3-gdal python3-torch python3-scipy
    python3-matplotlib python3-h5py python3-venv libopenblas0-pthread xvfb xauth
    ca-certificates git)

log() { printf '\n==== test-matrix: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
    echo "scripts/test_matrix.sh: needs root (debootstrap, chroot, mount)" >&2
    exit 1
fi
if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    apt-get install -y --no-install-recommends debootstrap >/dev/null 2>&1 || {
        apt-get update >/dev/null && apt-get install -y --no-install-recommends debootstrap; }
fi

# The stamp says what a chroot was provisioned with; a change reprovisions it.
provision_key() {
    { printf '%s\n' "${packages[@]}"; cat "$repo/requirements.txt"; cat "$0"; } | sha256sum | cut -c1-16
}

# Runs a command inside the chroot, in a private mount namespace with /proc, /sys, /dev
# and the checkout mounted (unmounted when the namespace ends).
in_chroot() {
    local root=$1
    shift
    mkdir -p "$root/src" "$root/opt/crnn-venv" "$root/opt/crnn-qgis" "$repo/.venv" \
        "$repo/.build/qgis"
    unshare --mount --propagation private -- /bin/bash -euo pipefail -c '
        root=$1 repo=$2; shift 2
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --rbind /dev "$root/dev"
        mount --bind "$repo" "$root/src"
        mount --bind "$root/opt/crnn-venv" "$root/src/.venv"
        mount --bind "$root/opt/crnn-qgis" "$root/src/.build/qgis"
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive QT_QPA_PLATFORM=offscreen \
            PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 "$@"
    ' in_chroot "$root" "$repo" "$@"
}

# Makes (or completes) the chroot of one suite; fails only on a download or install error.
build_chroot() {
    local suite=$1 root=$2 key
    key="$(provision_key)"
    if [ -f "$root/.crnn-ready" ] && [ "$(cat "$root/.crnn-ready")" = "$key" ]; then
        log "$suite: reusing $root"
        return 0
    fi
    if [ ! -x "$root/usr/bin/apt-get" ] || [ ! -f "$root/.crnn-debootstrapped" ]; then
        log "$suite: debootstrap into $root (from $mirror)"
        rm -rf "$root"
        mkdir -p "$(dirname "$root")"
        debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
            tail -20 "$root.debootstrap.log" >&2
            return 1
        }
        touch "$root/.crnn-debootstrapped"
    fi
    # The archive seen from here may be a snapshot whose Release files have expired; pip
    # inside needs this machine's extra CA certificates (a TLS-inspecting proxy).
    printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' \
        >"$root/etc/apt/apt.conf.d/99crnn-snapshot"
    mkdir -p "$root/usr/local/share/ca-certificates"
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    fi
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    log "$suite: installing QGIS, GDAL, torch and the test tools"
    in_chroot "$root" /bin/bash -euo pipefail -c '
        apt-get update -q
        apt-get install -y -q --no-install-recommends "$@"
        update-ca-certificates >/dev/null
        export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
        [ -x /src/.venv/bin/python ] || python3 -m venv --system-site-packages /src/.venv
        /src/.venv/bin/python /src/scripts/checkout_path.py /src/.build/plugins
        # Debian brings numpy, scipy, torch and h5py: pin the first three so pip never
        # replaces them, and leave torch and h5py out of the pip install.
        python3 -c "import numpy, scipy, torch
print(f\"numpy=={numpy.__version__}\nscipy=={scipy.__version__}\ntorch=={torch.__version__}\")" \
            >/opt/crnn-constraints.txt
        grep -v -e "^torch==" -e "^h5py==" /src/requirements.txt >/opt/crnn-requirements.txt
        /src/.venv/bin/python -m pip install -q -c /opt/crnn-constraints.txt \
            -r /opt/crnn-requirements.txt
    ' provision "${packages[@]}" || return 1
    echo "$key" >"$root/.crnn-ready"
}

# Prints the versions the suite runs against, then runs it as `make test` does.
run_suite() {
    local root=$1
    in_chroot "$root" /bin/bash -euo pipefail -c '
        cd /src
        /usr/bin/qgis_process.bin --version 2>/dev/null | head -3 || true
        .venv/bin/python -c "import sys, numpy, torch; from osgeo import gdal
print(\"Python\", sys.version.split()[0], \"numpy\", numpy.__version__, \"torch\",
      torch.__version__, \"GDAL\", gdal.__version__)"
        rc=0
        .venv/bin/python -m pytest -p no:cacheprovider "$@" || rc=$?
        if [ $rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi
        exit $rc
    ' suite "${CRNN_PYTEST_ARGS[@]}"
}

read -r -a CRNN_PYTEST_ARGS <<<"${CRNN_PYTEST_ARGS:-}"
passed=() failed=() skipped=()
for suite in "${suites[@]}"; do
    root="$chroots/$suite"
    if ! build_chroot "$suite" "$root"; then
        log "SKIPPED $suite: its chroot could not be built (a download or install failed; see above)"
        skipped+=("$suite")
        continue
    fi
    log "$suite: running the test suite"
    if run_suite "$root"; then
        passed+=("$suite")
    else
        failed+=("$suite")
    fi
done

log "passed: ${passed[*]:-none}; FAILED: ${failed[*]:-none}; SKIPPED (not built): ${skipped[*]:-none}"
[ ${#failed[@]} -eq 0 ]
