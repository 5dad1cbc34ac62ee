#!/usr/bin/env bash
# Fetch pyro's default guest kernel: Debian's prebuilt cloud kernel (security updates come with
# apt), unpacked into the cache, never installed into the host's /boot.
#
# usage: debian.sh OUT_DIR
#   env PYRO_KERNEL_PACKAGE  linux-image package to use (default: what linux-image-cloud-amd64 depends on)
# outputs (renamed into place only once complete):
#   OUT_DIR/vmlinux            the uncompressed ELF with the PVH (Xen 0x12) entry note
#   OUT_DIR/modules.cpio       newc archive: lib/modules/pyro/[GROUP/]NN-<name>.ko in load order
#   OUT_DIR/kernel-build.json  provenance: package, version, .deb sha256, release, sha256s
#   OUT_DIR/build.log          apt/dpkg output (its tail is printed to stderr on failure)
# The virtio drivers are modules in this kernel and it has no command-line virtio-mmio devices,
# so guests boot with ACPI on (devices in the DSDT) and the initramfs loads the modules.
# Needs: apt-get (with current lists), dpkg-deb, lz4/gzip/xz/zstd, readelf, objcopy, cpio.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODULE_LIST=$HERE/debian-modules.list
OUT_DIR=$(realpath -m "$1")
LOG=$OUT_DIR/build.log
START=$SECONDS

mkdir -p "$OUT_DIR"
: > "$LOG"
WORK=$(mktemp -d "$OUT_DIR.work.XXXXXX")
cleanup() {
  local rc=$?
  rm -rf "$WORK"
  rm -f "$OUT_DIR"/.*.tmp
  if [ $rc -ne 0 ]; then
    echo "[kernel] phase=failed rc=$rc log=$LOG; last lines:" >&2
    tail -n 30 "$LOG" >&2 || true
  fi
}
trap cleanup EXIT
phase() { echo "[kernel] phase=$1${2:+ $2} elapsed=$((SECONDS - START))s"; }
for tool in apt-get apt-cache dpkg-deb readelf objcopy cpio; do
  command -v "$tool" >/dev/null || { echo "[kernel] error: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

# --- resolve: the package the cloud metapackage points at, unless pinned ---
PKG=${PYRO_KERNEL_PACKAGE:-$(apt-cache depends linux-image-cloud-amd64 2>>"$LOG" | awk '/Depends: linux-image-/{print $2; exit}')}
[[ $PKG =~ ^linux-image-[0-9][A-Za-z0-9.+-]*$ ]] || {
  echo "[kernel] error: cannot resolve the Debian cloud kernel package (got '${PKG}'; run apt-get update?)" >&2; exit 1; }
VERSION=$(apt-cache policy "$PKG" 2>>"$LOG" | awk '/Candidate:/{print $2}')
[ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] || { echo "[kernel] error: $PKG is not available from apt" >&2; exit 1; }
RELEASE=${PKG#linux-image-}

phase download "package=$PKG version=$VERSION"
(cd "$WORK" && apt-get download "$PKG=$VERSION") >>"$LOG" 2>&1
DEB=$(ls "$WORK"/"${PKG}"_*.deb)
DEB_SHA=$(sha256sum "$DEB" | cut -d' ' -f1)

phase extract
dpkg-deb -x "$DEB" "$WORK/pkg"
VMLINUZ=$WORK/pkg/boot/vmlinuz-$RELEASE
[ -f "$VMLINUZ" ] || { echo "[kernel] error: $PKG has no /boot/vmlinuz-$RELEASE" >&2; exit 1; }

# --- vmlinux: a bzImage carries the compressed ELF after its setup code; find the payload by
# its magic and decompress (the kernel tree's extract-vmlinux does the same). PVH boot of the
# ELF skips the in-guest decompressor (about 0.6 s under TCG). ---
try_decompress() { # MAGIC(printf %b) TOOL...
  local magic=$1; shift
  local off
  for off in $(LC_ALL=C grep -abo "$(printf '%b' "$magic")" "$VMLINUZ" | cut -d: -f1 | head -5); do
    if tail -c +$((off + 1)) "$VMLINUZ" | "$@" > "$WORK/vmlinux" 2>/dev/null || [ -s "$WORK/vmlinux" ]; then
      if readelf -h "$WORK/vmlinux" >/dev/null 2>&1; then return 0; fi
    fi
  done
  return 1
}
try_decompress '\x02\x21\x4c\x18' lz4 -dc ||
  try_decompress '\x28\xb5\x2f\xfd' zstd -dc ||
  try_decompress '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
  try_decompress '\x1f\x8b\x08' gzip -dc || {
    echo "[kernel] error: could not unpack an ELF vmlinux from $VMLINUZ" >&2; exit 1; }
if ! readelf -n "$WORK/vmlinux" | grep -Eq 'Xen[[:space:]].*(0x00000012|XEN_ELFNOTE_PHYS32_ENTRY)'; then
  echo "[kernel] error: $PKG's vmlinux has no Xen PVH entry note (0x12); it cannot be booted directly" >&2
  exit 1
fi

# --- modules: copy the listed ones, checking that each module's dependencies load before it ---
phase modules
MODDIR=$WORK/pkg/lib/modules/$RELEASE/kernel
STAGE=$WORK/initrd/lib/modules/pyro
mkdir -p "$STAGE"
declare -A group_of=()   # module name -> its group ("" for always loaded)
n=0
while read -r rel group extra; do
  rel=${rel%%#*}
  [ -n "$rel" ] || continue
  [ -z "${extra:-}" ] && [[ ${group:-} =~ ^[a-z0-9]*$ ]] || {
    echo "[kernel] error: debian-modules.list: bad line '$rel ${group:-} ${extra:-}'" >&2; exit 1; }
  ko=$MODDIR/$rel.ko
  [ -f "$ko" ] || { echo "[kernel] error: module $rel.ko is not in $PKG" >&2; exit 1; }
  name=$(basename "$rel")
  deps=$(objcopy -O binary -j .modinfo "$ko" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p')
  for dep in ${deps//,/ }; do
    dep=${dep//-/_}
    [ -n "${group_of[$dep]+set}" ] && { [ -z "${group_of[$dep]}" ] || [ "${group_of[$dep]}" = "${group:-}" ]; } || {
      echo "[kernel] error: $name needs $dep, which debian-modules.list does not load before it (in its group)" >&2
      exit 1
    }
  done
  group_of[${name//-/_}]=${group:-}
  dir=$STAGE${group:+/$group}
  mkdir -p "$dir"
  cp "$ko" "$dir/$(printf '%02d' $n)-$name.ko"
  n=$((n + 1))
done < "$MODULE_LIST"
(cd "$WORK/initrd" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$OUT_DIR/.modules.cpio.tmp"
cp "$WORK/vmlinux" "$OUT_DIR/.vmlinux.tmp"

VMLINUX_SHA=$(sha256sum "$OUT_DIR/.vmlinux.tmp" | cut -d' ' -f1)
MODULES_SHA=$(sha256sum "$OUT_DIR/.modules.cpio.tmp" | cut -d' ' -f1)
cat > "$OUT_DIR/.kernel-build.json.tmp" <<JSON
{
  "flavor": "debian",
  "source_package": "$PKG",
  "source_version": "$VERSION",
  "source_deb_sha256": "$DEB_SHA",
  "kernel_release": "$RELEASE",
  "device_discovery": "acpi",
  "modules": $n,
  "vmlinux_sha256": "$VMLINUX_SHA",
  "modules_cpio_sha256": "$MODULES_SHA"
}
JSON
# artifacts first, metadata last: kernel-build.json present == finished fetch.
mv "$OUT_DIR/.modules.cpio.tmp" "$OUT_DIR/modules.cpio"
mv "$OUT_DIR/.vmlinux.tmp" "$OUT_DIR/vmlinux"
mv "$OUT_DIR/.kernel-build.json.tmp" "$OUT_DIR/kernel-build.json"
phase done "package=$PKG version=$VERSION release=$RELEASE modules=$n"
