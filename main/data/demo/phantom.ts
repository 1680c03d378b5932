/** Where a lesion sits: which lung, which zone. */
export interface Lesion {
  readonly side: 'left' | 'right';
  readonly zone: 'upper' | 'lower';
  readonly size: 'small' | 'large';
}

/** Side length of the demo phantoms, in pixels. */
export const PHANTOM_SIZE = 64;

/** Lesion radius in pixels per size. */
const RADIUS = { small: 3, large: 6 } as const;

/**
 * Renders a synthetic chest radiograph phantom (8-bit grey, `PHANTOM_SIZE`² pixels): a bright
 * body, two dark lung fields, a mediastinum, Gaussian-ish noise, and bright round lesions.
 * The patient's left is on the image's right, as in a PA radiograph.
 */
export function renderPhantom(lesions: readonly Lesion[], rand: () => number): Uint8Array {
  const n = PHANTOM_SIZE;
  const img = new Float32Array(n * n);
  const c = n / 2;
  const jitter = (s: number) => (rand() - 0.5) * s;
  const body = { rx: n * 0.46 + jitter(2), ry: n * 0.48 + jitter(2) };
  const lungRx = n * 0.16 + jitter(1.5);
  const lungRy = n * 0.3 + jitter(2);
  const lungs = [c - n * 0.2 + jitter(1), c + n * 0.2 + jitter(1)];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let v = 20;
      if (((x - c) / body.rx) ** 2 + ((y - c) / body.ry) ** 2 <= 1) v = 170;
      for (const lx of lungs) if (((x - lx) / lungRx) ** 2 + ((y - c + 2) / lungRy) ** 2 <= 1) v = 70;
      img[y * n + x] = v;
    }
  }
  for (const l of lesions) {
    // Patient's left lung is on the image's right.
    const lx = l.side === 'left' ? lungs[1]! : lungs[0]!;
    const ly = c + 2 + (l.zone === 'upper' ? -lungRy * 0.45 : lungRy * 0.45) + jitter(4);
    const r = RADIUS[l.size];
    const cx = lx + jitter(lungRx * 0.6);
    for (let y = Math.floor(ly - r - 1); y <= ly + r + 1; y++) {
      for (let x = Math.floor(cx - r - 1); x <= cx + r + 1; x++) {
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const d = Math.hypot(x - cx, y - ly);
        if (d <= r) img[y * n + x] = 215;
        else if (d <= r + 1) img[y * n + x] = Math.max(img[y * n + x]!, 150);
      }
    }
  }
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) {
    const noise = (rand() + rand() + rand() - 1.5) * 18;
    out[i] = Math.max(0, Math.min(255, Math.round(img[i]! + noise)));
  }
  return out;
}

/** Draws a random lesion set of `count` lesions. */
export function randomLesions(count: number, rand: () => number, side?: Lesion['side']): Lesion[] {
  return Array.from({ length: count }, () => ({
    side: side ?? (rand() < 0.5 ? 'left' : 'right'),
    zone: rand() < 0.5 ? 'upper' : 'lower',
    size: rand() < 0.5 ? 'small' : 'large',
  }));
}

const WORDS = ['no', 'one', 'two', 'three'] as const;

/** "two large lesions in the left lung" style description (the caption template). */
export function describeLesions(lesions: readonly Lesion[]): string {
  if (lesions.length === 0) return 'clear lungs with no lesion.';
  const sides = [...new Set(lesions.map((l) => l.side))];
  const where = sides.length === 2 ? 'both lungs' : `the ${sides[0]} lung`;
  const sizes = [...new Set(lesions.map((l) => l.size))];
  const size = sizes.length === 1 ? `${sizes[0]} ` : '';
  const noun = lesions.length === 1 ? 'lesion' : 'lesions';
  const zones = [...new Set(lesions.map((l) => l.zone))];
  const zone = zones.length === 1 ? ` ${zones[0]} zone of` : '';
  return `${WORDS[lesions.length] ?? lesions.length} ${size}${noun} in the${zone} ${where.replace(/^the /, '')}.`;
}

/** Count words used in answers. */
export const COUNT_WORDS = WORDS;
