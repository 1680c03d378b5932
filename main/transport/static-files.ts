import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Thrown for a request path that cannot be decoded (a malformed percent-escape such as `%E0%A4%A`). */
export class BadPath extends Error {}

/** Serves one file of the built renderer; never escapes `root`. Returns false if not found. */
export function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  headers: Record<string, string>,
): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    throw new BadPath(`malformed percent-escape in the path ${JSON.stringify(urlPath.slice(0, 200))}`);
  }
  if (decoded.includes('\0')) throw new BadPath('NUL byte in the path');
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(root, rel === '' ? 'index.html' : rel);
  if (!file.startsWith(root + sep) && file !== root) return false;
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
  });
  const stream = createReadStream(file);
  // A read error after the headers went out: end the response rather than the process.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  return true;
}
