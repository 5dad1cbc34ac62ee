#!/usr/bin/env bash
# The stopped-workspace smoke (issue 5): seed -> shell writes a file -> a service logs ->
# stop -> offline disk list/read/export -> the exported ext4 is clean and holds the file but
# no runtime-only state -> start -> exec sees every file -> delete.
# Usage: bash examples/stopped-workspace.sh   (after scripts/setup.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pyro() { node "$root/dist/cli/main.js" "$@"; }
work=$(mktemp -d /tmp/pyro-example-XXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seed" && echo "seeded file" > "$work/seed/seed.txt"

ws=$(pyro workspace create debian:12 --seed-path "$work/seed" --id-only)
trap 'pyro workspace delete "$ws" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
shell=$(pyro workspace shell open "$ws" --id-only)
pyro workspace shell write "$ws" "$shell" --input "echo 'written by a shell' > from-shell.txt"
# Typed and printed only in the shell: this marker lives in the shell buffer, never on disk.
pyro workspace shell write "$ws" "$shell" --input "echo shell-buffer-only-\$((6*7))"
pyro workspace shell read "$ws" "$shell" --plain --wait-for-idle-ms 300 | grep -q shell-buffer-only-42
pyro workspace shell close "$ws" "$shell" >/dev/null
pyro workspace service start "$ws" ticker -- sh -c 'while :; do echo service-tick; sleep 1; done'

pyro workspace stop "$ws"
pyro workspace disk list "$ws" --recursive
test "$(pyro workspace disk read "$ws" from-shell.txt --content-only)" = "written by a shell"
pyro workspace disk export "$ws" --output "$work/disk.ext4"
e2fsck -fn "$work/disk.ext4"
test "$(debugfs -R 'cat /workspace/from-shell.txt' "$work/disk.ext4" 2>/dev/null)" = "written by a shell"
for marker in service-tick shell-buffer-only; do
  if grep -a -q "$marker" "$work/disk.ext4"; then echo "runtime-only state ($marker) leaked into the image" >&2; exit 1; fi
done

pyro workspace start "$ws"
pyro workspace exec "$ws" -- sh -c 'cat seed.txt from-shell.txt'
pyro workspace delete "$ws"
echo "stopped-workspace example: OK"
