"""
Independent PyTorch (1.13) forward pass of the OFA / BiomedGPT architecture, written after
OFA's models/ofa/{unify_transformer,unify_transformer_layer,unify_multihead_attention,resnet}.py
(eval mode: no dropout, BatchNorm running statistics). Loads the workbench's safetensors
checkpoint by fairseq name and compares its logits with the ones the TypeScript engine wrote.

usage: ofa_reference.py <model.safetensors> <case.safetensors> [tolerance]
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

from safetensors_io import load

PAD = 1


def make_token_bucket_position(bucket_size, max_position):
    context_pos = torch.arange(max_position, dtype=torch.long)[:, None]
    memory_pos = torch.arange(max_position, dtype=torch.long)[None, :]
    relative_pos = context_pos - memory_pos
    sign = torch.sign(relative_pos)
    mid = bucket_size // 2
    abs_pos = torch.where((relative_pos < mid) & (relative_pos > -mid), mid - 1, torch.abs(relative_pos))
    log_pos = torch.ceil(torch.log(abs_pos / mid) / math.log((max_position - 1) / mid) * (mid - 1)) + mid
    log_pos = log_pos.int()
    bucket_pos = torch.where(abs_pos.le(mid), relative_pos, log_pos * sign).long()
    return bucket_pos + bucket_size - 1


def make_image_bucket_position(bucket_size, num_relative_distance):
    coords_h = torch.arange(bucket_size)
    coords_w = torch.arange(bucket_size)
    coords = torch.stack(torch.meshgrid([coords_h, coords_w], indexing="ij"))
    coords_flatten = torch.flatten(coords, 1)
    relative_coords = coords_flatten[:, :, None] - coords_flatten[:, None, :]
    relative_coords = relative_coords.permute(1, 2, 0).contiguous()
    relative_coords[:, :, 0] += bucket_size - 1
    relative_coords[:, :, 1] += bucket_size - 1
    relative_coords[:, :, 0] *= 2 * bucket_size - 1
    idx = torch.zeros(size=(bucket_size * bucket_size + 1,) * 2, dtype=relative_coords.dtype)
    idx[1:, 1:] = relative_coords.sum(-1)
    idx[0, 0:] = num_relative_distance - 3
    idx[0:, 0] = num_relative_distance - 2
    idx[0, 0] = num_relative_distance - 1
    return idx


class OFA:
    def __init__(self, cfg, w):
        self.c = cfg
        self.w = w
        self.d = cfg["dModel"]
        self.h = cfg["heads"]
        self.hd = self.d // self.h
        tb = cfg["tokenBucket"]
        ib = cfg["imageBucket"]
        self.token_rp_bucket = make_token_bucket_position(tb, cfg["maxRelPosition"])
        self.image_rp_bucket = make_image_bucket_position(ib, (2 * ib - 1) ** 2 + 3)
        self.eps = cfg["layerNormEps"]

    # -- basic modules ---------------------------------------------------------------------
    def lin(self, p, x, bias=True):
        return F.linear(x, self.w[p + ".weight"], self.w[p + ".bias"] if bias else None)

    def ln(self, p, x):
        return F.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], self.eps)

    training = False
    new_stats = {}

    def bn(self, p, x):
        w = self.w
        if not self.training:
            return F.batch_norm(x, w[p + ".running_mean"], w[p + ".running_var"], w[p + ".weight"], w[p + ".bias"], False, 0.1, 1e-5)
        mean, var = w[p + ".running_mean"].clone(), w[p + ".running_var"].clone()
        y = F.batch_norm(x, mean, var, w[p + ".weight"], w[p + ".bias"], True, 0.1, 1e-5)
        self.new_stats[p + ".running_mean"], self.new_stats[p + ".running_var"] = mean, var
        return y

    # -- ResNet (torchvision Bottleneck v1.5, no layer4) ------------------------------------
    def bottleneck(self, p, x, stride, downsample):
        w = self.w
        out = F.relu(self.bn(p + ".bn1", F.conv2d(x, w[p + ".conv1.weight"])))
        out = F.relu(self.bn(p + ".bn2", F.conv2d(out, w[p + ".conv2.weight"], stride=stride, padding=1)))
        out = self.bn(p + ".bn3", F.conv2d(out, w[p + ".conv3.weight"]))
        identity = self.bn(p + ".downsample.1", F.conv2d(x, w[p + ".downsample.0.weight"], stride=stride)) if downsample else x
        return F.relu(out + identity)

    def resnet(self, x):
        p = "encoder.embed_images"
        x = F.relu(self.bn(p + ".bn1", F.conv2d(x, self.w[p + ".conv1.weight"], stride=2, padding=3)))
        x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        for s, blocks in enumerate(self.c["resnetBlocks"]):
            for b in range(blocks):
                stride = 2 if (b == 0 and s > 0) else 1
                x = self.bottleneck(f"{p}.layer{s + 1}.{b}", x, stride, b == 0)
        return x

    # -- attention -------------------------------------------------------------------------
    def mha(self, p, query, key, attn_bias, key_padding_mask=None, attn_mask=None):
        bsz, tgt_len, _ = query.shape
        src_len = key.shape[1]
        scaling = float(self.hd * self.c["attnScaleFactor"]) ** -0.5
        q = self.lin(p + ".q_proj", query) * scaling
        k = self.lin(p + ".k_proj", key)
        v = self.lin(p + ".v_proj", key)
        q = q.view(bsz, tgt_len, self.h, self.hd).transpose(1, 2)
        k = k.view(bsz, src_len, self.h, self.hd).transpose(1, 2)
        v = v.view(bsz, src_len, self.h, self.hd).transpose(1, 2)
        attn = torch.matmul(q, k.transpose(2, 3))
        if attn_mask is not None:
            attn = attn + attn_mask
        attn = attn + attn_bias
        if key_padding_mask is not None:
            attn = attn.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        probs = F.softmax(attn, dim=-1)
        out = torch.matmul(probs, v)  # [B, H, T, hd]
        out = out.transpose(1, 2)  # [B, T, H, hd]
        out = torch.einsum("tbhd,h->tbhd", out, self.w[p + ".c_attn"])
        out = out.reshape(bsz, tgt_len, self.d)
        return self.lin(p + ".out_proj", out)

    def pos_bias(self, qp, kp, pos_q, pos_k):
        s = float(self.d / self.h * self.c["attnScaleFactor"]) ** -0.5
        q = self.lin(qp, pos_q).view(1, -1, self.h, self.hd).transpose(1, 2) * s
        k = self.lin(kp, pos_k).view(1, -1, self.h, self.hd).transpose(1, 2)
        return torch.matmul(q, k.transpose(2, 3))  # [1, H, T, S]

    def ffn(self, p, x):
        residual = x
        x = self.ln(p + ".final_layer_norm", x)
        x = F.gelu(self.lin(p + ".fc1", x))
        x = self.ln(p + ".ffn_layernorm", x)
        x = self.lin(p + ".fc2", x)
        return residual + x

    # -- encoder ---------------------------------------------------------------------------
    def encode(self, src_tokens, patch_images, patch_masks):
        w = self.w
        bsz, n = src_tokens.shape
        ib = self.c["imageBucket"]
        feat = self.resnet(patch_images)  # [B, C, h, wd]
        h, wd = feat.shape[-2:]
        image_position_idx = (torch.arange(wd).unsqueeze(0).expand(h, wd) + torch.arange(h).unsqueeze(1) * ib + 1).view(-1)
        image_position_ids = image_position_idx[None, :].expand(bsz, h * wd)
        image_embed = feat.flatten(2).transpose(1, 2)
        image_padding_mask = torch.zeros(bsz, h * wd, dtype=torch.bool)
        image_padding_mask[~patch_masks] = True
        image_pos_embed = F.embedding(image_position_ids, w["encoder.embed_image_positions.weight"])

        x = F.embedding(src_tokens, w["encoder.embed_tokens.weight"])
        entangle = bool(self.c.get("entanglePosition"))
        if entangle:
            # unify_transformer.py forward_embedding: `if self.entangle_position_embedding and pos_embed
            # is not None: x += pos_embed` (raw embed_positions rows of new_arange(src_tokens))
            x = x + F.embedding(torch.arange(n)[None, :].expand(bsz, n), w["encoder.embed_positions.weight"])
        x = x + w["encoder.type_embedding.weight"][0]
        x = self.ln("encoder.layernorm_embedding", x)
        ix = self.lin("encoder.image_proj", image_embed)
        if entangle:
            # ... and `image_x += image_pos_embed` (raw embed_image_positions rows) before the type embedding
            ix = ix + image_pos_embed
        ix = ix + w["encoder.type_embedding.weight"][1]
        ix = self.ln("encoder.patch_layernorm_embedding", ix)
        x = torch.cat([ix, x], dim=1)

        padding_mask = torch.cat([image_padding_mask, src_tokens.eq(PAD)], dim=1)
        x = x * (1 - padding_mask.unsqueeze(-1).type_as(x))
        pos_embed = F.embedding(torch.arange(n)[None, :].expand(bsz, n), w["encoder.embed_positions.weight"])
        pos_embed = self.ln("encoder.pos_ln", pos_embed)
        image_pos_embed = self.ln("encoder.image_pos_ln", image_pos_embed)
        pos_embed = torch.cat([image_pos_embed, pos_embed], dim=1)  # [B, S, d]
        s = x.shape[1]
        sc = float(self.d / self.h * self.c["attnScaleFactor"]) ** -0.5
        pos_q = self.lin("encoder.pos_q_linear", pos_embed).view(bsz, s, self.h, -1).transpose(1, 2) * sc
        pos_k = self.lin("encoder.pos_k_linear", pos_embed).view(bsz, s, self.h, -1).transpose(1, 2)
        abs_pos_bias = torch.matmul(pos_q, pos_k.transpose(2, 3))

        for i in range(self.c["encLayers"]):
            bias = abs_pos_bias.clone()
            rp = self.token_rp_bucket[:n, :n]
            bias[:, :, -n:, -n:] += F.embedding(rp, w[f"encoder.token_rel_pos_table_list.{i}.weight"]).permute(2, 0, 1)[None]
            ib_ = self.image_rp_bucket
            rpi = ib_[image_position_ids[0]][:, image_position_ids[0]]
            bias[:, :, : s - n, : s - n] += F.embedding(rpi, w[f"encoder.image_rel_pos_table_list.{i}.weight"]).permute(2, 0, 1)[None]
            p = f"encoder.layers.{i}"
            residual = x
            y = self.ln(p + ".self_attn_layer_norm", x)
            y = self.mha(p + ".self_attn", y, y, bias, key_padding_mask=padding_mask)
            y = self.ln(p + ".attn_ln", y)
            x = residual + y
            x = self.ffn(p, x)
        x = self.ln("encoder.layer_norm", x)
        return x, padding_mask, pos_embed

    # -- decoder ---------------------------------------------------------------------------
    def decode(self, prev, enc, enc_pad, enc_pos):
        w = self.w
        bsz, t = prev.shape
        tgt_pos = self.ln("decoder.pos_ln", F.embedding(torch.arange(t), w["decoder.embed_positions.weight"]))
        self_abs = self.pos_bias("decoder.self_pos_q_linear", "decoder.self_pos_k_linear", tgt_pos, tgt_pos)
        cross_abs = torch.cat(
            [self.pos_bias("decoder.cross_pos_q_linear", "decoder.cross_pos_k_linear", tgt_pos, enc_pos[b]) for b in range(bsz)]
        )
        x = F.embedding(prev, w["encoder.embed_tokens.weight"])
        if self.c.get("entanglePosition"):
            # unify_transformer.py: `if self.entangle_position_embedding is not None and not
            # self.args.disable_entangle: x += tgt_pos_embed` (raw embed_positions rows, before pos_ln)
            x = x + F.embedding(torch.arange(t), w["decoder.embed_positions.weight"])[None]
        x = self.ln("decoder.layernorm_embedding", x)
        causal = torch.triu(torch.full((t, t), float("-inf")), 1)
        self_pad = prev.eq(PAD)
        for i in range(self.c["decLayers"]):
            p = f"decoder.layers.{i}"
            bias = self_abs + F.embedding(self.token_rp_bucket[:t, :t], w[f"decoder.token_rel_pos_table_list.{i}.weight"]).permute(2, 0, 1)[None]
            residual = x
            y = self.ln(p + ".self_attn_layer_norm", x)
            y = self.mha(p + ".self_attn", y, y, bias, key_padding_mask=self_pad, attn_mask=causal)
            y = self.ln(p + ".self_attn_ln", y)
            x = residual + y
            residual = x
            y = self.ln(p + ".encoder_attn_layer_norm", x)
            y = self.mha(p + ".encoder_attn", y, enc, cross_abs, key_padding_mask=enc_pad)
            y = self.ln(p + ".cross_attn_ln", y)
            x = residual + y
            x = self.ffn(p, x)
        x = self.ln("decoder.layer_norm", x)
        return F.linear(x, w["encoder.embed_tokens.weight"])


def label_smoothed_nll_loss(lprobs, target, epsilon, ignore_index=PAD):
    """fairseq criterions/label_smoothed_cross_entropy.py, reduce=True."""
    target = target.unsqueeze(-1)
    nll_loss = -lprobs.gather(dim=-1, index=target)
    smooth_loss = -lprobs.sum(dim=-1, keepdim=True)
    pad_mask = target.eq(ignore_index)
    nll_loss = nll_loss.masked_fill(pad_mask, 0.0).sum()
    smooth_loss = smooth_loss.masked_fill(pad_mask, 0.0).sum()
    eps_i = epsilon / (lprobs.size(-1) - 1)
    return (1.0 - epsilon - eps_i) * nll_loss + eps_i * smooth_loss


def training_pass(cfg, weights, case, names, dtype):
    """Training mode (BatchNorm batch statistics) in `dtype`: loss, gradients of `names`, new BN stats."""
    w = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in weights.items()}
    for n in names:
        w[n].requires_grad_(True)
    model = OFA(cfg, w)
    model.training = True
    with torch.enable_grad():
        enc, pad, pos = model.encode(case["src_tokens"], case["patch_images"].to(dtype), case["patch_masks"].bool())
        logits = model.decode(case["prev_output_tokens"], enc, pad, pos)
        loss = label_smoothed_nll_loss(F.log_softmax(logits, dim=-1), case["target"], 0.1)
        loss.backward()
    grads = {n: w[n].grad.double() for n in names}
    return loss.item(), grads, {k: v.double() for k, v in model.new_stats.items()}


def check_training(cfg, weights, case, tol):
    """
    Compares the engine's training-mode loss, gradients and BatchNorm statistics with PyTorch
    autograd in float64. Deep ResNets in training mode can be ill-conditioned (PyTorch's own fp32
    gradients then differ from fp64 by ~1e-2), so a gradient passes when its error is within
    max(1e-3, 10x PyTorch fp32's own error).
    """
    names = [k[len("grad."):] for k in case if k.startswith("grad.")]
    loss64, g64, stats64 = training_pass(cfg, weights, case, names, torch.float64)
    _, g32, _ = training_pass(cfg, weights, case, names, torch.float32)
    ref_loss = case["train_loss"].item()
    rel_loss = abs(loss64 - ref_loss) / abs(loss64)
    print(f"training-mode loss: TS {ref_loss:.6f} PyTorch fp64 {loss64:.6f} (rel diff {rel_loss:.1e})")
    ok = rel_loss <= tol
    for n in names:
        scale = max(g64[n].abs().max().item(), 1e-12)
        ts = (case["grad." + n].double() - g64[n]).abs().max().item() / scale
        pt = (g32[n] - g64[n]).abs().max().item() / scale
        good = ts <= max(1e-3, 10 * pt)
        ok = ok and good
        print(f"  grad {n}: max |g| {scale:.3e}; error vs fp64 / max |g|: TS {ts:.1e}, PyTorch fp32 {pt:.1e}{'' if good else '  <-- FAIL'}")
    for k in case:
        if k.startswith("new."):
            d = (stats64[k[len("new."):]] - case[k].double()).abs().max().item()
            ok = ok and d <= 1e-5
            print(f"  BatchNorm {k[len('new.'):]}: max abs diff {d:.1e}")
    return ok


def main():
    model_path, case_path = sys.argv[1], sys.argv[2]
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
    torch.set_grad_enabled(False)
    weights, meta = load(model_path)
    case, _ = load(case_path)
    cfg = json.loads(meta["config"])
    model = OFA(cfg, weights)
    images = case["patch_images"]  # [B, 3, H, W]
    enc, pad, pos = model.encode(case["src_tokens"], images, case["patch_masks"].bool())
    logits = model.decode(case["prev_output_tokens"], enc, pad, pos)
    ref = case["logits"]
    diff = (logits - ref).abs().max().item()  # every position, padded ones included
    rel = torch.arange(-1023, 1024)
    i = rel.clamp(min=0)
    tok_ok = torch.equal(model.token_rp_bucket[i, i - rel], case["token_buckets"])
    pairs = case["image_pairs"]
    img_ok = torch.equal(model.image_rp_bucket[pairs[:, 0], pairs[:, 1]], case["image_buckets"])
    print(f"bucket functions identical: token {tok_ok} (all 2047 offsets), image {img_ok} (400 sampled pairs)")
    if not (tok_ok and img_ok):
        sys.exit(2)
    if "train_loss" in case and not check_training(cfg, weights, case, tol):
        print("training-mode check FAILED")
        sys.exit(3)
    scale = ref.abs().max().item()
    print(f"config {cfg['name']}: d={cfg['dModel']} heads={cfg['heads']} layers={cfg['encLayers']}+{cfg['decLayers']} "
          f"resnet={cfg['resnetBlocks']}x{cfg['resnetWidth']} image={cfg['imageSize']} vocab={cfg['vocabSize']}")
    print(f"logits {tuple(ref.shape)}, |logits| max {scale:.4f}")
    print(f"max abs diff TS vs PyTorch: {diff:.3e} (tolerance {tol:.0e})")
    sys.exit(0 if diff <= tol else 1)


if __name__ == "__main__":
    main()
