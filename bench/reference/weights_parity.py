"""
Reference logits for imported weights: loads the *source* checkpoint with PyTorch (fairseq .pt:
the EMA weights, as `--ema-eval` does; Hugging Face names mapped back to fairseq by plain string
replacement), upcasts fp16/bf16 to fp32, runs ofa_reference.OFA on the inputs of a case file the
TypeScript engine wrote, and prints the max abs difference of the logits as JSON.

usage: weights_parity.py <case.safetensors> <source> [<case> <source> ...]
"""
import json
import sys

import torch

from ofa_reference import OFA
from safetensors_io import load



def fairseq_name(k):
    if k.startswith("encoder.layers."):
        k = k.replace("self_attn_mid_layer_norm", "attn_ln")
    else:
        k = k.replace("self_attn_mid_layer_norm", "self_attn_ln").replace("cross_attn_mid_layer_norm", "cross_attn_ln")
        k = k.replace("cross_attn_layer_norm", "encoder_attn_layer_norm").replace("cross_attn.", "encoder_attn.")
    return k.replace("ffn_layer_norm", "ffn_layernorm")


def source_weights(path):
    if path.endswith(".safetensors"):
        sd, _ = load(path)
    else:
        ckpt = torch.load(path, map_location="cpu")
        if "model" in ckpt:
            extra = ckpt.get("extra_state") or {}
            sd = extra.get("ema") or ckpt["model"]
        else:
            sd = ckpt
    return {fairseq_name(k): (v.float() if v.is_floating_point() else v) for k, v in sd.items()}


def main():
    torch.set_grad_enabled(False)
    out = []
    pairs = sys.argv[1:]
    for case_path, src in zip(pairs[0::2], pairs[1::2]):
        case, meta = load(case_path)
        cfg = json.loads(meta["config"])
        model = OFA(cfg, source_weights(src))
        enc, pad, pos = model.encode(case["src_tokens"], case["patch_images"], case["patch_masks"].bool())
        logits = model.decode(case["prev_output_tokens"], enc, pad, pos)
        ref = case["logits"]
        out.append({"source": src, "maxAbsDiff": (logits - ref).abs().max().item(), "maxAbsLogit": logits.abs().max().item(),
                    "shape": list(logits.shape)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
