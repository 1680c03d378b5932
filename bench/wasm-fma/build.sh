#!/usr/bin/env bash
# Builds bench/wasm-fma/build/gemm-simd.wasm and gemm-relaxed.wasm from gemm.c (bench only).
# Needs Debian's clang and lld for wasm32, version 16 (apt-get install -y clang-16 lld-16): clang 14
# encodes relaxed_madd with the proposal's old opcode, which Node 20 rejects. CLANG / WASM_LD override.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CLANG=${CLANG:-clang-16}
WASM_LD=${WASM_LD:-wasm-ld-16}
out="$here/build"
mkdir -p "$out"
# -ffp-contract=off: the mul+add build must not be fused by the compiler (the relaxed build fuses by hand).
common=(--target=wasm32 -nostdlib -O3 -msimd128 -mbulk-memory -ffp-contract=off -Wall -Wextra)
"$CLANG" "${common[@]}" -c "$here/gemm.c" -o "$out/gemm-simd.o"
"$CLANG" "${common[@]}" -mrelaxed-simd -DWF_RELAXED -c "$here/gemm.c" -o "$out/gemm-relaxed.o"
for v in simd relaxed; do
  # Own memory (exported as "memory", grown by wf_alloc); no entry point; 64 KiB stack.
  "$WASM_LD" --no-entry -z stack-size=65536 --export=__heap_base "$out/gemm-$v.o" -o "$out/gemm-$v.wasm"
done
ls -l "$out"/*.wasm
