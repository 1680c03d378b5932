import { describe, expect, it } from 'vitest';
import { imageBucket, imagePositionIds, tokenBucket } from './positions';

describe('token buckets (make_token_bucket_position, bucket 256, max 1024)', () => {
  it('is exact within +-128 and log-spaced beyond, in [0, 511)', () => {
    expect(tokenBucket(0, 256, 1024)).toBe(255);
    expect(tokenBucket(128, 256, 1024)).toBe(383);
    expect(tokenBucket(-128, 256, 1024)).toBe(127);
    expect(tokenBucket(129, 256, 1024)).toBe(384);
    expect(tokenBucket(1023, 256, 1024)).toBe(510);
    expect(tokenBucket(-1023, 256, 1024)).toBe(0);
    let prev = -1;
    for (let r = -1023; r <= 1023; r++) {
      const b = tokenBucket(r, 256, 1024);
      expect(b).toBeGreaterThanOrEqual(prev);
      prev = b;
    }
  });
});

describe('image buckets (make_image_bucket_position, bucket 42)', () => {
  it('indexes 2-D offsets and the special slot', () => {
    const numRel = 83 * 83 + 3;
    expect(imageBucket(1, 1, 42)).toBe(41 * 83 + 41);
    expect(imageBucket(2, 1, 42)).toBe(41 * 83 + 42);
    expect(imageBucket(43, 1, 42)).toBe(42 * 83 + 41);
    expect(imageBucket(0, 0, 42)).toBe(numRel - 1);
    expect(imageBucket(5, 0, 42)).toBe(numRel - 2);
    expect(imageBucket(0, 5, 42)).toBe(numRel - 3);
    expect(imagePositionIds(2, 2, 42)).toEqual([1, 2, 43, 44]);
  });
});
