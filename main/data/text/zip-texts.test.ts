import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { zipTexts } from './zip-texts';

const dir = mkdtempSync(join(tmpdir(), 'bw-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text that does not compress (so entries span several of the stream's 64 KiB chunks). */
function noise(n: number, seed: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += String.fromCharCode(97 + (x >>> 27));
  }
  return s;
}

describe('zipTexts', () => {
  it('hands over each picked entry as it is reached, deflated or stored, and skips the rest', async () => {
    const texts = {
      'r/s1.txt': noise(150_000, 1),
      'r/skip.txt': 'not wanted',
      'r/s2.txt': noise(150_000, 2),
    };
    const file = join(dir, 'mixed.zip');
    const enc = (t: string) => new TextEncoder().encode(t);
    writeFileSync(
      file,
      zipSync({
        'r/s1.txt': enc(texts['r/s1.txt']),
        'r/skip.txt': enc(texts['r/skip.txt']),
        'r/s2.txt': [enc(texts['r/s2.txt']), { level: 0 }],
      }),
    );
    const order: string[] = [];
    const got = new Map<string, string>();
    await zipTexts(
      file,
      (name) => {
        order.push(`take ${name}`);
        return name !== 'r/skip.txt';
      },
      (name, text) => {
        order.push(`each ${name}`);
        got.set(name, text);
      },
    );
    // Streamed: an entry is handed over before the next one is even looked at (not all at the end).
    expect(order).toEqual([
      'take r/s1.txt',
      'each r/s1.txt',
      'take r/skip.txt',
      'take r/s2.txt',
      'each r/s2.txt',
    ]);
    expect(got.get('r/s1.txt')).toBe(texts['r/s1.txt']);
    expect(got.get('r/s2.txt')).toBe(texts['r/s2.txt']);
    expect(got.has('r/skip.txt')).toBe(false);
  });

  it('refuses a file that is not a zip archive', async () => {
    const file = join(dir, 'reports.zip');
    writeFileSync(file, 'FINDINGS: this is a text file named .zip\n');
    await expect(
      zipTexts(
        file,
        () => true,
        () => {},
      ),
    ).rejects.toThrow('it does not start with a zip header');
  });
});
