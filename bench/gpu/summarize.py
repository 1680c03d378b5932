"""Summary tables of bench/gpu/run.sh's JSON lines (one per run): step times, TFLOP/s, dispatches,
peak GPU memory per rung for webgpu (own f32, own f16, stock f32) and PyTorch (fp32, bf16), then
the GPU time per kernel class of each webgpu run (timestamp queries; n/a where the adapter has none)."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gpu = [r["result"] for r in rows if r["kind"] == "webgpu"]
torch = {(r["preset"], r["result"].get("dtype", "?")): r["result"] for r in rows if r["kind"] == "torch"}
for g in gpu:
    if "adapter" in g:
        print(f"adapter: {g['adapter']}")
        break
gib = lambda b: f"{b / 2**30:.2f} GiB" if b else "-"
flops = {g["preset"]: g["matmul_flops"] for g in gpu if "matmul_flops" in g}
f32ms = {(r, d): x["median_ms"] for (r, d), x in torch.items() if "median_ms" in x}
print("| rung | engine | step | TFLOP/s | dispatches / step | peak GPU memory | / PyTorch fp32 |")
print("|---|---|---|---|---|---|---|")
rungs = list(dict.fromkeys(g["preset"] for g in gpu))
for rung in rungs:
    for g in (g for g in gpu if g["preset"] == rung):
        name = f"webgpu {g.get('kernels', '?')} {g.get('precision', '?')}"
        if "median_ms" not in g:
            print(f"| {rung} | {name} | {g.get('error', 'failed')} | | | | |")
            continue
        ratio = f"{g['median_ms'] / f32ms[(rung, 'fp32')]:.2f}x" if (rung, "fp32") in f32ms else "-"
        if g.get("skipped_updates"):
            name += f" ({g['skipped_updates']} updates skipped by the loss scaler)"
        print(f"| {rung} | {name} | {g['median_ms']:.1f} ms | {g['tflops']:.3g} | {g.get('dispatches_per_step', '-')} | {gib(g.get('peak_gpu_bytes_allocated', 0))} | {ratio} |")
    for dtype in ("fp32", "bf16"):
        x = torch.get((rung, dtype))
        if x is None:
            continue
        name = f"PyTorch {dtype} ({x.get('device', '?')})"
        if "median_ms" not in x:
            print(f"| {rung} | {name} | {x.get('error', 'failed')} | | | | |")
            continue
        tf = f"{flops[rung] / (x['median_ms'] / 1000) / 1e12:.3g}" if rung in flops else "-"
        ratio = f"{x['median_ms'] / f32ms[(rung, 'fp32')]:.2f}x" if (rung, "fp32") in f32ms else "-"
        print(f"| {rung} | {name} | {x['median_ms']:.1f} ms | {tf} | - | {gib(x.get('peak_gpu_bytes', 0))} | {ratio} |")
print("TFLOP/s count the matmul and convolution FLOPs the engine executes (forward and backward), the same for all.")
print()
print("GPU time per kernel class (one extra step, each program timed on its own: sums exceed the untimed step)")
for g in gpu:
    if "median_ms" not in g:
        continue
    name = f"{g['preset']} webgpu {g.get('kernels', '?')} {g.get('precision', '?')}"
    k = g.get("kernel_ms")
    if not k:
        print(f"- {name}: n/a (the adapter has no timestamp-query)")
        continue
    parts = ", ".join(f"{c} {ms:.1f} ms" for c, ms in sorted(k["byClass"].items(), key=lambda x: -x[1]))
    top = ", ".join(f"{p} {ms:.1f}" for p, ms in k["top"].items())
    print(f"- {name}: {k['totalMs']:.1f} ms: {parts}; top programs (ms): {top}")
