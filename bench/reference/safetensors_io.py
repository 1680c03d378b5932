"""Minimal safetensors reader/writer (no pip packages): 8-byte LE header length, JSON header, raw LE data."""
import json
import struct

import torch

_DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4)}


def load(path):
    """Returns (tensors: dict name -> torch.Tensor, metadata: dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} exceeds file")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    out = {}
    for name, e in header.items():
        dtype, size = _DTYPES[e["dtype"]]
        start, end = e["data_offsets"]
        buf = bytearray(data[start:end])
        t = torch.frombuffer(buf, dtype=dtype) if end > start else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(e["shape"]).clone()
    return out, meta
