"""Summary table of bench/gpu/run.sh's JSON lines (one per run)."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
gpu = {r["result"].get("preset"): r["result"] for r in rows if r["kind"] == "webgpu"}
torch = {}
for r in rows:
    if r["kind"] == "torch":
        torch[(r["preset"], r["result"].get("dtype", "?"))] = r["result"]
for g in gpu.values():
    if "adapter" in g:
        print(f"adapter: {g['adapter']}")
        break
gib = lambda b: f"{b / 2**30:.2f} GiB" if b else "-"
print("| rung | webgpu step | webgpu TFLOP/s | webgpu peak GPU memory | PyTorch fp32 | PyTorch bf16 | webgpu / PyTorch fp32 |")
print("|---|---|---|---|---|---|---|")
for rung, g in gpu.items():
    if "median_ms" not in g:
        print(f"| {rung} | {g.get('error', 'failed')} | | | | | |")
        continue
    f32 = torch.get((rung, "fp32"), {})
    b16 = torch.get((rung, "bf16"), {})
    fl = g["matmul_flops"]
    def t(x):
        if "median_ms" not in x:
            return x.get("error", "-")
        return f"{x['median_ms']:.1f} ms ({fl / (x['median_ms'] / 1000) / 1e12:.3g} TFLOP/s, {gib(x.get('peak_gpu_bytes', 0))}, {x.get('device', '?')})"
    ratio = f"{g['median_ms'] / f32['median_ms']:.2f}x" if "median_ms" in f32 else "-"
    print(f"| {rung} | {g['median_ms']:.1f} ms | {g['tflops']:.3g} | {gib(g['peak_gpu_bytes_allocated'])} | {t(f32)} | {t(b16)} | {ratio} |")
print("TFLOP/s count the matmul and convolution FLOPs the engine executes (forward and backward), the same for both.")
