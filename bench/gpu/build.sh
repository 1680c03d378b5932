#!/bin/sh
# Builds bench/gpu/pkg/ (git-ignored, ~40 MiB): everything bench/gpu/run.sh needs on a Linux
# x86-64 machine with an NVIDIA GPU, PyTorch, and no Node or network:
#   app/webgpu-step.mjs   the engine's train step, bundled with tfjs (vite, bench/gpu/vite.config.ts)
#   app/node_modules/webgpu   Dawn for Node's small JS wrapper
#   bin/dawn.node.xz      its native addon (xz), unpacked beside it in /tmp at run time
#   bin/node.xz           this machine's Node (xz), unpacked to /tmp at run time
#   lib/libvulkan.so.1    the Vulkan loader (Debian's libvulkan1), dawn.node dlopens it
#   py/torch_peer.py      the PyTorch twin of the architecture (fp32 and bf16 on CUDA)
#   run.sh, summarize.py  the script and its summary table
# usage: bench/gpu/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pkg="$here/pkg"
cd "$root"
rm -rf "$pkg"
mkdir -p "$pkg/bin" "$pkg/lib" "$pkg/py"
npx vite build --config bench/gpu/vite.config.ts --logLevel warn
w="$pkg/app/node_modules/webgpu"
mkdir -p "$w/dist/linux-x64"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$w/"
xz -6 -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$pkg/bin/dawn.node.xz"
xz -6 -T0 -c "$(command -v node)" > "$pkg/bin/node.xz"
vk=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF; exit}')
test -n "$vk" || { echo "libvulkan.so.1 not found: apt-get install libvulkan1" >&2; exit 1; }
cp -L "$vk" "$pkg/lib/libvulkan.so.1"
cp bench/torch_peer.py "$pkg/py/"
cp "$here/run.sh" "$here/summarize.py" "$pkg/"
chmod +x "$pkg/run.sh"
du -sh "$pkg"
