import { describe, expect, it } from 'vitest';
import { applyWindow, windowLut } from './windowing';

describe('windowLut', () => {
  it('is the identity for the full window and clamps outside a narrow one', () => {
    const full = windowLut(127.5, 255);
    expect(full[0]).toBe(0);
    expect(full[255]).toBe(255);
    expect(full[100]).toBe(100);
    const narrow = windowLut(100, 50);
    expect(narrow[70]).toBe(0);
    expect(narrow[130]).toBe(255);
    expect(narrow[100]).toBe(128);
  });
  it('maps colour channels and keeps alpha', () => {
    const px = new Uint8ClampedArray([75, 100, 125, 42]);
    applyWindow(px, windowLut(100, 50));
    expect([...px]).toEqual([0, 128, 255, 42]);
  });
});
