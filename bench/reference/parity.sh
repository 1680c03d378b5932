#!/bin/sh
# End-to-end numerical parity: the TypeScript engine and an independent PyTorch implementation of
# the OFA architecture run the same small model on the same inputs; exits non-zero when the max
# abs difference of the logits exceeds the tolerance (default 1e-4, fp32).
# usage: bench/reference/parity.sh [preset] [tolerance]   (BIOMED_BACKEND picks the tfjs backend)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
npx tsx bench/reference/export-case.ts "$out" "${1:-cpu-xs}" 2>&1 | grep -v -e 'tfjs-node' -e '^=*$' -e '^$' || true
test -f "$out/case.safetensors"
OMP_WAIT_POLICY=passive /usr/bin/python3 "$here/ofa_reference.py" "$out/model.safetensors" "$out/case.safetensors" "${2:-1e-4}"
