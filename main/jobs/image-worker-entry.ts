// One image-decoding thread of the image pool (image-pool.ts): reads, hashes, decodes,
// de-identifies, downscales and encodes one image file per message with `prepareImage`, the same
// function the main thread runs, and posts the result back with its buffers transferred.
import { parentPort } from 'node:worker_threads';
import { ImageError, type PreparedImage, prepareImage } from '#main/data/images/prepare';
import type { ImageTask, ImageTaskResult } from './image-pool';

/** `bytes` in an ArrayBuffer of its own, so it can be transferred (sharp's and pooled Buffers cannot). */
function own(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !Buffer.isBuffer(bytes))
    return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

const port = parentPort;
if (!port) throw new Error('image-worker-entry runs as a worker thread of the image pool');

port.on('message', async (task: ImageTask) => {
  let result: ImageTaskResult;
  let transfer: ArrayBuffer[] = [];
  try {
    const img: PreparedImage = await prepareImage({ kind: 'file', path: task.path }, task.options);
    const bytes = own(img.bytes);
    const thumbnail = img.thumbnail ? own(img.thumbnail) : null;
    transfer = [bytes.buffer as ArrayBuffer, ...(thumbnail ? [thumbnail.buffer as ArrayBuffer] : [])];
    result = { id: task.id, ok: true, image: { ...img, bytes, thumbnail } };
  } catch (err) {
    const kind = err instanceof ImageError ? err.kind : 'unreadable';
    result = { id: task.id, ok: false, kind, message: (err as Error).message };
  }
  port.postMessage(result, transfer);
});
