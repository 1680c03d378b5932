import { basename, dirname, resolve } from 'node:path';
import { findEntry, readText } from '#main/data/fs-utils';
import { parseJson, topLevelLines } from '#main/data/text/json';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { isRecord, limited, meta, recordRef } from './common';

const IMAGE_TOKEN = /<image>\s*/g;

/**
 * LLaVA-Med instruction JSON (`llava_med_instruct_*.json`): `[{id, image, conversations:
 * [{from: human|gpt, value}]}]`. Each human/gpt turn pair becomes one instruction example; the
 * `<image>` token is removed (the image is the example's image). Images are looked up in
 * `images/` beside the file, else beside it.
 */
export const llavaMedImporter: Importer = {
  format: 'llava-med',
  label: 'LLaVA-Med instructions',
  description: 'JSON list of {id, image, conversations: [{from: human|gpt, value}]} with <image> tokens',
  detect: (p) => !p.isDir && p.base.endsWith('.json') && /"conversations"\s*:/.test(p.head),
  async parse(path, options, problems) {
    const file = basename(path);
    const dir = dirname(path);
    const imageDir = findEntry(dir, 'images') ?? dir;
    const text = await readText(path, problems);
    const data = parseJson(text, file, problems);
    if (!Array.isArray(data)) problems.fail(file, 'expected a JSON array of conversations', { line: 1 });
    const lines = topLevelLines(text);
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const [k, rec] of (data as unknown[]).entries()) {
      const line = lines[k] ?? 1;
      const ref = recordRef(file, rec, ['id'], k, line);
      if (!isRecord(rec) || !Array.isArray(rec['conversations'])) {
        problems.skip(ref, 'conversations', 'expected {id, image, conversations: [...]}');
        continue;
      }
      const image = typeof rec['image'] === 'string' && rec['image'] !== '' ? rec['image'] : undefined;
      if (image && !images.has(image)) images.set(image, { kind: 'file', path: resolve(imageDir, image) });
      const turns = rec['conversations'] as unknown[];
      for (let t = 0; t + 1 < turns.length; t += 2) {
        const human = turns[t];
        const gpt = turns[t + 1];
        if (!isRecord(human) || !isRecord(gpt) || human['from'] !== 'human' || gpt['from'] !== 'gpt') {
          problems.skip(
            ref,
            `conversations[${t}].from`,
            `turn ${t + 1}: expected a human turn followed by a gpt turn`,
          );
          break;
        }
        const q = String(human['value'] ?? '')
          .replace(IMAGE_TOKEN, '')
          .trim();
        const a = String(gpt['value'] ?? '').trim();
        if (!q || !a) {
          problems.skip(ref, `conversations[${t}].value`, `turn ${t + 1}: empty value`);
          continue;
        }
        examples.push({
          ref,
          task: 'instruction',
          inputs: { instruction: q, input: '' },
          target: a,
          ...(image ? { image } : {}),
          ...(image ? {} : { group: `conversation:${k}` }),
          meta: meta({ sourceId: typeof rec['id'] === 'string' ? rec['id'] : String(k), turn: t / 2 }),
        });
      }
    }
    return {
      format: 'llava-med',
      name: file.replace(/\.json$/, ''),
      task: 'instruction',
      examples: limited(examples, options),
      images,
      meta: { source: 'LLaVA-Med instruction data (Li et al. 2023)' },
    };
  },
};
