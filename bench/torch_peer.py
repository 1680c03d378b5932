"""PyTorch peer of the workbench's OFA/BiomedGPT model (main/engine/model), for speed comparisons.

Same architecture and shapes as the TypeScript model: ResNet stages 1-3 (Bottleneck v1.5, BN),
pre-LN encoder-decoder with NormFormer extras (attn_ln, ffn_layernorm, c_attn), disentangled
absolute-position biases, per-layer relative-position tables, tied output projection, dropout
and drop-path as configured, cross-entropy, Adam. Bucket index *values* are simplified (any valid
index costs the same); everything that costs FLOPs or memory traffic is mirrored.

Run with /usr/bin/python3 (Debian's torch) and OMP_WAIT_POLICY=passive:
  python3 bench/torch_peer.py --config '<ModelConfig JSON>' --batch 8 --src 32 --tgt 32 --threads 1
Prints one JSON line: step times, parameter count, peak RSS.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))
            if downsample
            else None
        )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, width, blocks):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers, cin = [], width
        for s, n in enumerate(blocks):
            planes = width * 2**s
            for b in range(n):
                layers.append(Bottleneck(cin, planes, 2 if (b == 0 and s > 0) else 1, b == 0))
                cin = planes * 4
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.layers(x)


def drop_path(x, rate, training):
    if not training or rate <= 0:
        return x
    keep = torch.floor(torch.rand((x.shape[0],) + (1,) * (x.dim() - 1)) + 1 - rate)
    return x * keep / (1 - rate)


class Attention(nn.Module):
    def __init__(self, d, heads, scale_factor):
        super().__init__()
        self.h, self.hd = heads, d // heads
        self.scaling = (self.hd * scale_factor) ** -0.5
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))
        self.c_attn = nn.Parameter(torch.ones(heads))

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.h, self.hd).transpose(1, 2)  # [B, H, T, hd]

    def forward(self, q_in, kv_in, bias):
        b, t, d = q_in.shape
        q = self.split(self.q_proj(q_in) * self.scaling)
        k, v = self.split(self.k_proj(kv_in)), self.split(self.v_proj(kv_in))
        probs = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)  # [B, H, T, S]
        out = (probs @ v) * self.c_attn.view(1, -1, 1, 1)
        return self.out_proj(out.transpose(1, 2).reshape(b, t, d))


class FFN(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.final_layer_norm, self.fc1 = nn.LayerNorm(d), nn.Linear(d, f)
        self.ffn_layernorm, self.fc2 = nn.LayerNorm(f), nn.Linear(f, d)

    def forward(self, x, p, rate, training):
        h = self.fc2(self.ffn_layernorm(F.gelu(self.fc1(self.final_layer_norm(x)))))
        return x + drop_path(F.dropout(h, p, training), rate, training)


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.self_attn_layer_norm, self.attn_ln = nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = Attention(d, c["heads"], c["attnScaleFactor"])
        self.ffn = FFN(d, c["ffn"])

    def forward(self, x, bias, p, rate, training):
        h = self.self_attn_layer_norm(x)
        x = x + drop_path(F.dropout(self.attn_ln(self.self_attn(h, h, bias)), p, training), rate, training)
        return self.ffn(x, p, rate, training)


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.self_attn_layer_norm, self.self_attn_ln = nn.LayerNorm(d), nn.LayerNorm(d)
        self.encoder_attn_layer_norm, self.cross_attn_ln = nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = Attention(d, c["heads"], c["attnScaleFactor"])
        self.encoder_attn = Attention(d, c["heads"], c["attnScaleFactor"])
        self.ffn = FFN(d, c["ffn"])

    def forward(self, x, enc, self_bias, cross_bias, p, rate, training):
        h = self.self_attn_layer_norm(x)
        x = x + drop_path(F.dropout(self.self_attn_ln(self.self_attn(h, h, self_bias)), p, training), rate, training)
        h = self.encoder_attn_layer_norm(x)
        x = x + drop_path(F.dropout(self.cross_attn_ln(self.encoder_attn(h, enc, cross_bias)), p, training), rate, training)
        return self.ffn(x, p, rate, training)


def pos_bias(q_lin, k_lin, pq, pk, heads, scaling):
    q = (q_lin(pq) * scaling).view(pq.shape[0], heads, -1).transpose(0, 1)  # [H, T, hd]
    k = k_lin(pk).view(pk.shape[0], heads, -1).transpose(0, 1)  # [H, S, hd]
    return q @ k.transpose(-1, -2)  # [H, T, S]


class OFA(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d, h, w = c["dModel"], c["heads"], c["resnetWidth"]
        self.embed_images = ResNet(w, c["resnetBlocks"])
        self.image_proj = nn.Linear(16 * w, d)
        self.embed_tokens = nn.Embedding(c["vocabSize"], d)
        nn.init.normal_(self.embed_tokens.weight, 0, 0.02)
        self.type_embedding = nn.Embedding(3, d)
        self.layernorm_embedding, self.patch_layernorm_embedding = nn.LayerNorm(d), nn.LayerNorm(d)
        self.embed_positions = nn.Embedding(c["maxSourcePositions"] + 2, d)
        self.embed_image_positions = nn.Embedding(c["imageBucket"] ** 2 + 1, d)
        self.pos_ln, self.image_pos_ln = nn.LayerNorm(d), nn.LayerNorm(d)
        self.pos_q_linear, self.pos_k_linear = nn.Linear(d, d), nn.Linear(d, d)
        tb, ib = 2 * c["tokenBucket"] - 1, (2 * c["imageBucket"] - 1) ** 2 + 3
        self.enc_token_rel = nn.ModuleList(nn.Embedding(tb, h) for _ in range(c["encLayers"]))
        self.enc_image_rel = nn.ModuleList(nn.Embedding(ib, h) for _ in range(c["encLayers"]))
        self.enc_layers = nn.ModuleList(EncoderLayer(c) for _ in range(c["encLayers"]))
        self.enc_layer_norm = nn.LayerNorm(d)
        self.dec_embed_positions = nn.Embedding(c["maxTargetPositions"] + 2, d)
        self.dec_pos_ln, self.dec_layernorm_embedding = nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_pos_q_linear, self.self_pos_k_linear = nn.Linear(d, d), nn.Linear(d, d)
        self.cross_pos_q_linear, self.cross_pos_k_linear = nn.Linear(d, d), nn.Linear(d, d)
        self.dec_token_rel = nn.ModuleList(nn.Embedding(tb, h) for _ in range(c["decLayers"]))
        self.dec_layers = nn.ModuleList(DecoderLayer(c) for _ in range(c["decLayers"]))
        self.dec_layer_norm = nn.LayerNorm(d)

    def forward(self, tokens, prev, images):
        c, training = self.c, self.training
        h, p, d = c["heads"], c["dropout"], c["dModel"]
        scaling = (d / h * c["attnScaleFactor"]) ** -0.5
        b, n = tokens.shape
        x = self.layernorm_embedding(self.embed_tokens(tokens) + self.type_embedding.weight[0])
        pos = self.pos_ln(self.embed_positions.weight[:n])
        text_idx = (torch.arange(n)[None, :] - torch.arange(n)[:, None]).clamp(-c["tokenBucket"] + 1, c["tokenBucket"] - 1) + c["tokenBucket"] - 1
        if images is not None:
            feat = self.embed_images(images)  # [B, C, h, w]
            pn = feat.shape[2] * feat.shape[3]
            img = self.image_proj(feat.flatten(2).transpose(1, 2)) + self.type_embedding.weight[1]
            img = F.dropout(self.patch_layernorm_embedding(img), p, training)
            x = torch.cat([img, F.dropout(x, p, training)], 1)
            ids = torch.arange(pn) + 1
            pos = torch.cat([self.image_pos_ln(self.embed_image_positions(ids)), pos], 0)
            img_idx = (ids[None, :] - ids[:, None]).abs().clamp(max=(2 * c["imageBucket"] - 1) ** 2 + 2)
        else:
            pn = 0
            x = F.dropout(x, p, training)
        pad = torch.zeros(b, x.shape[1])
        x = x * (1 - pad)[:, :, None]
        abs_bias = pos_bias(self.pos_q_linear, self.pos_k_linear, pos, pos, h, scaling)  # [H, S, S]
        mask = (pad * -1e9)[:, None, None, :]
        L = c["encLayers"]
        for i, layer in enumerate(self.enc_layers):
            rel = F.pad(self.enc_token_rel[i](text_idx).permute(2, 0, 1), (pn, 0, pn, 0))
            if pn:
                rel = rel + F.pad(self.enc_image_rel[i](img_idx).permute(2, 0, 1), (0, n, 0, n))
            x = layer(x, abs_bias + rel + mask, p, c["dropPath"] * i / max(L - 1, 1), training)
        enc = self.enc_layer_norm(x)

        t = prev.shape[1]
        dpos = self.dec_pos_ln(self.dec_embed_positions.weight[:t])
        self_abs = pos_bias(self.self_pos_q_linear, self.self_pos_k_linear, dpos, dpos, h, scaling)
        causal = torch.triu(torch.full((t, t), -1e9), 1)
        self_mask = causal + (torch.zeros(b, t) * -1e9)[:, None, None, :]
        cross_bias = pos_bias(self.cross_pos_q_linear, self.cross_pos_k_linear, dpos, pos, h, scaling) + mask
        dec_idx = (torch.arange(t)[None, :] - torch.arange(t)[:, None]).clamp(-c["tokenBucket"] + 1, c["tokenBucket"] - 1) + c["tokenBucket"] - 1
        y = F.dropout(self.dec_layernorm_embedding(self.embed_tokens(prev)), p, training)
        L = c["decLayers"]
        for i, layer in enumerate(self.dec_layers):
            sb = self_abs + self.dec_token_rel[i](dec_idx).permute(2, 0, 1) + self_mask
            y = layer(y, enc, sb, cross_bias, p, c["dropPath"] * i / max(L - 1, 1), training)
        y = self.dec_layer_norm(y)
        return y @ self.embed_tokens.weight.t()  # [B, T, V]


class ReferencePeer(nn.Module):
    """bench/reference's OFA (numerically checked against the TypeScript model, 5e-6 on cpu-xs)
    made trainable: every stored weight of shared/model/weight-shapes is a parameter or buffer.
    It has eval-mode BatchNorm and no dropout (the reference is an inference model), so it does a
    little less work per step than the TypeScript train step."""

    def __init__(self, c, weights_json):
        super().__init__()
        import os
        import sys

        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
        from ofa_reference import OFA as RefOFA

        with open(weights_json) as f:
            specs = json.load(f)
        self.params = nn.ParameterDict()
        w = {}
        for name, shape, kind in specs:
            t = torch.randn(shape) * 0.02 if kind == "param" else torch.zeros(shape)
            if name.endswith("running_var"):
                t = torch.ones(shape)
            if kind == "param":
                p = nn.Parameter(t)
                self.params[name.replace(".", "__")] = p
                w[name] = p
            else:
                w[name] = t
        self.ref = RefOFA(c, w)

    def forward(self, tokens, prev, images):
        b = tokens.shape[0]
        masks = torch.ones(b, dtype=torch.bool)
        enc, pad, pos = self.ref.encode(tokens, images, masks)
        return self.ref.decode(prev, enc, pad, pos)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--src", type=int, default=32)
    ap.add_argument("--tgt", type=int, default=32)
    ap.add_argument("--image", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--impl", choices=["module", "reference"], default="module")
    ap.add_argument("--weights", help="JSON file: [[name, shape, kind], ...] (for --impl reference)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (bench/gpu/run.sh)")
    ap.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32", help="bf16: autocast, fp32 master weights")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    if cuda:
        # fp32 means fp32: no TF32 tensor-core shortcut in matmuls and convolutions.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_default_device(dev)  # the tensors the model makes in forward() (masks, indices)
    c = json.loads(a.config)
    if a.impl == "reference":
        model = ReferencePeer(c, a.weights)
    else:
        model = OFA(c)
    model.to(dev)
    model.train()
    # Same update rule as main/engine/train: AdamW (decoupled decay 0.01), global-norm clip 1.0,
    # label-smoothed cross-entropy (0.1).
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    v = c["vocabSize"]
    tokens = torch.randint(4, v, (a.batch, a.src)).to(dev)
    prev = torch.randint(4, v, (a.batch, a.tgt)).to(dev)
    target = torch.randint(4, v, (a.batch, a.tgt)).to(dev)
    images = torch.randn(a.batch, 3, c["imageSize"], c["imageSize"]).to(dev) if a.image else None
    times, cpu_times = [], []
    amp = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.dtype == "bf16")
    for i in range(a.warmup + a.steps):
        if cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        with amp:
            logits = model(tokens, prev, images)
            loss = F.cross_entropy(
                logits.float().reshape(-1, v), target.reshape(-1), reduction="sum", label_smoothing=0.1
            )
        (loss / target.numel()).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if cuda:
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        if i >= a.warmup:
            times.append(dt * 1000)
            cpu_times.append(dc * 1000)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({
        "torch": torch.__version__,
        "impl": a.impl,
        "device": torch.cuda.get_device_name(dev) if cuda else "cpu",
        "dtype": a.dtype,
        "peak_gpu_bytes": torch.cuda.max_memory_allocated(dev) if cuda else 0,
        "threads": torch.get_num_threads(),
        "median_ms": statistics.median(times),
        "times_ms": [round(t, 1) for t in times],
        # CPU time of all threads: equals wall time for one thread on an idle core.
        "median_cpu_ms": statistics.median(cpu_times),
        "params": params,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": float(loss) / target.numel(),
    }))


if __name__ == "__main__":
    main()
