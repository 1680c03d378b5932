import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * Image files by content hash under the data folder's `blobs/`: `ab/abcdef….png|jpg` for the
 * de-identified image, `thumbs/ab/abcdef….webp` for its 128 px thumbnail. Writes go to a temp
 * file and are renamed into place, so a crash never leaves a half-written blob.
 */
export class BlobStore {
  /** Folders this instance made or found (an import writes thousands of blobs into 256 of them). */
  private readonly dirs = new Set<string>();

  constructor(readonly root: string) {}

  /** Path of an image blob (whether or not it exists). */
  pathOf(hash: string, mime: string): string {
    return join(this.root, hash.slice(0, 2), `${hash}.${EXT[mime] ?? 'bin'}`);
  }

  /** Path of a thumbnail (whether or not it exists). */
  thumbPathOf(hash: string): string {
    return join(this.root, 'thumbs', hash.slice(0, 2), `${hash}.webp`);
  }

  has(hash: string, mime: string): boolean {
    return existsSync(this.pathOf(hash, mime));
  }

  /** Writes a blob unless present; returns true when this call created it. */
  put(hash: string, mime: string, bytes: Uint8Array, thumbnail: Uint8Array | null): boolean {
    const path = this.pathOf(hash, mime);
    if (existsSync(path)) return false;
    if (thumbnail) this.atomicWrite(this.thumbPathOf(hash), thumbnail);
    this.atomicWrite(path, bytes);
    return true;
  }

  /** The stored image bytes (PNG or JPEG), or undefined. */
  read(hash: string): Buffer | undefined {
    for (const mime of ['image/png', 'image/jpeg']) {
      const p = this.pathOf(hash, mime);
      if (existsSync(p)) return readFileSync(p);
    }
    return undefined;
  }

  /** The thumbnail (WebP), or undefined when the image is small enough to be its own thumbnail. */
  readThumbnail(hash: string): Buffer | undefined {
    const p = this.thumbPathOf(hash);
    return existsSync(p) ? readFileSync(p) : undefined;
  }

  /** Removes an image and its thumbnail. */
  remove(hash: string): void {
    for (const mime of ['image/png', 'image/jpeg']) rmSync(this.pathOf(hash, mime), { force: true });
    rmSync(this.thumbPathOf(hash), { force: true });
  }

  private atomicWrite(path: string, bytes: Uint8Array): void {
    const dir = join(path, '..');
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const tmp = join(dir, `.${randomUUID()}.tmp`);
    try {
      writeFileSync(tmp, bytes);
    } catch (err) {
      // The folder went since it was made (removed by hand): make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, bytes);
    }
    renameSync(tmp, path);
  }
}
