/** Reads a local path from what was dropped: a `file://` URI or a pasted path; null for bare files. */
export function pathFromDrop(uriList: string, text: string): string | null {
  const uri = uriList
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  if (uri?.startsWith('file://')) {
    const url = new URL(uri);
    const path = decodeURIComponent(url.pathname);
    // Windows: file:///C:/data -> C:/data
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
  }
  const t = text.trim();
  if (
    t &&
    !t.includes('\n') &&
    (t.startsWith('/') || t.startsWith('~') || /^[A-Za-z]:[\\/]/.test(t) || t.startsWith('.'))
  )
    return t;
  return null;
}
