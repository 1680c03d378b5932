// Columns of numbers and strings kept out of the JavaScript heap (issue 22: memory flat whatever
// the count): an importer's index of hundreds of thousands of rows (MIMIC-CXR's 377,110 images)
// in a few growing buffers, a few bytes per row beyond the strings' own UTF-8 bytes, instead of
// an object and a string or two per row.

/** A growable array of 32-bit integers. */
export class NumberColumn {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): number {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  at(i: number): number {
    return this.data[i]!;
  }
  /** The numbers pushed, as a view (no copy). */
  values(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Strings appended in one growing buffer (UTF-8), read back by their index. */
export class StringColumn {
  private bytes = Buffer.alloc(1 << 16);
  private readonly ends = new NumberColumn();
  private used = 0;
  get length(): number {
    return this.ends.length;
  }
  push(s: string): number {
    const n = Buffer.byteLength(s);
    if (this.used + n > this.bytes.length) {
      const bigger = Buffer.alloc(Math.max(2 * this.bytes.length, this.used + n));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    this.bytes.write(s, this.used);
    this.used += n;
    return this.ends.push(this.used);
  }
  private start(i: number): number {
    return i === 0 ? 0 : this.ends.at(i - 1);
  }
  at(i: number): string {
    return this.bytes.toString('utf8', this.start(i), this.ends.at(i));
  }
  /** True when string `i` has the UTF-8 bytes `b`. */
  equals(i: number, b: Buffer): boolean {
    const start = this.start(i);
    const end = this.ends.at(i);
    return end - start === b.length && this.bytes.compare(b, 0, b.length, start, end) === 0;
  }
}

/** FNV-1a of UTF-8 bytes. */
function fnv(b: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** A map from strings to small whole numbers (0..2^31-1): a StringColumn of the keys and an open-addressing table. */
export class StringIndex {
  private readonly keys = new StringColumn();
  private readonly values = new NumberColumn();
  private table = new Int32Array(1024).fill(-1);
  get size(): number {
    return this.keys.length;
  }
  /** The slot of `key` in the table: where it is, or the empty one where it would go. */
  private slot(b: Buffer): number {
    const mask = this.table.length - 1;
    for (let s = fnv(b) & mask; ; s = (s + 1) & mask) {
      const k = this.table[s]!;
      if (k === -1 || this.keys.equals(k, b)) return s;
    }
  }
  get(key: string): number | undefined {
    const k = this.table[this.slot(Buffer.from(key))]!;
    return k === -1 ? undefined : this.values.at(k);
  }
  /** Sets the number of `key` (a key set again keeps its place and takes the new number). */
  set(key: string, value: number): void {
    const b = Buffer.from(key);
    const s = this.slot(b);
    const k = this.table[s]!;
    if (k !== -1) {
      this.values.data[k] = value;
      return;
    }
    this.table[s] = this.keys.push(key);
    this.values.push(value);
    if (2 * this.keys.length > this.table.length) this.grow();
  }
  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(2 * old.length).fill(-1);
    const mask = this.table.length - 1;
    for (const k of old) {
      if (k === -1) continue;
      let s = fnv(Buffer.from(this.keys.at(k))) & mask;
      while (this.table[s] !== -1) s = (s + 1) & mask;
      this.table[s] = k;
    }
  }
}
