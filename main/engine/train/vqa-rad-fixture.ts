import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Example } from './batch';

/** ../shared/data/vqa_rad relative to the repository root (absent where the shared data is not mounted). */
export const VQA_RAD_DIR = path.resolve(import.meta.dirname, '../../../../shared/data/vqa_rad');

export function vqaRadAvailable(): boolean {
  return existsSync(path.join(VQA_RAD_DIR, 'VQA_RAD Dataset Public.json'));
}

interface RawItem {
  readonly image_name: string;
  readonly question: string;
  readonly answer: string;
}

/**
 * The first `n` VQA-RAD questions as examples (OFA preprocessing: lower-cased, tabs stripped),
 * JPEGs decoded with sharp to raw pixels. For tests and benchmarks only.
 */
export async function loadVqaRad(n: number, offset = 0): Promise<Example[]> {
  const items = JSON.parse(
    readFileSync(path.join(VQA_RAD_DIR, 'VQA_RAD Dataset Public.json'), 'utf8'),
  ) as RawItem[];
  const clean = (s: string) => s.replace(/\t/g, '').trim().toLowerCase();
  return Promise.all(
    items.slice(offset, offset + n).map(async (it) => {
      const { data, info } = await sharp(path.join(VQA_RAD_DIR, 'images', it.image_name))
        .raw()
        .toBuffer({ resolveWithObject: true });
      return {
        source: clean(it.question),
        target: clean(String(it.answer)),
        image: {
          data: new Uint8Array(data),
          width: info.width,
          height: info.height,
          channels: info.channels,
        },
      };
    }),
  );
}
