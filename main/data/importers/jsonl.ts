import { basename, dirname, resolve } from 'node:path';
import { readText } from '#main/data/fs-utils';
import { parseJsonLines } from '#main/data/text/json';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { Split } from '#shared/domain/dataset';
import { isRecord, limited, meta, recordRef } from './common';

/** Generic instruction JSONL: `{image?, instruction, input?, output, split?}` per line. */
export const jsonlImporter: Importer = {
  format: 'jsonl',
  label: 'Instruction JSONL',
  description:
    'one JSON object per line: image? (path relative to the file), instruction, input?, output, split?',
  detect: (p) => !p.isDir && p.base.endsWith('.jsonl') && /"instruction"\s*:/.test(p.head),
  async parse(path, options, problems) {
    const file = basename(path);
    const dir = dirname(path);
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const { line, index, value } of parseJsonLines(await readText(path, problems), file, problems)) {
      const ref = recordRef(file, value, ['id'], index, line);
      if (!isRecord(value)) {
        problems.skip(ref, undefined, 'expected an object');
        continue;
      }
      const { instruction, input, output, image, split } = value;
      let ok = true;
      for (const [name, v, required] of [
        ['instruction', instruction, true],
        ['output', output, true],
        ['input', input, false],
        ['image', image, false],
      ] as const) {
        if (v === undefined && !required) continue;
        if (typeof v !== 'string' || (required && v.trim() === '')) {
          problems.skip(ref, name, v === undefined ? 'the field is missing' : 'expected non-empty text');
          ok = false;
        }
      }
      const parsedSplit =
        split === undefined
          ? undefined
          : Split.safeParse(
              typeof split === 'string' && ['val', 'dev'].includes(split.trim().toLowerCase())
                ? 'validation'
                : typeof split === 'string'
                  ? split.trim().toLowerCase()
                  : split,
            );
      if (parsedSplit && !parsedSplit.success) {
        problems.skip(
          ref,
          'split',
          `unknown split ${JSON.stringify(split)} (expected train, validation or test)`,
        );
        ok = false;
      }
      if (!ok) continue;
      const imageKey = typeof image === 'string' && image !== '' ? image : undefined;
      if (imageKey && !images.has(imageKey))
        images.set(imageKey, { kind: 'file', path: resolve(dir, imageKey) });
      examples.push({
        ref,
        ...(parsedSplit?.success ? { split: parsedSplit.data } : {}),
        task: 'instruction',
        inputs: {
          instruction: (instruction as string).trim(),
          input: typeof input === 'string' ? input.trim() : '',
        },
        target: (output as string).trim(),
        ...(imageKey ? { image: imageKey } : {}),
        meta: meta({ sourceLine: line }),
      });
    }
    return {
      format: 'jsonl',
      name: file.replace(/\.jsonl$/, ''),
      task: 'instruction',
      examples: limited(examples, options),
      images,
      meta: {},
    };
  },
};
