// Image preprocessing as the BiomedGPT scripts do it, against PIL itself on real images
// (../shared/data): VQA-RAD JPEGs (downscaled: PIL's antialiased bicubic) at 256 px, mean = std =
// 0.5, and PneumoniaMNIST 28 px images (upscaled) with ImageNet statistics. PIL's own decoded
// pixels through the engine's resize must agree to float rounding; the workbench's own decode
// (sharp / libvips) then the engine's resize to a mean absolute difference <= 1/255.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStoredImage } from '#main/data/images/pixels';
import { PYTHON, REFERENCE_DIR } from '#main/data/weights/test-fixtures';
import { preprocessImage } from '#main/engine/image/preprocess';
import { IMAGE_NORMS, type ImageNorm } from '#shared/task-hyperparameters';

const DATA = path.resolve(import.meta.dirname, '../../../../shared/data');
const VQA_RAD = path.join(DATA, 'vqa_rad', 'images');
const MNIST = path.join(DATA, 'medmnist_pneumonia', 'pneumoniamnist.npz');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Reference {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly expected: Float32Array;
}

/** PIL's decode and preprocessing of each source (bench/reference/pil_preprocess.py). */
function pil(size: number, norm: ImageNorm, sources: readonly string[]): Reference[] {
  for (const p of [VQA_RAD, MNIST])
    if (!existsSync(p))
      throw new Error(`Test data ${p} is missing: the tests need ../shared/data beside the checkout`);
  const out = mkdtempSync(path.join(tmpdir(), 'bw-pil-'));
  dirs.push(out);
  const r = spawnSync(
    PYTHON,
    [path.join(REFERENCE_DIR, 'pil_preprocess.py'), out, String(size), norm, ...sources],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0)
    throw new Error(`pil_preprocess.py failed (needs python3-pil, scripts/debian-packages.txt): ${r.stderr}`);
  const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8')) as {
    width: number;
    height: number;
  }[];
  return meta.map((m, i) => {
    const f = readFileSync(path.join(out, `${i}.f32`));
    return {
      ...m,
      pixels: new Uint8Array(readFileSync(path.join(out, `${i}.u8`))),
      expected: new Float32Array(f.buffer, f.byteOffset, f.byteLength / 4),
    };
  });
}

/** Max and mean absolute difference in pixel units ([0, 1]), undoing the normalisation. */
function diff(ours: Float32Array, ref: Float32Array, norm: ImageNorm): { max: number; mean: number } {
  const { std } = IMAGE_NORMS[norm];
  let max = 0;
  let sum = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs((ours[i] ?? 0) - (ref[i] ?? 0)) * (std[i % 3] as number);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / ref.length };
}

const jpegs = readdirSync(VQA_RAD)
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .slice(0, 3)
  .map((f) => path.join(VQA_RAD, f));

describe('preprocessing against PIL on real images', () => {
  it('VQA-RAD at 256 px, mean = std = 0.5: PIL-decoded pixels agree to rounding; our decode within 1/255 on average', async () => {
    const refs = pil(256, 'half', jpegs);
    for (const [i, ref] of refs.entries()) {
      const same = preprocessImage(
        { data: ref.pixels, width: ref.width, height: ref.height, channels: 3 },
        256,
      );
      const d = diff(same, ref.expected, 'half');
      expect(d.max).toBeLessThan(1e-6);
      const decoded = await decodeStoredImage(new Uint8Array(readFileSync(jpegs[i] as string)));
      const ours = diff(preprocessImage(decoded, 256), ref.expected, 'half');
      console.log(
        `${path.basename(jpegs[i] as string)} ${ref.width}x${ref.height}: own decode mean abs diff ${(ours.mean * 255).toFixed(3)}/255`,
      );
      expect(ours.mean).toBeLessThanOrEqual(1 / 255);
    }
  });

  it('PneumoniaMNIST 28 px upscaled to 64 px with ImageNet statistics', () => {
    const refs = pil(
      64,
      'imagenet',
      [0, 1, 2].map((i) => `npz:${MNIST}:test_images:${i}`),
    );
    for (const ref of refs) {
      const grey = Uint8Array.from({ length: ref.width * ref.height }, (_, p) => ref.pixels[p * 3] ?? 0);
      const ours = preprocessImage({ data: grey, width: ref.width, height: ref.height, channels: 1 }, 64, {
        norm: 'imagenet',
      });
      expect(diff(ours, ref.expected, 'imagenet').max).toBeLessThan(1e-6);
      // the bilinear resize the engine once used is measurably off
      const bilinear = preprocessImage({ data: grey, width: 28, height: 28, channels: 1 }, 64, {
        norm: 'imagenet',
        resize: 'bilinear',
      });
      expect(diff(bilinear, ref.expected, 'imagenet').max).toBeGreaterThan(2 / 255);
    }
  });
});
