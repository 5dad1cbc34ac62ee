#!/usr/bin/env bash
# Pack a directory tree (an unpacked container image) into a pyro rootfs image: a sparse raw
# ext4 file made with mkfs.ext4 -d (no loop mounts), as build.sh does for catalog images.
#
# usage: from-tree.sh TREE OUT_FILE
#   TREE      directory holding the root filesystem (pyro has already added /workspace etc.)
#   OUT_FILE  raw ext4 image to write (renamed into place only after e2fsck passes)
# The size is PYRO_ROOTFS_SIZE, or 2G, or 1.5 x the tree plus 512 MiB when that is larger.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TREE OUT_FILE" >&2; exit 2; }
TREE=$1
OUT=$(realpath -m "$2")
[ -d "$TREE" ] || { echo "[rootfs] error: $TREE is not a directory" >&2; exit 2; }
START=$SECONDS
phase() { echo "[rootfs] phase=$1${2:+ $2} elapsed=$((SECONDS - START))s"; }
trap 'rm -f "$OUT.tmp"' EXIT

USED_MIB=$(( $(du -sxm "$TREE" | cut -f1) ))
WANT_MIB=$(( USED_MIB * 3 / 2 + 512 ))
SIZE=${PYRO_ROOTFS_SIZE:-$(( WANT_MIB > 2048 ? WANT_MIB : 2048 ))M}

phase image "size=$SIZE used_mib=$USED_MIB"
rm -f "$OUT.tmp"
truncate -s "$SIZE" "$OUT.tmp"
mkfs.ext4 -q -F -L pyroroot -E lazy_itable_init=0,lazy_journal_init=0 -d "$TREE" "$OUT.tmp"
phase check
e2fsck -fn "$OUT.tmp" >/dev/null
mv "$OUT.tmp" "$OUT"
phase done "image=$OUT"
