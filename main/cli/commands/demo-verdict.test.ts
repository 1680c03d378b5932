import { describe, expect, it } from 'vitest';
import { demoVerdict } from './demo-verdict';

const url = '#/compare?ids=a,b,c';

describe('the demo closing sentence', () => {
  it('says scale pays only when accuracy rises every rung and the paired test separates the ends', () => {
    const rungs = [
      { scale: 'cpu-xs', accuracy: 0.5 },
      { scale: 'cpu-s', accuracy: 0.6 },
      { scale: 'cpu-m', accuracy: 0.7 },
    ];
    const s = demoVerdict(rungs, { delta: 0.2, pValue: 0.001, examples: 224 }, url);
    expect(s).toMatch(
      /^Scale pays: .*cpu-xs 0\.500 < cpu-s 0\.600 < cpu-m 0\.700.*\+0\.200.*p = 0\.001 over 224/,
    );
    expect(s).toContain('Scaling view');
    expect(s).toContain(url);
    expect(s.split('. ').length).toBe(1); // one sentence
  });

  it('says plainly when it does not', () => {
    const flat = [
      { scale: 'cpu-xs', accuracy: 0.556 },
      { scale: 'cpu-s', accuracy: 0.411 },
      { scale: 'cpu-m', accuracy: 0.444 },
    ];
    expect(demoVerdict(flat, { delta: -0.111, pValue: 1, examples: 90 }, url)).toMatch(
      /^Scale did not clearly pay in this run: accuracy does not rise with every rung/,
    );
    const weak = flat.map((r, i) => ({ ...r, accuracy: 0.5 + i * 0.01 }));
    expect(demoVerdict(weak, { delta: 0.02, pValue: 0.3, examples: 90 }, url)).toMatch(/is not significant/);
    expect(demoVerdict(flat.slice(0, 1), null, url)).toMatch(/^Too few finished rungs/);
  });
});
