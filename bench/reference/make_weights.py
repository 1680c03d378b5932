"""
Writes published-style BiomedGPT / OFA checkpoints with PyTorch, for the weights-import tests and
bench: a fairseq `torch.save` zip (`args` Namespace, nested omegaconf `cfg`, `model`, `extra_state`
with EMA weights, `last_optimizer_state`), or a Hugging Face flat state dict as `pytorch_model.bin`
or safetensors, in fp32 / fp16. The keys, shapes and order come from a JSON spec the caller writes.

usage: make_weights.py <spec.json>
spec: {"sets": [{"seed": 1, "maxRelPosition": 1024, "imageBucket": 42, "tokenBucket": 256,
       "files": [{"path", "layout": "fairseq"|"hf-bin"|"hf-safetensors", "dtype": "fp32"|"fp16",
                  "ema": bool, "optimizer": bool, "arch": "ofa_tiny", "imageSize": 256,
                  "keys": [[name, shape, "float32"|"int64", tiedTo|null], ...]}]}, ...]}
"""
import argparse
import collections
import json
import struct
import sys

import torch

from ofa_reference import make_image_bucket_position, make_token_bucket_position

HF_RENAMES = [
    ("self_attn_ln", "self_attn_mid_layer_norm"),
    ("cross_attn_ln", "cross_attn_mid_layer_norm"),
    ("ffn_layernorm", "ffn_layer_norm"),
    ("encoder_attn", "cross_attn"),
    ("attn_ln", "self_attn_mid_layer_norm"),
]


def hf_name(k):
    """The third-party fairseq -> HF conversion of spec/ofa-state-dict.md section 3 (order matters)."""
    for a, b in HF_RENAMES:
        k = k.replace(a, b)
    return k


def value(name, shape, g):
    if name.endswith("num_batches_tracked"):
        return torch.tensor(int(torch.randint(0, 1000, (1,), generator=g)), dtype=torch.long)
    if "rel_pos_table" in name:
        return torch.randn(shape, generator=g) * 0.5
    if name.endswith("c_attn") or (name.endswith(".weight") and len(shape) == 1):
        return torch.rand(shape, generator=g) + 0.5
    if name.endswith(".bias") and len(shape) == 1:
        return torch.randn(shape, generator=g) * 0.1
    if name.endswith("running_mean"):
        return torch.randn(shape, generator=g) * 0.2
    if name.endswith("running_var"):
        return torch.rand(shape, generator=g) * 1.5 + 0.5
    if name == "encoder.embed_tokens.weight":
        return torch.randn(shape, generator=g) * 0.2
    if len(shape) == 4:
        return torch.randn(shape, generator=g) * (2.0 / (shape[0] * shape[2] * shape[3])) ** 0.5
    return torch.randn(shape, generator=g) * 0.06


def state_dict(spec, f, seed, dtype):
    """Every key of the spec in order; the fairseq buffers the model recomputes; tied aliases share storage."""
    g = torch.Generator().manual_seed(seed)
    ib, mrp = spec["imageBucket"], spec["maxRelPosition"]
    sd = collections.OrderedDict()
    hf = f["layout"] != "fairseq"

    def buffers(stack):
        if not hf:
            sd[f"{stack}.version"] = torch.tensor([3.0])
        sd[f"{stack}.token_rp_bucket"] = make_token_bucket_position(spec["tokenBucket"], mrp)
        sd[f"{stack}.image_rp_bucket"] = make_image_bucket_position(ib, (2 * ib - 1) ** 2 + 3)
        if stack == "decoder":
            grid = (torch.arange(16).unsqueeze(0) + torch.arange(16).unsqueeze(1) * ib + 1).view(-1)
            # the HF port builds 768 trailing entries, fairseq 769 (spec section 3): both must load
            sd["decoder.image_position_idx"] = torch.cat([torch.tensor([0]), grid, torch.full((768 if hf else 769,), 1024)])

    buffers("encoder")
    for name, shape, kind, tied in f["keys"]:
        if name == "decoder.embed_tokens.weight":
            buffers("decoder")
        if tied is not None:
            # fairseq: one tensor under three names (one storage); HF bin: separate copies
            sd[name] = sd[tied].clone() if hf else sd[tied]
            continue
        v = value(name, shape, g)
        sd[name] = v.to(dtype) if v.is_floating_point() else v
    if hf:
        sd = collections.OrderedDict((hf_name(k), v) for k, v in sd.items())
    return sd


def save_safetensors(path, sd, meta):
    names = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}
    header, chunks, off = {"__metadata__": meta}, [], 0
    for k, v in sd.items():
        b = v.contiguous().numpy().tobytes()
        header[k] = {"dtype": names[v.dtype], "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(h)))
        out.write(h)
        for c in chunks:
            out.write(c)


def fairseq_checkpoint(spec, f, sd):
    from omegaconf import OmegaConf

    args = argparse.Namespace(
        arch=f["arch"], _name=f["arch"], patch_image_size=f["imageSize"], attn_scale_factor=2,
        encoder_normalize_before=True, share_all_embeddings=True, dropout=0.1, lr=[5e-5],
        **f.get("args", {}),
    )
    cfg = OmegaConf.create({
        "_name": None,
        "common": {"fp16": f["dtype"] == "fp16", "seed": 7, "log_interval": 10},
        "task": {"_name": "vqa_gen", "max_src_length": 80, "patch_image_size": f["imageSize"]},
        "model": {"_name": f["arch"], "arch": f["arch"], "patch_image_size": f["imageSize"], "scales": [1, 2]},
        "optimization": {"lr": [5e-5], "max_epoch": 100},
    })
    extra = {"metrics": {"train": [(0, "loss", "AverageMeter", {"val": 1.5, "sum": 3.0, "count": 2})]},
             "previous_training_time": 12.5, "train_iterator": {"epoch": 3, "iterations_in_epoch": 0}}
    if f.get("ema"):
        # EMA weights in fp32 (--ema-fp32), distinct from the (fp16) model weights
        extra["ema"] = state_dict(spec, dict(f, layout="fairseq"), spec["seed"] + 1000, torch.float32)
    ckpt = {"args": args, "cfg": cfg, "model": sd, "criterion": None,
            "optimizer_history": [{"criterion_name": "AdjustLabelSmoothedCrossEntropyCriterion", "optimizer_name": "FairseqAdam",
                                   "lr_scheduler_state": {"best": None}, "num_updates": 1000}],
            "task_state": {}, "extra_state": extra}
    if f.get("optimizer"):
        params = list({id(v): v for v in sd.values() if v.is_floating_point()}.values())
        ckpt["last_optimizer_state"] = {
            "state": {i: {"step": 1000, "exp_avg": torch.zeros(p.shape), "exp_avg_sq": torch.zeros(p.shape)} for i, p in enumerate(params)},
            "param_groups": [{"lr": 5e-5, "betas": (0.9, 0.999), "eps": 1e-8, "params": list(range(len(params)))}],
        }
    return ckpt


def main():
    for spec in json.load(open(sys.argv[1]))["sets"]:
        write_set(spec)


def write_set(spec):
    for f in spec["files"]:
        dtype = torch.float16 if f["dtype"] == "fp16" else torch.float32
        sd = state_dict(spec, f, spec["seed"], dtype)
        if f["layout"] == "fairseq":
            torch.save(fairseq_checkpoint(spec, f, sd), f["path"])
        elif f["layout"] == "hf-bin":
            torch.save(sd, f["path"])
        else:
            save_safetensors(f["path"], sd, {"format": "pt"})
        print(f"wrote {f['path']}: {len(sd)} keys, {f['layout']}, {f['dtype']}")


if __name__ == "__main__":
    main()
