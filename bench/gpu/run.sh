#!/bin/bash
# The workbench's WebGPU train step against PyTorch's on one NVIDIA GPU. Needs only what
# bench/gpu/build.sh put beside this file, bash, xz, python3 with torch (CUDA), and the NVIDIA
# driver; no Node, no npm, no network.
#   run.sh           Base, Large and XLarge at the bench workload (batch 8, image + 32 + 32 tokens):
#                    webgpu with own kernels in f32 and f16, with stock kernels in f32, and PyTorch
#                    fp32 (TF32 off) and bf16; a rung the fit check refuses is printed with its figures
#   run.sh --small   the unit tests' tiny model instead (checks the whole path; on a machine without
#                    an NVIDIA driver it falls back to SwiftShader and PyTorch on CPU)
# The whole run keeps within BUDGET_S seconds (default 570: the 10 minutes of a lent GPU): runs are
# in order of importance and each is given what is left (at most 240 s); those that no longer fit
# are listed as skipped.
# Prints JSON lines as it goes and a summary table at the end; RESULTS_DIR (default /tmp) keeps
# the raw lines in gpu-bench.jsonl.
set -u
here=$(cd "$(dirname "$0")" && pwd)
small=0
[ "${1:-}" = "--small" ] && small=1
work="${TMPDIR:-/tmp}/biomed-gpu"
mkdir -p "$work"
log="${RESULTS_DIR:-/tmp}/gpu-bench.jsonl"
: > "$log"
say() { echo "== $*"; }

# Node, from the carried binary.
node="$work/node"
if [ ! -x "$node" ]; then xz -dc "$here/bin/node.xz" > "$node.tmp" && chmod +x "$node.tmp" && mv "$node.tmp" "$node"; fi
say "node $("$node" --version)"
# The bundle and Dawn, dawn.node unpacked beside it (node resolves app/node_modules/webgpu).
app="$work/app"
if [ ! -f "$app/node_modules/webgpu/dist/linux-x64/dawn.node" ]; then
  rm -rf "$app" && cp -r "$here/app" "$app"
  xz -dc "$here/bin/dawn.node.xz" > "$app/node_modules/webgpu/dist/linux-x64/dawn.node"
fi
cp "$here/app/webgpu-step.mjs" "$app/"

# The Vulkan loader we carry, unless the system has one.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"

# The NVIDIA Vulkan driver: an installed ICD manifest, else one written for libGLX_nvidia.so.0.
find_icd() {
  for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/local/share/vulkan/icd.d/nvidia_icd*.json; do
    [ -f "$f" ] && { echo "$f"; return 0; }
  done
  lib=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 / {print $NF; exit}')
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
    [ -z "$lib" ] && [ -f "$d/libGLX_nvidia.so.0" ] && lib="$d/libGLX_nvidia.so.0"
  done
  [ -n "$lib" ] || return 1
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > "$work/nvidia_icd.json"
  echo "$work/nvidia_icd.json"
}
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  if icd=$(find_icd); then
    export VK_ICD_FILENAMES="$icd"
  elif [ $small = 1 ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
    export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
    say "no NVIDIA Vulkan driver: --small runs on SwiftShader"
  else
    say "no NVIDIA Vulkan driver found (no nvidia_icd.json, no libGLX_nvidia.so.0)"; exit 2
  fi
fi
say "Vulkan ICD $VK_ICD_FILENAMES"
gpu_bytes=0
if command -v nvidia-smi > /dev/null; then
  say "GPU $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
  mib=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | head -1 | tr -d ' ')
  gpu_bytes=$((mib * 1048576))
fi

py=${PYTHON:-python3} # the python3 that has torch
cuda=$($py -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
dev=cpu
[ "$cuda" = 1 ] && dev=cuda
budget=${BUDGET_S:-570}
if [ $small = 1 ]; then rungs="tiny"; steps=2; warmup=1; else rungs="Base Large XLarge"; steps=3; warmup=1; fi
left() { echo $((budget - SECONDS)); }
# one webgpu run: rung kernels precision
webgpu() {
  local rung=$1 kernels=$2 precision=$3 t
  t=$(left); [ "$t" -gt 240 ] && t=240
  if [ "$t" -lt 30 ]; then
    say "skipped webgpu $rung $kernels $precision: budget"
    echo "{\"kind\":\"webgpu\",\"result\":{\"preset\":\"$rung\",\"kernels\":\"$kernels\",\"precision\":\"$precision\",\"error\":\"skipped: time budget\"}}" >> "$log"
    return
  fi
  say "webgpu $rung kernels=$kernels precision=$precision (up to ${t}s)"
  local args="{\"preset\":\"$rung\",\"steps\":$steps,\"warmup\":$warmup,\"batch\":8,\"sourceLength\":32,\"targetLength\":32,\"deviceBytes\":$gpu_bytes,\"kernels\":\"$kernels\",\"precision\":\"$precision\"}"
  local err="$work/webgpu-$rung-$kernels-$precision.err" line
  line=$(timeout "$t" "$node" "$app/webgpu-step.mjs" "$args" 2> "$err" | tail -1)
  if [ -z "$line" ]; then
    say "webgpu $rung $kernels $precision failed:"; tail -c 2000 "$err"; echo
    line="{\"preset\":\"$rung\",\"kernels\":\"$kernels\",\"precision\":\"$precision\",\"error\":\"webgpu run failed or timed out after ${t}s (see stderr above)\"}"
  fi
  echo "$line" | cut -c 1-3000
  echo "{\"kind\":\"webgpu\",\"result\":$line}" >> "$log"
  [ "$kernels/$precision" = "own/f32" ] && printf '%s' "$line" > "$work/own-$rung.json"
}
# one PyTorch run: rung dtype (the architecture from the rung's own-kernels webgpu line)
torch() {
  local rung=$1 dtype=$2 t cfg out
  [ $dev = cpu ] && [ "$dtype" = bf16 ] && return
  cfg=$($py -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get("config") or ""))' "$work/own-$rung.json" 2>/dev/null || echo '""')
  [ "$cfg" = '""' ] && { say "no config for $rung: pytorch skipped"; return; }
  t=$(left); [ "$t" -gt 240 ] && t=240
  if [ "$t" -lt 30 ]; then
    say "skipped pytorch $rung $dtype: budget"
    echo "{\"kind\":\"torch\",\"preset\":\"$rung\",\"result\":{\"dtype\":\"$dtype\",\"error\":\"skipped: time budget\"}}" >> "$log"
    return
  fi
  say "pytorch $rung $dtype on $dev (up to ${t}s)"
  out=$(OMP_WAIT_POLICY=passive timeout "$t" $py "$here/py/torch_peer.py" --config "$cfg" \
    --batch 8 --src 32 --tgt 32 --steps $steps --warmup $warmup --threads 4 --device $dev --dtype "$dtype" 2> "$work/torch-$rung-$dtype.err" | tail -1)
  [ -z "$out" ] && { tail -5 "$work/torch-$rung-$dtype.err"; out="{\"dtype\":\"$dtype\",\"error\":\"torch run failed or timed out after ${t}s\"}"; }
  echo "$out"
  echo "{\"kind\":\"torch\",\"preset\":\"$rung\",\"result\":$out}" >> "$log"
}
rm -f "$work"/own-*.json
# in order of importance: every rung's own f32 step and its PyTorch peers first, then f16, then stock
for rung in $rungs; do webgpu "$rung" own f32; torch "$rung" fp32; torch "$rung" bf16; done
for rung in $rungs; do webgpu "$rung" own f16; done
for rung in $rungs; do webgpu "$rung" stock f32; done
say "summary (${SECONDS}s in all)"
$py "$here/summarize.py" "$log"
