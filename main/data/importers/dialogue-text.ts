import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDir, readText } from '#main/data/fs-utils';
import type { Problems } from '#main/data/problems';
import type { Importer, ParsedExample } from '#main/data/types';
import type { DatasetFormat } from '#shared/domain/dataset';
import { taskOf } from '#shared/tasks';
import { limited, meta } from './common';

const sum = taskOf('summarization');

/**
 * Parses the raw MedDialog-style text blocks `id=…\n\nDescription\n<question>\n\nDialogue\n<dialogue>`:
 * the source is the Dialogue, the target the Description with a leading `Q. ` stripped (spec §4.2).
 */
export function parseDialogueBlocks(text: string, file: string, problems: Problems): ParsedExample[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: ParsedExample[] = [];
  let id = '';
  let start = 0;
  let section: 'none' | 'description' | 'dialogue' = 'none';
  let description: string[] = [];
  let dialogue: string[] = [];
  const flush = () => {
    if (!id) return;
    const target = description
      .join(' ')
      .trim()
      .replace(/^Q\.\s*/, '');
    const source = dialogue.join(' ').trim();
    const ref = { file, id, line: start };
    if (!target) problems.skip(ref, 'Description', 'the Description is empty');
    else if (!source) problems.skip(ref, 'Dialogue', 'the Dialogue is empty');
    else
      out.push({
        ref,
        task: 'summarization',
        inputs: { source },
        target: sum.formatTarget(target),
        meta: meta({ sourceId: id }),
      });
  };
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const m = /^id\s*=\s*(.*)$/.exec(line);
    if (m) {
      flush();
      id = m[1]!.trim() || String(i + 1);
      start = i + 1;
      section = 'none';
      description = [];
      dialogue = [];
    } else if (/^description:?$/i.test(line)) section = 'description';
    else if (/^dialogue:?$/i.test(line)) section = 'dialogue';
    else if (line !== '' && section === 'description') description.push(line);
    else if (line !== '' && section === 'dialogue') dialogue.push(line);
    else if (line !== '' && section === 'none' && !id) {
      problems.error(file, 'expected a record starting with "id=" (HealthCareMagic / iCliniq raw text)', {
        line: i + 1,
      });
    }
  });
  flush();
  return out;
}

function makeImporter(format: DatasetFormat, label: string, pattern: RegExp): Importer {
  return {
    format,
    label,
    description: 'raw text blocks: id=…, Description, Dialogue (the Description is the summary)',
    detect: (p) => {
      if (p.isDir) return p.entries.some((e) => pattern.test(e) && e.endsWith('.txt'));
      return (
        p.base.endsWith('.txt') &&
        /^\s*id\s*=/.test(p.head) &&
        /\n\s*Description\s*\r?\n/.test(p.head) &&
        (format === 'healthcaremagic' ? !/icliniq/.test(p.base) : /icliniq/.test(p.base))
      );
    },
    async parse(path, options, problems) {
      const files = isDir(path)
        ? readdirSync(path)
            .filter((e) => e.endsWith('.txt'))
            .sort()
            .map((e) => join(path, e))
        : [path];
      const examples: ParsedExample[] = [];
      for (const f of files)
        examples.push(...parseDialogueBlocks(await readText(f, problems), basename(f), problems));
      if (examples.length === 0 && problems.errorCount === 0)
        problems.fail(basename(path), 'no id=… records found');
      return {
        format,
        name: label,
        task: 'summarization',
        examples: limited(examples, options),
        images: new Map(),
        meta: { source: 'MedDialog raw text (Zeng et al. 2020)' },
      };
    },
  };
}

/** HealthCareMagic raw dialogue text. */
export const healthcareMagicImporter = makeImporter(
  'healthcaremagic',
  'HealthCareMagic',
  /healthcare.?magic/i,
);
/** iCliniq raw dialogue text. */
export const icliniqImporter = makeImporter('icliniq', 'iCliniq', /icliniq/i);
