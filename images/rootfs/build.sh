#!/usr/bin/env bash
# Build a pyro environment root filesystem: Debian 12 (bookworm) minbase + a package list,
# written into a sparse 2 GiB raw ext4 image without loop mounts (mkfs.ext4 -d).
#
# usage: build.sh NAME OUT_FILE MIRROR_URI
#   NAME        environment; its package list is <this dir>/NAME.packages (debian-12, debian-12-base, debian-12-build)
#   OUT_FILE    raw ext4 image to write (renamed into place only after e2fsck passes)
#   MIRROR_URI  Debian mirror, e.g. the host's own apt mirror; never hard-coded here
# optional (`pyro env build`):
#   PYRO_ROOTFS_PACKAGES  package list file to use instead of NAME.packages
#   PYRO_ROOTFS_OVERLAY   directory whose tree is copied over the image after the packages
#   PYRO_ROOTFS_SETUP     shell script run once inside the image (chroot, as root) after that
# outputs: OUT_FILE, OUT_FILE.log (mmdebstrap/mkfs output)
# Needs root (so file ownership in the image is real uid 0), mmdebstrap, e2fsprogs.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 NAME OUT_FILE MIRROR_URI" >&2; exit 2; }
NAME=$1 MIRROR=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIST=${PYRO_ROOTFS_PACKAGES:-$HERE/$NAME.packages}
OUT=$(realpath -m "$2")
LOG=$OUT.log
SIZE=${PYRO_ROOTFS_SIZE:-2G}
START=$SECONDS

[[ $NAME =~ ^[a-z0-9][a-z0-9.-]*$ && -f $LIST ]] || { echo "[rootfs] error: unknown environment '$NAME' (no $LIST)" >&2; exit 2; }
[[ -n $MIRROR && $MIRROR != *[[:space:]]* ]] || { echo "[rootfs] error: MIRROR_URI must be a single URI" >&2; exit 2; }
# Non-root mmdebstrap would run in unshare mode and the tree would carry sub-uids into the image.
[ "$(id -u)" -eq 0 ] || { echo "[rootfs] error: must run as root" >&2; exit 2; }

mkdir -p "$(dirname "$OUT")"
: > "$LOG"
# Temp dir next to OUT_FILE: same filesystem, and never in a tmpfs that may be too small.
TMP=$(mktemp -d "$OUT.work.XXXXXX")
ROOT=$TMP/root
cleanup() {
  local rc=$?
  rm -rf "$TMP"
  rm -f "$OUT.tmp"
  if [ $rc -ne 0 ]; then
    echo "[rootfs] phase=failed environment=$NAME rc=$rc log=$LOG; last lines:" >&2
    tail -n 30 "$LOG" >&2 || true
  fi
}
trap cleanup EXIT

phase() { echo "[rootfs] phase=$1 environment=$NAME${2:+ $2} elapsed=$((SECONDS - START))s"; }

# Package list: one per line, '#' comments and blank lines ignored.
PKGS=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LIST" | grep -v '^$' | sort -u | paste -sd, -)
[ -n "$PKGS" ] || { echo "[rootfs] error: $LIST lists no packages" >&2; exit 2; }

# --- bootstrap: minbase (no init system; pyro-agent is PID 1). Docs/man pages are not
# installed (copyright files kept): they are dead weight in every workspace copy. ---
# Recipe hooks run inside mmdebstrap, where the image's /proc, /sys, /dev and resolv.conf are set up.
HOOKS=()
if [ -n "${PYRO_ROOTFS_OVERLAY:-}" ]; then
  # Existing directories (e.g. /tmp 1777) and directory symlinks (/bin -> usr/bin) are kept.
  HOOKS+=(--customize-hook='tar -C "$PYRO_ROOTFS_OVERLAY" --owner=0 --group=0 -cf - . | tar -C "$1" -xpf - --no-overwrite-dir --keep-directory-symlink')
fi
if [ -n "${PYRO_ROOTFS_SETUP:-}" ]; then
  HOOKS+=(--customize-hook='cp "$PYRO_ROOTFS_SETUP" "$1/tmp/pyro-setup.sh" && chroot "$1" /bin/sh -e /tmp/pyro-setup.sh && rm -f "$1/tmp/pyro-setup.sh"')
fi
export PYRO_ROOTFS_OVERLAY PYRO_ROOTFS_SETUP

phase bootstrap "packages=$PKGS"
mmdebstrap --variant=minbase --include="$PKGS" "${HOOKS[@]}" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  bookworm "$ROOT" "deb $MIRROR bookworm main" >>"$LOG" 2>&1

# --- customize: what pyro expects in every environment ---
phase customize
install -d -m 0755 "$ROOT/workspace"
echo pyro > "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost pyro\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
: > "$ROOT/etc/resolv.conf"   # filled in by the agent when a network is attached
install -d -m 0755 "$ROOT/usr/local/sbin"
# apt lists/caches are ~40 MB and stale by the time anyone uses them; `apt-get update` restores them.
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb
NPKG=$(grep -c '^Status: install ok installed' "$ROOT/var/lib/dpkg/status")

# --- image: sparse file; inode tables and journal initialised now so the guest's first
# boot has no ext4lazyinit work (measured +0.5 s otherwise) ---
phase image "size=$SIZE"
rm -f "$OUT.tmp"
truncate -s "$SIZE" "$OUT.tmp"
mkfs.ext4 -q -F -L pyroroot -E lazy_itable_init=0,lazy_journal_init=0 -d "$ROOT" "$OUT.tmp" >>"$LOG" 2>&1

phase check
e2fsck -fn "$OUT.tmp" >>"$LOG" 2>&1
mv "$OUT.tmp" "$OUT"
phase done "image=$OUT packages_installed=$NPKG apparent_bytes=$(stat -c %s "$OUT") allocated_bytes=$(( $(stat -c %b "$OUT") * $(stat -c %B "$OUT") ))"
