"""
Reference image preprocessing with PIL, as the BiomedGPT scripts run it: `Image.convert("RGB")`,
torchvision-style `Resize((size, size), BICUBIC)` (PIL's resize), `ToTensor()`, `Normalize(mean, std)`
(mean = std = 0.5, or ImageNet's statistics for MedMNIST). For each input it writes the decoded
8-bit RGB pixels (`<i>.u8`, [h, w, 3]) and the model input (`<i>.f32`, [size, size, 3], float32),
plus `meta.json` with the sizes.

usage: pil_preprocess.py <out_dir> <size> <half|imagenet> <image path | npz:path:key:index> ...
"""
import json
import os
import sys

import numpy as np
from PIL import Image

NORMS = {"half": ([0.5] * 3, [0.5] * 3), "imagenet": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])}


def open_image(src):
    if src.startswith("npz:"):
        _, path, key, index = src.split(":")
        return Image.fromarray(np.load(path)[key][int(index)])
    return Image.open(src)


def main():
    out, size, norm = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mean, std = (np.array(v, dtype=np.float32) for v in NORMS[norm])
    meta = []
    for i, src in enumerate(sys.argv[4:]):
        rgb = open_image(src).convert("RGB")
        pixels = np.asarray(rgb, dtype=np.uint8)
        pixels.tofile(os.path.join(out, f"{i}.u8"))
        resized = np.asarray(rgb.resize((size, size), Image.BICUBIC), dtype=np.float32) / 255.0
        ((resized - mean) / std).astype(np.float32).tofile(os.path.join(out, f"{i}.f32"))
        meta.append({"source": src, "width": rgb.width, "height": rgb.height})
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
