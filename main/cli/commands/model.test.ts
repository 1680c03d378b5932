import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';

const cli = (argv: string[]) => runCliCaptured(argv, {});

describe('biomed model', () => {
  it('lists every preset with its parameter count as JSON', async () => {
    const r = await cli(['model', 'presets', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; parameters: number }[];
    const millions = Object.fromEntries(rows.map((x) => [x.name, x.parameters / 1e6]));
    expect(millions.Base).toBeCloseTo(182.2, 0);
    expect(millions.XLarge).toBeCloseTo(929.5, 0);
    expect(rows.map((x) => x.name)).toEqual(expect.arrayContaining(['S', 'M', 'cpu-xs', 'cpu-s', 'cpu-m']));
  });

  it('shows which backend is chosen and why others are not', async () => {
    const r = await cli(['model', 'backends']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/chosen: (wasm|cpu|tensorflow|node-gpu)/);
    expect(r.out).toContain('tensorflow');
    // the test setup's SwiftShader: found, described, and not chosen
    expect(r.out).toMatch(/- webgpu +only a software adapter/);
    expect(r.out).toMatch(
      /adapter: SwiftShader driver [\d.]+ \(google swiftshader, software\); max buffer \d+ MiB/,
    );
  });

  it('refuses an unknown subcommand', async () => {
    expect((await cli(['model', 'train'])).code).toBe(2);
  });
});
