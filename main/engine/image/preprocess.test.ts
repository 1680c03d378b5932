import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { ImageInputError, preprocessImage } from './preprocess';

beforeAll(() => initBackend({ prefer: 'cpu', strict: true }));

describe('preprocessImage', () => {
  it('converts any channel count to normalised RGB of the preset size', () => {
    for (const channels of [1, 2, 3, 4, 5]) {
      const data = new Uint8Array(7 * 5 * channels).fill(255);
      const out = preprocessImage({ data, width: 7, height: 5, channels }, 8);
      expect(out).toHaveLength(8 * 8 * 3);
      expect(Math.min(...out)).toBeCloseTo(1, 5);
    }
  });
  it('maps black to -1 and keeps float input in [0, 1]', () => {
    const out = preprocessImage({ data: new Float32Array(4 * 4 * 3), width: 4, height: 4, channels: 3 }, 2);
    expect(Array.from(out)).toEqual(new Array(12).fill(-1));
  });
  it('keeps the colour of a pure red pixel', () => {
    const out = preprocessImage({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1, channels: 3 }, 3);
    expect(Array.from(out.slice(0, 3))).toEqual([1, -1, -1]);
  });
  it('rejects inconsistent input with a clear error instead of crashing', () => {
    expect(() => preprocessImage({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 8)).toThrow(
      ImageInputError,
    );
    expect(() => preprocessImage({ data: new Uint8Array(0), width: 0, height: 4, channels: 3 }, 8)).toThrow(
      /width/,
    );
  });
});
